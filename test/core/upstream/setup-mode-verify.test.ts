/**
 * A board left in upstream's setup mode (provisioned elsewhere: Wi-Fi and certificate in place,
 * `setup_mode` true): its server is up over HTTPS but serves only the setup page, so verification
 * must say the board has no WebRTC endpoint and what to do, not "unreachable, trust the
 * certificate". Provisioning it with the portal ends setup mode; then it verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDeviceCertificate, provisionDevice } from "../../../src/core/provision";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { verifyOverHttps } from "../../../src/core/verify";
import { WORKSHOP, provisionedSettings, servingPort, upstreamBoard } from "./upstream-board";

let started: Awaited<ReturnType<typeof upstreamBoard>>;
let certificate: Awaited<ReturnType<typeof generateDeviceCertificate>>;
let setupPort = 0;

beforeAll(async () => {
  certificate = await generateDeviceCertificate({ hostname: "pydirect-3c01" });
  started = await upstreamBoard({
    files: {
      "/certs/servercert.pem": certificate.certificatePem,
      "/certs/prvtkey.pem": certificate.privateKeyPem.reveal(),
    },
    userSettings: provisionedSettings(true),
    connectDelayMs: 100,
  });
}, 60_000);
afterAll(() => started.board.unplug());

describe("a board in setup mode", () => {
  it("is reported as having no WebRTC endpoint, with the next step, not as unreachable", async () => {
    setupPort = await servingPort(started.https);
    const base = `https://127.0.0.1:${setupPort}`;
    const transport = createPinnedHttpsTransport(base, { fingerprint: certificate.fingerprint });
    const { report } = await verifyOverHttps(transport, {
      backend: weriftPeerBackend,
      certificatePem: certificate.certificatePem,
      channelProtocol: "wbp",
      webreplPassword: "s3cret-pw",
      readyTimeoutMs: 1500,
    });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("signaling");
    const detail = report.checks[0].detail;
    expect(detail).toMatch(/^The board's server has no WebRTC endpoint: .* answered \/webrtc\/offer with HTTP 404\./);
    expect(detail).toMatch(/setup mode/);
    expect(detail).toMatch(/Provision it again with this portal/);
    expect(detail).not.toMatch(/could not reach|trust/);
  }, 60_000);

  it("leaves setup mode when the portal provisions it, and then verifies with a WebREPL login", async () => {
    const result = await provisionDevice(started.board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 });
    expect(result.wifi.state).toBe("connected");
    // The server of the boot after the reset (the setup server's went with the reset).
    let port = await servingPort(started.https);
    for (let i = 0; port === setupPort && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      port = await servingPort(started.https);
    }
    const base = `https://127.0.0.1:${port}`;
    const transport = createPinnedHttpsTransport(base, { fingerprint: result.certFingerprint });
    const { report } = await verifyOverHttps(transport, {
      backend: weriftPeerBackend,
      certificatePem: result.certificatePem,
      channelProtocol: "wbp",
      webreplPassword: result.webreplPassword,
      readyTimeoutMs: 20_000,
    });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.checks.find((c) => c.step === "repl")?.detail).toMatch(/^REPL over WebRTC works/);
  }, 90_000);
});
