import { afterEach, describe, expect, it, vi } from "vitest";
import { SecretText } from "../../../src/core/provision/secret";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { sanitizeDeviceRecord, type DeviceRecord } from "../../../src/core/registry/device-record";
import { connectAgainRoute, VIRTUAL_BOARD_NO_NETWORK } from "../../../src/core/session/connect-again";
import type { ConnectAgainRequest, PortalJobs } from "../../../src/core/session/jobs";
import type { LiveConsole } from "../../../src/core/session/live-console";
import { PortalSession } from "../../../src/core/session/portal-session";
import type { BoardSummary, FirmwareOffer } from "../../../src/core/session/session-types";
import { VirtualBoard } from "../../../src/virtual-board";

// The hand-off's sequencing with scripted jobs and a scripted console: what the session keeps,
// closes and records. The real cores on the virtual board: handoff-virtual-board.test.ts.

const board: BoardSummary = {
  chip: "ESP32-S3",
  description: "ESP32-S3",
  mac: "24:6f:28:5a:3c:01",
  flashSize: 8 << 20,
  usbSerialJtag: false,
  firmware: null,
};
const offer: FirmwareOffer = {
  manifestUrl: "/m.json",
  name: "pyDirect",
  version: "0.1.0",
  channel: "stable",
  releaseNotes: null,
  chipFamilies: ["ESP32-S3"],
  promptErase: false,
  skipErase: false,
};
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const WEBREPL = "otter-tangerine-7";

/** A console that evaluates `a*b` and knows one password, as the board's verify service does. */
function scriptedConsole(
  transport: "serial" | "https",
  locked: boolean,
): LiveConsole & { closedCount: number; drop(): void } {
  let isLocked = locked;
  let open = true;
  const listeners: (() => void)[] = [];
  const finish = () => {
    if (!open) return;
    open = false;
    listeners.forEach((l) => l());
  };
  return {
    transport,
    closedCount: 0,
    get locked() {
      return isLocked;
    },
    get isOpen() {
      return open;
    },
    async exec(line) {
      if (isLocked) throw new Error("console is locked");
      const m = /^print\((\d+)\*(\d+)\)$/.exec(line);
      return m
        ? { output: `${Number(m[1]) * Number(m[2])}\n`, error: null }
        : { output: "", error: "SyntaxError: invalid syntax" };
    },
    async unlock(password) {
      if (password !== WEBREPL) throw new Error("The board reported: wrong password");
      isLocked = false;
    },
    onClosed(l) {
      listeners.push(l);
    },
    close() {
      this.closedCount++;
      finish();
    },
    drop: finish,
  };
}

function jobs(consoles: ReturnType<typeof scriptedConsole>[], againCalls: ConnectAgainRequest[] = []): PortalJobs {
  return {
    inspect: async () => board,
    loadFirmware: async () => [offer],
    install: async () => {},
    provision: async () => ({
      deviceId: "246f285a3c01",
      hostname: "pyDirect-5a3c01",
      deviceName: "",
      certFingerprint: "AB:CD",
      certificatePem: PEM,
      webreplPassword: new SecretText(WEBREPL),
      address: "192.168.4.23",
    }),
    readProvisioned: async () => ({
      deviceId: "246f285a3c01",
      hostname: "pyDirect-5a3c01",
      deviceName: "",
      certFingerprint: "AB:CD",
      certificatePem: PEM,
      webreplPassword: null,
      address: null,
    }),
    verify: async () => {
      const live = scriptedConsole("serial", false);
      consoles.push(live);
      return { ok: true, roundTripMs: 1, detail: "verified over WebRTC", live };
    },
    connectAgain: async (_record, request) => {
      againCalls.push(request);
      const live = scriptedConsole("https", true);
      consoles.push(live);
      return { ok: true, roundTripMs: 1, detail: "verified over WebRTC", live };
    },
  };
}

async function verifiedSession(
  virtual: boolean,
  consoles: ReturnType<typeof scriptedConsole>[],
  againCalls?: ConnectAgainRequest[],
) {
  const registry = new MemoryDeviceRegistry();
  const s = new PortalSession({
    jobs: jobs(consoles, againCalls),
    sources: [{ label: "x", manifestUrl: offer.manifestUrl }],
    registry,
  });
  await s.connect({ port: new VirtualBoard({ chip: "ESP32-S3" }).port, label: "board", virtual });
  s.setWifi({ ssid: "Workshop", password: "wifi-secret-1" });
  expect(await s.provision()).toBe(true);
  expect(await s.verify()).toBe(true);
  return { s, registry };
}

describe("hand-off after a pass", () => {
  it("keeps the channel, runs lines on it, and closes it when the user leaves the step or takes the next board", async () => {
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const { s } = await verifiedSession(false, consoles);
    expect(s.state.handoff).toMatchObject({
      hostname: "pyDirect-5a3c01",
      deviceUrl: "https://192.168.4.23",
      transport: "serial",
      console: "open",
      serialReason: null,
    });
    expect(s.state.handoff?.trust).toMatchObject({ url: "https://192.168.4.23/", fingerprint: "AB:CD" });
    expect(JSON.stringify(s.state.verify.result)).not.toContain("live");

    expect(await s.execLine("print(6*7)")).toBe(true);
    expect(await s.execLine("print(6*")).toBe(false);
    expect(s.state.handoff?.entries).toEqual([
      { input: "print(6*7)", output: "42\n", error: null },
      { input: "print(6*", output: "", error: "SyntaxError: invalid syntax" },
    ]);
    expect(await s.execLine("   ")).toBe(false);
    expect(s.state.handoff?.entries).toHaveLength(2);

    s.show("provision");
    expect(consoles[0].closedCount).toBe(1);
    expect(s.state.handoff?.console).toBe("closed");
    expect(await s.execLine("print(1*1)")).toBe(false);
    expect(s.state.handoff?.error?.code).toBe("console-closed");

    s.show("verify");
    expect(await s.verify()).toBe(true);
    expect(s.state.handoff?.console).toBe("open");
    s.nextBoard();
    expect(consoles[1].closedCount).toBe(1);
    expect(s.state.handoff).toBeNull();
  });

  it("says the console closed when the board drops the channel", async () => {
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const { s } = await verifiedSession(false, consoles);
    consoles[0].drop();
    expect(s.state.handoff?.console).toBe("closed");
    expect(s.log.toText()).toContain("DataChannel to the board closed");
  });

  it("connects again over HTTPS to the board's URL; the console stays locked until the WebREPL password", async () => {
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const calls: ConnectAgainRequest[] = [];
    const { s, registry } = await verifiedSession(false, consoles, calls);
    const record = (await registry.get("246f285a3c01"))!;
    expect(record.certificatePem).toBe(PEM);

    expect(await s.connectAgain(record)).toBe(true);
    expect(consoles[0].closedCount).toBe(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ baseUrl: "https://192.168.4.23", certificatePem: PEM });
    expect(s.state.handoff).toMatchObject({ transport: "https", console: "locked", deviceUrl: "https://192.168.4.23" });

    expect(await s.execLine("print(6*7)")).toBe(false);
    expect(s.state.handoff?.error?.code).toBe("console-locked");
    expect(await s.unlockConsole("")).toBe(false);
    expect(s.state.handoff?.error?.message).toMatch(/Enter the board's WebREPL password/);
    expect(await s.unlockConsole("wrong-guess-99")).toBe(false);
    expect(s.state.handoff?.error?.code).toBe("console-unlock-failed");
    expect(s.state.handoff?.error?.message).toMatch(/5 wrong tries/);
    expect(await s.unlockConsole(WEBREPL)).toBe(true);
    expect(s.state.handoff?.console).toBe("open");
    expect(await s.execLine("print(6*7)")).toBe(true);
    // The password reached the console only: not state, not the log.
    expect(JSON.stringify(s.state) + s.log.toText()).not.toContain(WEBREPL);
    expect(JSON.stringify(s.state) + s.log.toText()).not.toContain("wrong-guess-99");
    expect((await registry.get(record.id))?.lastVerification?.passed).toBe(true);
  });

  it("falls back to serial signaling for the in-page virtual board and says why", async () => {
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const calls: ConnectAgainRequest[] = [];
    const { s, registry } = await verifiedSession(true, consoles, calls);
    expect(s.state.handoff?.serialReason).toBe(VIRTUAL_BOARD_NO_NETWORK);
    expect(s.state.handoff?.trust).toBeNull();
    const record = (await registry.get("246f285a3c01"))!;
    expect(await s.connectAgain(record)).toBe(true);
    expect(calls).toHaveLength(0);
    expect(s.state.handoff).toMatchObject({
      transport: "serial",
      console: "open",
      serialReason: VIRTUAL_BOARD_NO_NETWORK,
    });
    expect(s.log.toText()).toContain("Connect again over serial");
  });

  it("refuses to connect again without a certificate, with a sentence saying what to do", async () => {
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const s = new PortalSession({ jobs: jobs(consoles), sources: [] });
    const old: DeviceRecord = {
      id: "246f28000001",
      hostname: "pyDirect-000001",
      chip: "ESP32",
      mac: "24:6f:28:00:00:01",
      firmwareVersion: null,
      certFingerprint: "EF:01",
      provisionedAt: "2026-01-01T00:00:00Z",
    };
    expect(await s.connectAgain(old)).toBe(false);
    expect(s.state.verify.error?.message).toMatch(/no certificate for pyDirect-000001.*Re-verify/);
    expect(consoles).toHaveLength(0);
  });
});

describe("connect-again route and the record's certificate", () => {
  it("chooses HTTPS to the board's IP (or its mDNS name) with the trust step, and serial for the virtual board", async () => {
    const record = { hostname: "pyDirect-5A3C01", certFingerprint: "AB:CD" };
    const https = await connectAgainRoute(record, { virtualPort: false, boardIp: "10.0.0.5" });
    expect(https).toMatchObject({
      kind: "https",
      url: "https://10.0.0.5",
      trust: { url: "https://10.0.0.5/", fingerprint: "AB:CD" },
    });
    expect(await connectAgainRoute(record, { virtualPort: false })).toMatchObject({
      kind: "https",
      url: "https://pydirect-5a3c01.local",
    });
    expect(await connectAgainRoute(record, { virtualPort: true, boardIp: "10.0.0.5" })).toEqual({
      kind: "serial",
      url: "https://10.0.0.5",
      reason: VIRTUAL_BOARD_NO_NETWORK,
    });
  });

  it("stores the public certificate and drops anything holding a private key", () => {
    const base: DeviceRecord = {
      id: "a",
      hostname: "h",
      chip: "c",
      mac: "m",
      firmwareVersion: null,
      certFingerprint: "f",
      provisionedAt: "t",
    };
    expect(sanitizeDeviceRecord({ ...base, certificatePem: PEM }).certificatePem).toBe(PEM);
    const smuggled = PEM + "-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n";
    expect(sanitizeDeviceRecord({ ...base, certificatePem: smuggled })).not.toHaveProperty("certificatePem");
    expect(sanitizeDeviceRecord({ ...base, certificatePem: "not a certificate" })).not.toHaveProperty("certificatePem");
  });
});

describe("connect again under Local Network Access", () => {
  afterEach(() => vi.unstubAllGlobals());

  /** The browser's Permissions API as Chrome 145+ answers for the board's private address. */
  function localNetwork(state: () => string) {
    vi.stubGlobal("navigator", {
      permissions: {
        query: async ({ name }: { name: string }) => {
          if (name !== "local-network") throw new TypeError(`unknown permission ${name}`);
          return { state: state() };
        },
      },
    });
  }

  it("from the device list: the first press explains and sends nothing, the next one connects", async () => {
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const calls: ConnectAgainRequest[] = [];
    const { s, registry } = await verifiedSession(false, consoles, calls);
    const record = (await registry.get("246f285a3c01"))!;
    s.nextBoard();
    let state = "prompt";
    localNetwork(() => state);

    expect(await s.connectAgainTo(record.id)).toBe(false);
    expect(calls).toHaveLength(0);
    expect(s.state.step).toBe("verify");
    expect(s.state.handoff).toMatchObject({
      deviceUrl: "https://pydirect-5a3c01.local",
      localNetwork: "prompt",
      console: "closed",
    });
    expect(s.log.toText()).toMatch(/will ask whether this site may reach devices on your local network/);

    state = "granted"; // the user answered Chrome's prompt with Allow
    expect(await s.connectAgainTo(record.id)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(s.state.handoff).toMatchObject({ transport: "https", localNetwork: "granted", console: "locked" });
  });

  it("right after a pass the hand-off has already explained it: the first press asks Chrome", async () => {
    localNetwork(() => "prompt");
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const calls: ConnectAgainRequest[] = [];
    const { s, registry } = await verifiedSession(false, consoles, calls);
    expect(s.state.handoff?.localNetwork).toBe("prompt");
    expect(await s.connectAgain((await registry.get("246f285a3c01"))!)).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it("denied: says how to allow it, sends nothing, and records no verdict on the board", async () => {
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const calls: ConnectAgainRequest[] = [];
    const { s, registry } = await verifiedSession(false, consoles, calls);
    const before = (await registry.get("246f285a3c01"))!;
    localNetwork(() => "denied");
    expect(await s.connectAgain(before)).toBe(false);
    expect(calls).toHaveLength(0);
    expect(s.state.verify.error).toMatchObject({ code: "local-network-denied", action: "none" });
    expect(s.state.verify.error?.message).toMatch(/site-settings icon.*Local network access.*Allow/);
    expect(s.state.handoff?.localNetwork).toBe("denied");
    expect((await registry.get(before.id))?.lastVerification).toEqual(before.lastVerification);
  });

  it("a browser without the permission (or a board on a public address) goes straight ahead", async () => {
    vi.stubGlobal("navigator", {});
    const consoles: ReturnType<typeof scriptedConsole>[] = [];
    const calls: ConnectAgainRequest[] = [];
    const { s, registry } = await verifiedSession(false, consoles, calls);
    expect(s.state.handoff?.localNetwork).toBe("unsupported");
    expect(await s.connectAgain((await registry.get("246f285a3c01"))!)).toBe(true);
    expect(calls).toHaveLength(1);
  });
});
