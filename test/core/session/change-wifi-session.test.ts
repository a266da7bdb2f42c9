import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { PortalSession } from "../../../src/core/session/portal-session";
import { createVirtualChoice } from "../../../src/demo/virtual-port";

// "Change Wi-Fi" from the device list: a provisioned board gets other Wi-Fi without flashing,
// through the session's intents and the real cores (retryWifi) on the virtual board.

const ROOT = resolve(import.meta.dirname, "../../..");
const DEMO = "http://portal.test/firmware/demo/manifest.json";
const publicFetch = (async (input: RequestInfo | URL) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  try {
    const body = new Uint8Array(await readFile(join(ROOT, "public", decodeURIComponent(url.pathname))));
    return new Response(body, { status: 200 });
  } catch {
    return new Response("not found", { status: 404 });
  }
}) as typeof fetch;

describe("change Wi-Fi from the device list", () => {
  it("scans, reports a wrong password by its cause, then joins the right network; nothing is flashed", async () => {
    const registry = new MemoryDeviceRegistry();
    const session = new PortalSession({
      jobs: createPortalJobs({ fetch: publicFetch, registry, wifiTimeoutMs: 20_000 }),
      sources: [{ label: "Demo", manifestUrl: DEMO }],
      registry,
    });

    // Before a board is connected the panel says what to do.
    expect(await session.openWifiChange("0123")).toBe(true);
    expect(await session.applyWifiChange({ ssid: "Workshop", password: "solder-and-flux" })).toBe(false);
    expect(session.state.wifiChange?.error).toMatchObject({ code: "not-ready", action: "pick-another-port" });
    session.closeWifiChange();
    expect(session.state.wifiChange).toBeNull();

    expect(await session.connect(createVirtualChoice({ random: () => 0.75 }))).toBe(true);
    expect(await session.flash()).toBe(true);
    await session.asideSettled();
    session.setWifi({ ssid: "pyDirect-Demo", password: "demo-pass-123" });
    expect(await session.provision()).toBe(true);
    const id = session.state.provision.result!.deviceId;
    const hostname = session.state.provision.result!.hostname;
    const written = session.state.flash.result;

    // Another board's record: refused before anything is written.
    expect(await session.openWifiChange("not-this-board")).toBe(true);
    expect(await session.applyWifiChange({ ssid: "Workshop", password: "solder-and-flux" })).toBe(false);
    expect(session.state.wifiChange?.error?.code).toBe("other-board");

    expect(await session.openWifiChange(id)).toBe(true);
    const change = session.state.wifiChange!;
    expect(change.hostname).toBe(hostname); // from the device list
    expect(change.networks?.map((n) => n.ssid)).toEqual(["pyDirect-Demo", "Workshop", "Cafe Guest"]);

    expect(await session.applyWifiChange({ ssid: "Workshop", password: "wrong-password" })).toBe(false);
    expect(session.state.wifiChange).toMatchObject({
      status: "error",
      error: { code: "wifi-wrong-password", action: "check-wifi" },
    });

    expect(await session.applyWifiChange({ ssid: "Workshop", password: "solder-and-flux" })).toBe(true);
    expect(session.state.wifiChange).toMatchObject({
      status: "done",
      result: { ssid: "Workshop", ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) },
      error: null,
    });
    expect(session.state.flash.result).toBe(written);
    expect(session.log.toText()).not.toMatch(/solder-and-flux|wrong-password|demo-pass-123/);
    expect(hostname).toMatch(/^pyDirect-/);
  }, 180_000);
});
