import { afterEach, describe, expect, it } from "vitest";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { SignalingError, STATUS_PATH, OFFER_PATH, parseStatus } from "../../../src/core/signaling";
import { connectAgain, deviceUrl, recordVerification, verifyDevice } from "../../../src/core/verify";
import type { DeviceRecord } from "../../../src/core/registry/device-record";
import { startMicroPythonDevice, type MicroPythonDevice } from "../../virtual-board/webrtc/micropython-device";
import { provisionedIdentity } from "../verify/fixtures";

let device: MicroPythonDevice | null = null;
afterEach(async () => {
  await device?.stop();
  device = null;
});

const CONSOLE_PASSWORD = "tangerine-otter-42";

async function httpsDevice() {
  const id = await provisionedIdentity();
  device = await startMicroPythonDevice({
    certPem: id.certPem,
    keyPem: id.keyPem,
    https: true,
    consolePassword: CONSOLE_PASSWORD,
  });
  const port = await device.https!.listening;
  return { id, base: `https://127.0.0.1:${port}` };
}

describe("HTTPS signaling to the board's own endpoint, certificate pinned", () => {
  for (const shape of ["portal-offers", "device-offers"] as const) {
    it(`verifies over ${shape} with the installed certificate served by the board`, async () => {
      const { id, base } = await httpsDevice();
      const transport = createPinnedHttpsTransport(base, { fingerprint: id.fingerprint });
      const { report } = await verifyDevice({
        transport,
        backend: weriftPeerBackend,
        shape,
        certificatePem: id.certPem,
        echoCount: 3,
      });
      expect(report.checks.filter((c) => !c.passed)).toEqual([]);
      expect(report.passed).toBe(true);
      expect(report.diagnostics.transport).toBe("https");
      expect(report.diagnostics.endpoint).toBe(base);
      const status = parseStatus(await transport.request("GET", STATUS_PATH));
      expect(status.hostname).toBe(id.hostname);
    });
  }

  it("refuses a board whose certificate does not match the pinned fingerprint, sending it nothing", async () => {
    const { id, base } = await httpsDevice();
    const other = await provisionedIdentity();
    const transport = createPinnedHttpsTransport(base, { fingerprint: other.fingerprint });
    const error = await transport.request("POST", OFFER_PATH, { sdp: "v=0" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalingError);
    expect((error as SignalingError).code).toBe("certificate-mismatch");
    expect((error as SignalingError).message).toContain(id.fingerprint);
    const { report } = await verifyDevice({ transport, backend: weriftPeerBackend, certificatePem: other.certPem });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("signaling");
    expect(report.checks[0].detail).toMatch(/fingerprint/);
    // No request reached the board's handler: it never created a peer.
    expect(device!.peers.size).toBe(0);
  });

  it("answers malformed requests with a specific error the portal reports", async () => {
    const { id, base } = await httpsDevice();
    const transport = createPinnedHttpsTransport(base, { fingerprint: id.fingerprint });
    expect(await transport.request("POST", OFFER_PATH, { sdp: "hello" })).toEqual({
      error: "missing or malformed sdp",
    });
    expect(await transport.request("POST", "/webrtc-signal", { type: "answer", sdp: "v=0" })).toMatchObject({
      error: "ask for an offer first",
    });
    expect(await transport.request("POST", "/webrtc-signal", { type: "dance" })).toMatchObject({
      error: "ask for an offer first",
    });
    expect(await transport.request("GET", "/nope")).toMatchObject({
      error: expect.stringContaining("no such endpoint"),
    });
  });

  it("connects again later over HTTPS and hands the record its verification", async () => {
    const { id, base } = await httpsDevice();
    const record: DeviceRecord = {
      id: "246f285a3c01",
      hostname: id.hostname,
      chip: "ESP32-S3",
      mac: "24:6f:28:5a:3c:01",
      firmwareVersion: null,
      certFingerprint: id.fingerprint,
      provisionedAt: new Date().toISOString(),
    };
    const transport = createPinnedHttpsTransport(base, { fingerprint: record.certFingerprint });
    const { report, channel, peer } = await connectAgain(record, {
      transport,
      backend: weriftPeerBackend,
      certificatePem: id.certPem,
    });
    expect(report.passed).toBe(true);
    // Signaled over the network: the console stays locked until the WebREPL password unlocks it.
    expect(report.console).toBe("locked");
    await expect(channel!.exec("2 ** 10")).rejects.toThrow(/console is locked/);
    await expect(channel!.unlock("guess")).rejects.toThrow(/wrong password/);
    await channel!.unlock(CONSOLE_PASSWORD);
    expect(await channel!.exec("2 ** 10")).toEqual({ output: "1024\n", error: null });
    channel!.close();
    peer!.close();
    const updated = recordVerification(record, report);
    expect(updated.firmwareVersion).toBe("0.1.0");
    expect(updated.lastVerification).toMatchObject({
      passed: true,
      summary: expect.stringContaining("verified over WebRTC"),
    });
    expect(deviceUrl(record)).toBe("https://pydirect-5a3c01.local");
    expect(deviceUrl(record, "192.168.4.23")).toBe("https://192.168.4.23");
  });
});
