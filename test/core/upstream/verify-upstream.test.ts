/**
 * Verification of a board with upstream-shaped scripts once it is on the network: HTTPS signaling
 * in upstream's `POST /webrtc/offer` shape to the board's own server, its certificate pinned to the
 * one provisioning installed, a werift peer on the portal's side and the virtual `webrtc` module on
 * the board's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { provisionDevice, type ProvisionResult } from "../../../src/core/provision";
import { parseStatus, STATUS_PATH } from "../../../src/core/signaling";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { verifyOverHttps } from "../../../src/core/verify";
import { generateDeviceCertificate } from "../../../src/core/provision";
import type { VirtualBoard } from "../../../src/virtual-board";
import { WORKSHOP, servingPort, upstreamBoard } from "./upstream-board";

let board: VirtualBoard | undefined;
afterEach(() => {
  board?.unplug();
  board = undefined;
});

async function provisioned(): Promise<{ result: ProvisionResult; base: string }> {
  const started = await upstreamBoard();
  board = started.board;
  const result = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 });
  expect(result.wifi.state).toBe("connected");
  // The board's URL names its simulated Wi-Fi address; in Node its HTTPS server listens on loopback.
  return { result, base: `https://127.0.0.1:${await servingPort(started.https)}` };
}

describe("verifying an upstream-shaped board over HTTPS", () => {
  it("opens a DataChannel through /webrtc/offer, the key proven by the pinned certificate", async () => {
    const { result, base } = await provisioned();
    const transport = createPinnedHttpsTransport(base, { fingerprint: result.certFingerprint });
    const { report, channel } = await verifyOverHttps(transport, {
      backend: weriftPeerBackend,
      certificatePem: result.certificatePem,
      channelProtocol: "none",
      boardIp: result.wifi.state === "connected" ? result.wifi.ip : null,
    });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.map((c) => c.step)).toEqual(["signaling", "channel-open", "key"]);
    expect(report.proof).toBe("https-certificate");
    expect(report.diagnostics).toMatchObject({
      transport: "https",
      shape: "portal-offers",
      endpoint: base,
      stalledAt: null,
    });
    expect(report.diagnostics.deviceCandidates.length).toBeGreaterThan(0);
    expect(report.firmware).toBeNull();
    expect(channel).toBeNull();
    // Upstream's status endpoint answered in its own shape, and says the peer got that far.
    const status = parseStatus(await transport.request("GET", STATUS_PATH)) as { status?: string; started?: boolean };
    expect(status.started).toBe(true);
    expect(status.status).toMatch(/^STATE_/);
  }, 120_000);

  it("does not pass with the portal's verification protocol: the board's DataChannel does not speak it", async () => {
    const { result, base } = await provisioned();
    const transport = createPinnedHttpsTransport(base, { fingerprint: result.certFingerprint });
    const { report } = await verifyOverHttps(transport, {
      backend: weriftPeerBackend,
      certificatePem: result.certificatePem,
      callTimeoutMs: 1500,
    });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("identity");
  }, 120_000);

  it("refuses a board whose HTTPS certificate is not the provisioned one, sending it nothing", async () => {
    const { result, base } = await provisioned();
    const other = await generateDeviceCertificate({ hostname: result.hostname });
    const transport = createPinnedHttpsTransport(base, { fingerprint: other.fingerprint });
    const { report } = await verifyOverHttps(transport, {
      backend: weriftPeerBackend,
      certificatePem: other.certificatePem,
      channelProtocol: "none",
      readyTimeoutMs: 2000,
    });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("signaling");
    expect(report.checks[0].detail).toMatch(/fingerprint/);
  }, 120_000);

  it("waits for the endpoint while the board restarts, then gives up with the transport's reason", async () => {
    const id = await generateDeviceCertificate({ hostname: "pydirect-nowhere" });
    // A port nothing listens on: the wait runs out and the verification says the board is unreachable.
    const transport = createPinnedHttpsTransport("https://127.0.0.1:9", {
      fingerprint: id.fingerprint,
      timeoutMs: 500,
    });
    const started = Date.now();
    const { report } = await verifyOverHttps(transport, {
      backend: weriftPeerBackend,
      certificatePem: id.certificatePem,
      channelProtocol: "none",
      readyTimeoutMs: 1500,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("signaling");
    expect(report.checks[0].detail).toMatch(/could not reach/);
  }, 30_000);
});
