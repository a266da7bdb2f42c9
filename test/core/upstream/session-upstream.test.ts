/**
 * The portal session with the real cores on a board running upstream-shaped scripts: provisioning
 * reads the Wi-Fi outcome over the REPL, and verification, which cannot signal over serial there,
 * goes over pinned HTTPS to the board's own `/webrtc/offer` instead of failing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { PortalSession } from "../../../src/core/session/portal-session";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import type { VirtualBoard } from "../../../src/virtual-board";
import { FROZEN_DEVICE_FILES } from "../../../src/virtual-board/micropython/frozen-device.generated";
import { WORKSHOP, servingPort, upstreamBoard } from "./upstream-board";

let session: PortalSession | null = null;
let board: VirtualBoard | null = null;
afterEach(() => {
  session?.closeConsole();
  session = null;
  board?.unplug();
  board = null;
});

/** A session with the real cores; HTTPS goes to the board's loopback server, pinned. */
function sessionFor(registry: MemoryDeviceRegistry, urls: string[]) {
  const loopback = { port: 0 };
  const jobs = createPortalJobs({
    registry,
    peerBackend: weriftPeerBackend,
    wifiTimeoutMs: 20_000,
    // The board's URL names its simulated Wi-Fi address; in Node its HTTPS server listens on loopback.
    // The session asks for the transport when provisioning ends (does it pin?), before the board's
    // server listens here, so each request goes to the port known by then.
    httpsTransport: (url, record) => {
      urls.push(url);
      const pinned = () =>
        createPinnedHttpsTransport(`https://127.0.0.1:${loopback.port}`, { fingerprint: record.certFingerprint });
      return { ...pinned(), request: (method, path, body, signal) => pinned().request(method, path, body, signal) };
    },
  });
  session = new PortalSession({ jobs, sources: [], registry });
  return { s: session, loopback };
}

describe("a session on a board with upstream-shaped scripts", () => {
  it("provisions, then verifies over pinned HTTPS with upstream's /webrtc/offer, leaving no secret in state or log", async () => {
    const started = await upstreamBoard();
    board = started.board;
    const registry = new MemoryDeviceRegistry();
    const urls: string[] = [];
    const { s, loopback } = sessionFor(registry, urls);
    if (!(await s.connect({ port: board.port, label: "USB serial", virtual: false })))
      throw s.state.connect.error ?? new Error("connect failed without an error");
    s.skipFlash();
    s.setWifi(WORKSHOP);
    if (!(await s.provision())) throw s.state.provision.error ?? new Error("provision failed without an error");
    const prov = s.state.provision.result!;
    expect(prov.deviceScripts).toEqual({ kind: "pydirect-upstream", serialSignaling: false });
    expect(prov.address).toBe("192.168.4.23");
    // The pinned transport checks the certificate itself: no trust step for the user.
    expect(s.state.verify.trust).toBeNull();

    loopback.port = await servingPort(started.https);
    if (!(await s.verify())) throw s.state.verify.error ?? new Error("verify failed without an error");
    expect(urls).toEqual(["https://192.168.4.23"]);
    expect(s.state.verify.result).toMatchObject({ ok: true, detail: expect.stringContaining("https signaling") });
    expect(s.state.verify.result?.detail).toContain("pinned HTTPS certificate");
    // The password provisioning just set logged in over WBP and ran an expression.
    expect(s.state.verify.result?.detail).toMatch(/^REPL over WebRTC works \(round trip \d+\.\d ms\)/);
    expect(s.state.verify.result?.roundTripMs).toBeGreaterThan(0);
    // No live console: upstream's DataChannel does not carry the portal's console protocol.
    expect(s.state.handoff).toMatchObject({ transport: "https", console: "closed", deviceUrl: "https://192.168.4.23" });
    expect(s.state.handoff?.trust?.fingerprint).toBe(prov.certFingerprint);

    const record = (await registry.get(prov.deviceId))!;
    expect(record.lastVerification).toMatchObject({ passed: true });
    expect(record.deviceScripts).toBe("pydirect-upstream");

    // "Connect again" from the device list checks the same way: channel and pinned certificate.
    if (!(await s.connectAgain(record))) throw s.state.verify.error ?? new Error("verify failed without an error");
    expect(s.state.verify.result?.detail).toContain("pinned HTTPS certificate");
    expect(s.state.handoff).toMatchObject({ transport: "https", console: "closed" });
    const password = prov.webreplPassword!.reveal();
    const everything = JSON.stringify(s.state) + s.log.toText() + JSON.stringify(await registry.list());
    for (const secret of [WORKSHOP.password, password, "PRIVATE KEY"]) expect(everything).not.toContain(secret);
  }, 180_000);

  it("verifies our own scripts without the serial helper (an older build) over HTTPS, with the verification protocol", async () => {
    // Our device scripts as an older image had them: status lines, but signaling only over HTTP.
    const signaling = FROZEN_DEVICE_FILES["/lib/sys/webrtc_signaling.py"];
    expect(signaling).toContain("def serial_request(");
    const older = {
      ...FROZEN_DEVICE_FILES,
      "/lib/sys/webrtc_signaling.py": signaling.replace(/^def serial_(request|poll)\(/gm, "def _retired_$1("),
    };
    const started = await upstreamBoard({ frozenFiles: older });
    board = started.board;
    const registry = new MemoryDeviceRegistry();
    const urls: string[] = [];
    const { s, loopback } = sessionFor(registry, urls);
    if (!(await s.connect({ port: board.port, label: "USB serial", virtual: false })))
      throw s.state.connect.error ?? new Error("connect failed without an error");
    s.skipFlash();
    s.setWifi(WORKSHOP);
    if (!(await s.provision())) throw s.state.provision.error ?? new Error("provision failed without an error");
    expect(s.state.provision.result?.deviceScripts).toEqual({ kind: "pydirect", serialSignaling: false });
    loopback.port = await servingPort(started.https);
    if (!(await s.verify())) throw s.state.verify.error ?? new Error("verify failed without an error");
    expect(s.state.verify.result?.detail).toMatch(/https signaling.*DTLS certificate/);
    // The verification protocol ran, so the live console is there; signaled over the network, it starts locked.
    expect(s.state.handoff).toMatchObject({ transport: "https", console: "locked" });
  }, 180_000);
});
