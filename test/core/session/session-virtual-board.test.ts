import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { PortalSession } from "../../../src/core/session/portal-session";
import { createVirtualChoice } from "../../../src/demo/virtual-port";

// The session with the real cores (manifest, install, flash, image checks) against the virtual
// board: what the portal page does, minus the DOM.

const ROOT = resolve(import.meta.dirname, "../../..");
const ORIGIN = "http://portal.test/";
const MANIFEST = `${ORIGIN}firmware/demo/manifest.json`;

/** Serves public/ as if from ORIGIN, and can be told to corrupt one file. */
function publicFetch(corrupt?: string): typeof fetch {
  return async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const path = join(ROOT, "public", decodeURIComponent(url.pathname));
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = new Uint8Array(await readFile(path));
    } catch {
      return new Response("not found", { status: 404 });
    }
    if (corrupt && url.pathname.endsWith(corrupt)) body = body.map((b, i) => (i > 64 && i < 128 ? b ^ 0xff : b));
    return new Response(body, { status: 200, headers: { "content-length": String(body.length) } });
  };
}

describe("PortalSession on the virtual board with the real cores", () => {
  it("connects (chip, MAC, flash size, blank flash), loads the demo manifest and flashes every part", async () => {
    const session = new PortalSession({
      jobs: createPortalJobs({ fetch: publicFetch(), registry: new MemoryDeviceRegistry() }),
      sources: [{ label: "Demo", manifestUrl: MANIFEST }],
    });
    const choice = createVirtualChoice({ random: () => 0.5 });
    expect(await session.connect(choice)).toBe(true);
    const board = session.state.connect.result!;
    expect(board.chip).toBe("ESP32-S3");
    expect(board.mac).toBe("24:6f:28:80:80:80");
    expect(board.flashSize).toBe(8 * 1024 * 1024);
    expect(board.firmware).toBeNull();
    expect(session.state.firmware.result?.name).toBe("pyDirect demo firmware");
    // new_install_prompt_erase: the user is asked, default keep.
    expect(session.state.erase?.reason).toBe("new-install-ask");

    expect(await session.flash()).toBe(true);
    const parts = session.state.flash.parts;
    expect(parts.map((p) => p.name)).toEqual([
      "esp32s3/bootloader.bin",
      "esp32s3/partition-table.bin",
      "esp32s3/pydirect.bin",
    ]);
    expect(parts.every((p) => p.status === "done" && p.written === p.total && p.total > 0)).toBe(true);
    expect(session.state.step).toBe("provision");

    // Connecting again reads back the app that is now on flash.
    session.nextBoard();
    expect(await session.connect({ ...choice, port: choice.board.port })).toBe(true);
    expect(session.state.connect.result?.firmware).toEqual({ name: "pyDirect", version: "0.1.0" });
    // The same firmware and version already there: "already installed", straight on to provisioning.
    expect(session.state.erase).toMatchObject({ erase: false, reason: "already-installed" });
    expect(session.state.step).toBe("provision");
  });

  it("runs the whole flow: flash, provision (fresh identity), verify over WebRTC; next board gets its own", async () => {
    const { weriftPeerBackend } = await import("../../../src/core/signaling/werift-peer-node");
    const registry = new MemoryDeviceRegistry();
    const session = new PortalSession({
      jobs: createPortalJobs({ fetch: publicFetch(), registry, peerBackend: weriftPeerBackend }),
      sources: [{ label: "Demo", manifestUrl: MANIFEST }],
      registry,
    });
    const fingerprints: string[] = [];
    for (const seed of [0.25, 0.75]) {
      const choice = createVirtualChoice({ random: () => seed, onConsole: (t) => session.log.device(t) });
      expect(await session.connect(choice)).toBe(true);
      if (session.state.step !== "flash") session.show("flash");
      expect(await session.flash()).toBe(true);
      if (fingerprints.length === 0) session.setWifi({ ssid: "Workshop", password: "solder-and-flux" });
      const provisioned = await session.provision();
      if (!provisioned) throw session.state.provision.error ?? new Error("provision failed without an error");
      const prov = session.state.provision.result!;
      expect(prov.hostname).toMatch(/^pyDirect-/);
      expect(prov.certificatePem).toContain("BEGIN CERTIFICATE");
      const verified = await session.verify();
      if (!verified) throw session.state.verify.error ?? new Error("verify failed without an error");
      expect(session.state.verify.result?.ok).toBe(true);
      fingerprints.push(prov.certFingerprint);
      if (fingerprints.length < 2) session.nextBoard();
    }
    expect(session.state.boardsDone).toBe(2);
    expect(new Set(fingerprints).size).toBe(2);
    const records = await registry.list();
    expect(records).toHaveLength(2);
    // Re-verify from the device list: the second board is still connected; the first is not.
    const second = records.find((r) => r.certFingerprint === fingerprints[1])!;
    const first = records.find((r) => r.certFingerprint === fingerprints[0])!;
    expect(await session.reverify(first)).toBe(false);
    expect(session.state.verify.error?.code).toBe("other-board");
    const reverified = await session.reverify(second);
    if (!reverified) throw session.state.verify.error ?? new Error("verify failed without an error");
    expect((await registry.get(second.id))?.provisionedAt).toBe(second.provisionedAt);
    expect(records.every((r) => r.lastVerification?.passed)).toBe(true);
    // The re-verified board's channel is still open for the console; the test ends it.
    expect(session.state.handoff?.console).toBe("open");
    session.closeConsole();
    const everything = JSON.stringify(records) + session.log.toText();
    expect(everything).not.toContain("solder-and-flux");
    expect(everything).not.toContain("PRIVATE KEY");
  });

  it("refuses a corrupt image before writing anything, with the image check's sentence", async () => {
    const session = new PortalSession({
      jobs: createPortalJobs({ fetch: publicFetch("pydirect.bin") }),
      sources: [{ label: "Demo", manifestUrl: MANIFEST }],
    });
    const choice = createVirtualChoice();
    await session.connect(choice);
    expect(await session.flash()).toBe(false);
    const error = session.state.flash.error!;
    expect(error.message.length).toBeGreaterThan(20);
    // The manifest's SHA-256 catches it first; nothing reaches the board.
    expect(error.code).toBe("sha256-mismatch");
    expect(error.action).toBe("choose-another-firmware");
    expect(choice.board.flash.subarray(0, 0x10000).every((b) => b === 0xff)).toBe(true);
  });

  it("reports a manifest that cannot be loaded", async () => {
    const session = new PortalSession({
      jobs: createPortalJobs({ fetch: publicFetch() }),
      sources: [{ label: "Missing", manifestUrl: `${ORIGIN}firmware/none/manifest.json` }],
    });
    expect(await session.selectFirmware(`${ORIGIN}firmware/none/manifest.json`)).toBe(false);
    // A 404 is named as a missing manifest, with the address to check.
    expect(session.state.firmware.error?.code).toBe("not-found");
    expect(session.state.firmware.error?.message).toContain(`${ORIGIN}firmware/none/manifest.json`);
  });

  it("says so when the manifest's server cannot be reached (in Node a failed fetch is the network)", async () => {
    const blocked = (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch;
    const url = "https://elsewhere.example/manifest.json";
    const session = new PortalSession({
      jobs: createPortalJobs({ fetch: blocked }),
      sources: [{ label: "Elsewhere", manifestUrl: url }],
    });
    expect(await session.selectFirmware(url)).toBe(false);
    expect(session.state.firmware.error?.code).toBe("offline");
    expect(session.state.firmware.error?.message).toMatch(/offline|cannot be reached/);
  });
});
