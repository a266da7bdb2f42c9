import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { detectProvisioning } from "../../../src/core/session/detect-provisioning";
import { PortalSession } from "../../../src/core/session/portal-session";
import {
  decideProvisioning,
  improvPolicy,
  improvWaitMs,
  planProbes,
} from "../../../src/core/session/provisioning-choice";
import { createVirtualChoice } from "../../../src/demo/virtual-port";
import { parseManifest } from "../../../src/core/manifest";

// The provisioning choice (pyDirect / Improv / neither) with the real cores on the virtual board,
// which runs whatever firmware its flash holds: the pyDirect demo, the Improv demo, ESP-IDF blink.

const ROOT = resolve(import.meta.dirname, "../../..");
const ORIGIN = "http://portal.test/";
const DEMO = `${ORIGIN}firmware/demo/manifest.json`;
const IMPROV = `${ORIGIN}firmware/demo/improv/manifest.json`;
const BLINK = `${ORIGIN}firmware/demo/blink/manifest.json`;

const publicFetch = (async (input: RequestInfo | URL) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  try {
    const body = new Uint8Array(await readFile(join(ROOT, "public", decodeURIComponent(url.pathname))));
    return new Response(body, { status: 200, headers: { "content-length": String(body.length) } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}) as typeof fetch;

function sessionFor(manifestUrl: string, registry = new MemoryDeviceRegistry()) {
  return new PortalSession({
    jobs: createPortalJobs({ fetch: publicFetch, registry, wifiTimeoutMs: 20_000 }),
    sources: [{ label: "Firmware", manifestUrl }],
    registry,
  });
}

async function installed(manifestUrl: string, registry?: MemoryDeviceRegistry) {
  const session = sessionFor(manifestUrl, registry);
  const choice = createVirtualChoice({ random: () => 0.25 });
  expect(await session.connect(choice)).toBe(true);
  expect(await session.flash()).toBe(true);
  expect(session.state.step).toBe("provision");
  await session.asideSettled();
  return { session, board: choice.board };
}

describe("the provisioning choice, as rules", () => {
  it("reads the Improv wait from the manifest (ESP Web Tools' 10 s default) and improv:false per build", () => {
    const { manifest } = parseManifest({
      name: "x",
      builds: [
        { chipFamily: "ESP32", improv: false, parts: [{ path: "a.bin", offset: 0 }] },
        { chipFamily: "ESP32-S3", parts: [{ path: "b.bin", offset: 0 }] },
      ],
    });
    const policy = improvPolicy(manifest, manifest.builds);
    expect(policy).toEqual({ waitSeconds: 10, disabledFor: ["ESP32"] });
    expect(improvWaitMs(policy, "ESP32-S3")).toBe(10_000);
    expect(improvWaitMs(policy, "ESP32")).toBeNull();
    expect(improvWaitMs({ waitSeconds: 0, disabledFor: [] }, "ESP32")).toBeNull();
    expect(improvWaitMs({ waitSeconds: 2.5, disabledFor: [] }, null)).toBe(2500);
  });

  it("asks a MicroPython app's REPL straight away, and gives anything else the Improv wait first", () => {
    expect(planProbes("micropython", 10_000)).toEqual(["repl"]);
    expect(planProbes("pyDirect demo firmware", 10_000)).toEqual(["repl"]);
    expect(planProbes("kitchen-light", 10_000)).toEqual(["improv", "repl"]);
    expect(planProbes(null, null)).toEqual(["repl"]);
  });

  it("decides Improv over a REPL, pyDirect over plain MicroPython, and says what to do with neither", () => {
    const device = { firmware: "ESPHome", version: "1", chip: "ESP32", name: "x", state: "ready" as const, url: null };
    expect(decideProvisioning({ improv: device, repl: "pydirect" }).kind).toBe("improv");
    expect(decideProvisioning({ improv: null, repl: "pydirect" }).kind).toBe("pydirect");
    expect(decideProvisioning({ improv: null, repl: "micropython" })).toMatchObject({
      kind: "none",
      reason: "micropython",
    });
    expect(decideProvisioning({ improv: null, repl: "no-repl" })).toMatchObject({
      kind: "none",
      reason: "no-interface",
      detail: expect.stringContaining("documentation"),
    });
  });
});

describe("after an install on the virtual board", () => {
  it("the pyDirect demo: pyDirect provisioning, and the board's scan for the picker (one row per SSID, strongest first)", async () => {
    const { session } = await installed(DEMO);
    const w = session.state.wifiSetup;
    expect(w.choice?.kind).toBe("pydirect");
    expect(w.networks?.map((n) => [n.ssid, n.channel, n.secured])).toEqual([
      ["pyDirect-Demo", 6, true],
      ["Workshop", 1, true],
      ["Cafe Guest", 11, false],
    ]);
    // Rescan through the same job.
    expect(await session.scanWifi()).toBe(true);
    expect(session.state.wifiSetup.networks).toHaveLength(3);
  }, 120_000);

  it("the Improv demo: device info, the scan over RPC 4, a wrong password by its cause, then the right one and the device's URL", async () => {
    const { session } = await installed(IMPROV);
    const w = session.state.wifiSetup;
    expect(w.choice).toMatchObject({
      kind: "improv",
      device: { firmware: "Improv demo", version: "1.0.0", chip: "ESP32-S3", name: "improv-demo", state: "ready" },
    });
    expect(w.networks?.map((n) => n.ssid)).toEqual(["pyDirect-Demo", "Workshop", "Cafe Guest"]);
    expect(await session.improvConnect({ ssid: "Workshop", password: "not-the-password" })).toBe(false);
    expect(session.state.wifiSetup.error).toMatchObject({ code: "wifi-wrong-password", action: "check-wifi" });
    expect(await session.improvConnect({ ssid: "Nowhere", password: "whatever1" })).toBe(false);
    expect(session.state.wifiSetup.error?.code).toBe("wifi-network-not-found");
    expect(await session.improvConnect({ ssid: "Workshop", password: "solder-and-flux" })).toBe(true);
    expect(session.state.wifiSetup.improvResult).toEqual({ ssid: "Workshop", url: "http://192.168.4.61" });
    expect(session.state.wifiSetup.error).toBeNull();
    expect(session.log.toText()).not.toContain("solder-and-flux");
    expect(session.log.toText()).not.toContain("not-the-password");
  }, 120_000);

  it("ESP-IDF's blink (improv:false in its manifest): neither, with a sentence; the flow ends there", async () => {
    const { session } = await installed(BLINK);
    const w = session.state.wifiSetup;
    expect(w.choice).toMatchObject({ kind: "none", reason: "no-interface" });
    expect(w.networks).toBeNull();
    expect(w.error).toBeNull();
    expect(session.state.flash.status).toBe("done");
    expect(session.busy).toBe(false);
  }, 120_000);

  it("blink given the Improv wait: the probe gives up after it and finds no REPL either", async () => {
    const { board } = await installed(BLINK);
    const started = Date.now();
    const choice = await detectProvisioning(board.port, {
      appName: "blink",
      improvWaitMs: 1500,
      replEnterTimeoutMs: 800,
    });
    expect(choice.kind).toBe("none");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  }, 120_000);
});
