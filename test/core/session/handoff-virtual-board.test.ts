/**
 * The hand-off with the real cores on the virtual board (MicroPython, the device scripts, werift
 * on both ends, the board's HTTPS server): the session keeps the DataChannel after verification,
 * a line of Python round-trips through it, and "connect again" goes over pinned HTTPS for a board
 * on the network, or over serial for the in-page virtual board.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { PortalSession } from "../../../src/core/session/portal-session";
import { VIRTUAL_BOARD_NO_NETWORK } from "../../../src/core/session/connect-again";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import type { VirtualBoard } from "../../../src/virtual-board";
import { WORKSHOP, pyDirectBoard } from "../verify/pydirect-board";

let session: PortalSession | null = null;
let board: VirtualBoard | null = null;
afterEach(() => {
  session?.closeConsole();
  session = null;
  board?.unplug();
  board = null;
});

async function provisionedSession(virtual: boolean) {
  const started = await pyDirectBoard();
  board = started.board;
  const registry = new MemoryDeviceRegistry();
  const loopback = { port: 0 };
  const jobs = createPortalJobs({
    registry,
    peerBackend: weriftPeerBackend,
    wifiTimeoutMs: 20_000,
    // The board's URL names its simulated Wi-Fi address; in Node its HTTPS server listens on loopback.
    httpsTransport: (_url, record) =>
      createPinnedHttpsTransport(`https://127.0.0.1:${loopback.port}`, { fingerprint: record.certFingerprint }),
  });
  const s = new PortalSession({ jobs, sources: [], registry });
  session = s;
  if (!(await s.connect({ port: started.board.port, label: virtual ? "Virtual ESP32-S3" : "USB serial", virtual })))
    throw s.state.connect.error ?? new Error("connect failed without an error");
  s.skipFlash();
  s.setWifi(WORKSHOP);
  if (!(await s.provision())) throw s.state.provision.error ?? new Error("provision failed without an error");
  if (!started.status.some((e) => e.event === "webrtc"))
    await started.app.waitForStatus((e) => e.event === "webrtc", 20_000);
  return { s, registry, https: started.https, loopback };
}

describe("hand-off on the virtual board with the real cores", () => {
  it("keeps the channel after verify, runs print(6*7) on the board, records the certificate, and connects again over pinned HTTPS", async () => {
    const { s, registry, https, loopback } = await provisionedSession(false);
    loopback.port = await https.listening();
    if (!(await s.verify())) throw s.state.verify.error ?? new Error("verify failed without an error");
    const prov = s.state.provision.result!;
    expect(s.state.handoff).toMatchObject({
      hostname: prov.hostname,
      transport: "serial",
      console: "open",
      deviceUrl: `https://${prov.address}`,
    });

    expect(await s.execLine("print(6*7)")).toBe(true);
    expect(s.state.handoff?.entries.at(-1)).toEqual({ input: "print(6*7)", output: "42\n", error: null });
    expect(await s.execLine("1/0")).toBe(false);
    expect(s.state.handoff?.entries.at(-1)?.error).toMatch(/ZeroDivisionError/);

    const record = (await registry.get(prov.deviceId))!;
    expect(record.certificatePem).toBe(prov.certificatePem);
    expect(JSON.stringify(await registry.list())).not.toMatch(/PRIVATE KEY|correct horse/);

    if (!(await s.connectAgain(record))) throw s.state.verify.error ?? new Error("verify failed without an error");
    expect(s.state.handoff).toMatchObject({ transport: "https", console: "locked" });
    expect(s.state.handoff?.trust?.fingerprint).toBe(record.certFingerprint);
    expect(await s.execLine("print(6*7)")).toBe(false);
    expect(s.state.handoff?.error?.code).toBe("console-locked");
    expect(await s.unlockConsole("not-the-password")).toBe(false);
    expect(s.state.handoff?.error?.message).toMatch(/refused the password/);
    const password = prov.webreplPassword!.reveal();
    expect(await s.unlockConsole(password)).toBe(true);
    expect(await s.execLine("print(6*7)")).toBe(true);
    expect(s.state.handoff?.entries.at(-1)?.output).toBe("42\n");
    expect(JSON.stringify(s.state) + s.log.toText()).not.toContain(password);

    s.show("provision");
    expect(s.state.handoff?.console).toBe("closed");
  }, 180_000);

  it("connects again to the in-page virtual board over serial, saying why", async () => {
    const { s, registry } = await provisionedSession(true);
    if (!(await s.verify())) throw s.state.verify.error ?? new Error("verify failed without an error");
    expect(s.state.handoff?.serialReason).toBe(VIRTUAL_BOARD_NO_NETWORK);
    const record = (await registry.get(s.state.provision.result!.deviceId))!;
    if (!(await s.connectAgain(record))) throw s.state.verify.error ?? new Error("verify failed without an error");
    expect(s.state.handoff).toMatchObject({
      transport: "serial",
      console: "open",
      serialReason: VIRTUAL_BOARD_NO_NETWORK,
    });
    expect(await s.execLine("print(6*7)")).toBe(true);
    expect(s.state.handoff?.entries.at(-1)?.output).toBe("42\n");
  }, 180_000);
});
