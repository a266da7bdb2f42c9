import { describe, expect, it } from "vitest";
import { PortalError } from "../../../src/core/errors";
import { SecretText } from "../../../src/core/provision/secret";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import type { PortalJobs } from "../../../src/core/session/jobs";
import { PortalSession } from "../../../src/core/session/portal-session";
import { decideErase } from "../../../src/core/session/erase-decision";
import type { BoardSummary, FirmwareOffer } from "../../../src/core/session/session-types";
import { VirtualBoard } from "../../../src/virtual-board";

// These tests drive the state machine with scripted jobs: they check sequencing, state, the
// registry and the log. The real cores against the virtual board are covered in session-virtual-board.test.ts.

const board: BoardSummary = {
  chip: "ESP32-S3",
  description: "ESP32-S3 (QFN56) revision v0.2",
  mac: "24:6f:28:5a:3c:01",
  flashSize: 8 * 1024 * 1024,
  usbSerialJtag: false,
  firmware: null,
};
const offer: FirmwareOffer = {
  manifestUrl: "/firmware/demo/manifest.json",
  name: "pyDirect demo",
  version: "0.1.0",
  channel: "stable",
  releaseNotes: null,
  chipFamilies: ["ESP32-S3"],
  promptErase: false,
  skipErase: false,
};

function scriptedJobs(overrides: Partial<PortalJobs> = {}): PortalJobs & { calls: string[] } {
  const calls: string[] = [];
  let n = 0;
  return {
    calls,
    async inspect() {
      calls.push("inspect");
      return board;
    },
    async loadFirmware(url) {
      calls.push(`load ${typeof url === "string" ? url : url.manifestUrl}`);
      return [offer, { ...offer, version: "0.2.0-beta", channel: "beta" }];
    },
    async install(_port, req, onEvent) {
      calls.push(`install erase=${req.erase}`);
      req.onParts?.(["bootloader", "app"]);
      onEvent({ state: "writing", part: "bootloader", index: 0, written: 100, total: 200, skippedBytes: 0 });
      onEvent({ state: "writing", part: "bootloader", index: 0, written: 200, total: 200, skippedBytes: 0 });
      onEvent({ state: "verified", part: "bootloader", index: 0, md5: "ab", skipped: false });
      onEvent({ state: "writing", part: "app", index: 1, written: 300, total: 300, skippedBytes: 300 });
      onEvent({ state: "verified", part: "app", index: 1, md5: "cd", skipped: true });
    },
    async provision(_port, req, onEvent) {
      n += 1;
      calls.push(`provision ${req.wifi.ssid}`);
      onEvent({ state: "writing-settings", detail: `password is ${req.wifi.password}` });
      return {
        deviceId: `24:6f:28:5a:3c:0${n}`,
        hostname: `pyDirect-5a3c0${n}`,
        deviceName: req.deviceName,
        certFingerprint: `AA:0${n}`,
        certificatePem: "-----BEGIN CERTIFICATE-----",
        webreplPassword: new SecretText(`webrepl${n}x`),
        address: "192.168.4.2",
      };
    },
    async verify() {
      calls.push("verify");
      return { ok: true, roundTripMs: 4.2, detail: "echo over DataChannel" };
    },
    async readProvisioned() {
      calls.push("read-provisioned");
      const k = Math.max(n, 1);
      return {
        deviceId: `24:6f:28:5a:3c:0${k}`,
        hostname: `pyDirect-5a3c0${k}`,
        deviceName: "",
        certFingerprint: `AA:0${k}`,
        certificatePem: "-----BEGIN CERTIFICATE-----",
        webreplPassword: null,
        address: null,
      };
    },
    ...overrides,
  };
}

const vb = () => new VirtualBoard({ chip: "ESP32-S3" });

describe("PortalSession", () => {
  it("walks connect → firmware → flash → provision → verify and records the board", async () => {
    const jobs = scriptedJobs();
    const registry = new MemoryDeviceRegistry();
    const s = new PortalSession({ jobs, sources: [{ label: "Demo", manifestUrl: offer.manifestUrl }], registry });
    const steps: string[] = [];
    s.subscribe((st) => steps.at(-1) !== st.step && steps.push(st.step));

    expect(await s.connect({ port: vb().port, label: "Virtual ESP32-S3", virtual: true })).toBe(true);
    expect(s.state.connect.result?.mac).toBe(board.mac);
    expect(s.state.firmware.result?.name).toBe("pyDirect demo");
    expect(s.state.erase).toEqual({ erase: true, reason: "new-install", overridable: true });
    expect(s.state.step).toBe("firmware");

    s.selectVersion("0.2.0-beta");
    expect(s.state.firmware.result?.version).toBe("0.2.0-beta");
    s.selectVersion("0.1.0");
    expect(await s.flash()).toBe(true);
    expect(s.state.flash.parts.map((p) => [p.name, p.status])).toEqual([
      ["bootloader", "done"],
      ["app", "skipped"],
    ]);
    expect(s.state.flash.result).toEqual({ parts: 2, bytesWritten: 200, bytesSkipped: 300 });
    expect(s.state.connect.result?.firmware).toEqual({ name: "pyDirect demo", version: "0.1.0" });

    s.setWifi({ ssid: "Workshop", password: "hunter2-secret" }, "bench-1");
    expect(JSON.stringify(s.state)).not.toContain("hunter2-secret");
    expect(await s.provision()).toBe(true);
    // The WebREPL password is there to reveal, but no dump of state or log carries it.
    expect(s.state.provision.result?.webreplPassword?.reveal()).toBe("webrepl1x");
    expect(JSON.stringify(s.state)).not.toContain("webrepl1x");
    s.log.device("board echoed webrepl1x");
    expect(s.log.toText()).not.toContain("webrepl1x");
    expect(await s.verify()).toBe(true);
    expect(s.state.boardsDone).toBe(1);
    expect(steps).toEqual(["connect", "firmware", "flash", "provision", "verify"]);
    expect(jobs.calls).toEqual([
      "inspect",
      "load /firmware/demo/manifest.json",
      "install erase=true",
      "provision Workshop",
      "verify",
    ]);

    const [rec] = await registry.list();
    expect(rec).toMatchObject({
      hostname: "pyDirect-5a3c01",
      chip: "ESP32-S3",
      firmwareVersion: "0.1.0",
      certFingerprint: "AA:01",
    });
    expect(rec.lastVerification?.passed).toBe(true);
    expect(JSON.stringify(rec)).not.toContain("hunter2");
    // The provisioning job echoed the password in an event: the log masks it.
    expect(s.log.toText()).toContain("password is ••••••");
    expect(s.log.toText()).not.toContain("hunter2-secret");
  });

  it("production line: next board keeps firmware and Wi-Fi and gets its own identity", async () => {
    const jobs = scriptedJobs();
    const registry = new MemoryDeviceRegistry();
    const s = new PortalSession({ jobs, sources: [{ label: "Demo", manifestUrl: offer.manifestUrl }], registry });
    await s.connect({ port: vb().port, label: "A", virtual: true });
    await s.flash();
    s.setWifi({ ssid: "Line", password: "pw-line-1" });
    await s.provision();
    await s.verify();
    s.nextBoard();
    expect(s.state.step).toBe("connect");
    expect(s.state.port).toBeNull();
    expect(s.state.provision.wifi).toEqual({ ssid: "Line", hasPassword: true });
    expect(s.state.firmware.result?.name).toBe("pyDirect demo");
    await s.connect({ port: vb().port, label: "B", virtual: true });
    // Production line: the firmware is already chosen, so the next board goes straight to install.
    expect(s.state.step).toBe("flash");
    await s.flash();
    expect(await s.provision()).toBe(true);
    await s.verify();
    expect(s.state.boardsDone).toBe(2);
    const list = await registry.list();
    expect(list.map((r) => r.certFingerprint)).toEqual(["AA:01", "AA:02"]);
    expect(jobs.calls.filter((c) => c.startsWith("load"))).toHaveLength(1);
  });

  it("a job's PortalError lands on its step with its action, and retry runs the step again", async () => {
    let fail = true;
    const jobs = scriptedJobs({
      async install() {
        if (fail)
          throw new PortalError("wrong-chip", "This firmware is for ESP32-C3 but the board is an ESP32-S3.", {
            action: "choose-another-firmware",
          });
      },
    });
    const s = new PortalSession({ jobs, sources: [{ label: "Demo", manifestUrl: offer.manifestUrl }] });
    await s.connect({ port: vb().port, label: "A", virtual: true });
    expect(await s.flash()).toBe(false);
    expect(s.state.step).toBe("flash");
    expect(s.state.flash.status).toBe("error");
    expect(s.state.flash.error?.code).toBe("wrong-chip");
    expect(s.state.flash.error?.action).toBe("choose-another-firmware");
    fail = false;
    expect(await s.retry()).toBe(true);
    expect(s.state.step).toBe("provision");
  });

  it("refuses steps out of order with a sentence, and wraps unexpected errors", async () => {
    const s = new PortalSession({
      jobs: scriptedJobs({ inspect: () => Promise.reject(new TypeError("boom")) }),
      sources: [],
    });
    expect(await s.flash()).toBe(false);
    expect(s.state.flash.error?.code).toBe("step-not-ready");
    expect(s.state.flash.error?.message).toMatch(/Connect a board first/);
    expect(await s.connect({ port: vb().port, label: "A", virtual: true })).toBe(false);
    expect(s.state.connect.error?.code).toBe("unexpected");
    expect(s.state.connect.error?.message).toContain("boom");
  });

  it("unplugging the board: the job's own error is kept, and the port must be picked again", async () => {
    const b = vb();
    const jobs = scriptedJobs({
      install: (port) =>
        new Promise((_resolve, reject) => {
          port.addEventListener?.("disconnect", () =>
            reject(
              new PortalError("disconnected", "The board went away while flashing.", { action: "pick-another-port" }),
            ),
          );
        }),
    });
    const s = new PortalSession({ jobs, sources: [{ label: "Demo", manifestUrl: offer.manifestUrl }] });
    await s.connect({ port: b.port, label: "A", virtual: true });
    const flashing = s.flash();
    await new Promise((r) => setTimeout(r, 10));
    expect(s.busy).toBe(true);
    b.unplug();
    expect(await flashing).toBe(false);
    expect(s.state.port).toBeNull();
    expect(s.state.flash.error?.code).toBe("disconnected");
    expect(s.state.flash.error?.action).toBe("pick-another-port");
  });

  it("unplugging the board: a job that only stops on abort is stopped and reported as unplugged", async () => {
    const b = vb();
    const jobs = scriptedJobs({
      install: (_p, req) =>
        new Promise((_resolve, reject) => {
          req.signal.addEventListener("abort", () =>
            reject(Object.assign(new Error("aborted"), { name: "AbortError" })),
          );
        }),
    });
    const s = new PortalSession({ jobs, sources: [{ label: "Demo", manifestUrl: offer.manifestUrl }] });
    await s.connect({ port: b.port, label: "A", virtual: true });
    const flashing = s.flash();
    await new Promise((r) => setTimeout(r, 10));
    b.unplug();
    expect(await flashing).toBe(false);
    expect(s.state.flash.error?.code).toBe("board-unplugged");
    expect(s.state.flash.error?.message).toMatch(/unplugged/);
  });

  it("unplugging an idle board marks the current step and forgets the port", async () => {
    const b = vb();
    const s = new PortalSession({ jobs: scriptedJobs(), sources: [{ label: "Demo", manifestUrl: offer.manifestUrl }] });
    await s.connect({ port: b.port, label: "A", virtual: true });
    b.unplug();
    expect(s.state.port).toBeNull();
    expect(s.state.step).toBe("connect");
    expect(s.state.connect.error?.code).toBe("board-unplugged");
    expect(s.state.firmware.status).toBe("done");
    expect(await s.flash()).toBe(false);
    expect(s.state.flash.error?.code).toBe("step-not-ready");
  });
});

describe("re-verify from the device list", () => {
  it("checks the connected board is the record's board and holds the same certificate, then verifies", async () => {
    const jobs = scriptedJobs();
    const registry = new MemoryDeviceRegistry();
    const s = new PortalSession({ jobs, sources: [{ label: "Demo", manifestUrl: offer.manifestUrl }], registry });
    const record = {
      id: "24:6f:28:5a:3c:01",
      hostname: "pyDirect-5a3c01",
      chip: "ESP32-S3",
      mac: board.mac,
      firmwareVersion: "0.1.0",
      certFingerprint: "AA:01",
      provisionedAt: "2026-01-01T00:00:00.000Z",
    };
    expect(await s.reverify(record)).toBe(false);
    expect(s.state.verify.error?.message).toMatch(/Connect pyDirect-5a3c01 first/);

    await registry.put(record);
    await s.connect({ port: vb().port, label: "A", virtual: true });
    expect(await s.reverify(record)).toBe(true);
    expect(jobs.calls.slice(-2)).toEqual(["read-provisioned", "verify"]);
    const stored = await registry.get(record.id);
    expect(stored?.lastVerification?.passed).toBe(true);
    // Same certificate: still the board provisioned on 1 January.
    expect(stored?.provisionedAt).toBe("2026-01-01T00:00:00.000Z");

    expect(await s.reverify({ ...record, id: "someone-else", hostname: "pyDirect-other" })).toBe(false);
    expect(s.state.verify.error?.code).toBe("other-board");
    expect(s.state.verify.error?.message).toContain("not pyDirect-other");
    expect(await s.reverify({ ...record, certFingerprint: "FF:FF" })).toBe(false);
    expect(s.state.verify.error?.code).toBe("certificate-changed");
  });
});

describe("decideErase", () => {
  it("decides as ESP Web Tools does, and the user can override", () => {
    expect(decideErase({ ...board, firmware: { name: "pyDirect demo", version: "0.0.9" } }, offer).reason).toBe(
      "update-same-firmware",
    );
    expect(decideErase({ ...board, firmware: { name: "pyDirect demo", version: "0.0.9" } }, offer).erase).toBe(false);
    expect(decideErase(board, offer)).toMatchObject({ erase: true, reason: "new-install" });
    // The board reports the image's project name; the manifest a display name. Same version: already installed.
    expect(decideErase({ ...board, firmware: { name: "pyDirect", version: "0.1.0" } }, offer)).toMatchObject({
      erase: false,
      reason: "already-installed",
    });
    expect(decideErase({ ...board, firmware: { name: "pyDirect", version: "v0.1.0" } }, offer).reason).toBe(
      "already-installed",
    );
    expect(decideErase({ ...board, firmware: { name: "pyDir", version: "0.1.0" } }, offer).reason).toBe("new-install");
    expect(decideErase({ ...board, firmware: { name: "", version: "" } }, offer).reason).toBe("new-install");
    expect(decideErase(board, { ...offer, promptErase: true })).toMatchObject({
      erase: false,
      reason: "new-install-ask",
    });
    expect(decideErase(board, { ...offer, skipErase: true })).toMatchObject({
      erase: false,
      reason: "manifest-skips-erase",
    });
  });
});

describe("what is on the board picks the default (issue 12, deliverable 5)", () => {
  const on = (name: string, version: string): BoardSummary => ({ ...board, firmware: { name, version } });
  const pyDirect = (version: string): FirmwareOffer => ({ ...offer, name: "pyDirect ESP32_S3", version });
  it("orders versions, not names: 0.10.0 is newer than 0.9.1, a release newer than its betas", () => {
    expect(decideErase(on("pyDirect", "0.9.1"), pyDirect("0.10.0")).reason).toBe("update-same-firmware");
    expect(decideErase(on("pyDirect", "0.10.0"), pyDirect("0.9.1")).reason).toBe("downgrade-same-firmware");
    expect(decideErase(on("pyDirect", "v1.0.0-beta.2"), pyDirect("1.0.0")).reason).toBe("update-same-firmware");
    expect(decideErase(on("pyDirect", "1.0.0"), pyDirect("v1.0.0-beta.2")).reason).toBe("downgrade-same-firmware");
    expect(decideErase(on("pyDirect", "1.0.0"), pyDirect("v1.0.0")).reason).toBe("already-installed");
    // Updates and downgrades of the same project keep the board's settings.
    expect(decideErase(on("pyDirect", "0.9.1"), pyDirect("0.10.0")).erase).toBe(false);
  });
  it("other firmware is a new install with the erase prompt", () => {
    expect(decideErase(on("micropython", "1.24.0"), pyDirect("0.10.0"))).toMatchObject({
      erase: true,
      reason: "new-install",
    });
    expect(decideErase(on("arduino-lib-builder", "v5.1"), { ...pyDirect("0.10.0"), promptErase: true })).toMatchObject({
      erase: false,
      reason: "new-install-ask",
    });
  });
  it("a version that cannot be ordered is an update, never 'already installed'", () => {
    expect(decideErase(on("pyDirect", "main-dirty"), pyDirect("0.10.0")).reason).toBe("update-same-firmware");
  });
});
