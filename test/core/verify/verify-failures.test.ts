import { afterEach, describe, expect, it } from "vitest";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { VerifyError, verifyDevice } from "../../../src/core/verify";
import { startMicroPythonDevice, type MicroPythonDevice } from "../../virtual-board/webrtc/micropython-device";
import { endlessGatheringBackend, noPathBackend, ownCertificateBackend } from "./backends";
import { provisionedIdentity, verifySerially } from "./fixtures";

let device: MicroPythonDevice | null = null;
afterEach(async () => {
  await device?.stop();
  device = null;
});

describe("verifyDevice failure reports", () => {
  it("reports a board that never joined Wi-Fi as a signaling failure, not a pass", async () => {
    const id = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem, wifiConnected: false });
    const { report, channel } = await verifySerially(device, id.certPem, { keepOpen: true });
    expect(report.passed).toBe(false);
    expect(channel).toBeNull();
    expect(report.diagnostics.stalledAt).toBe("signaling");
    expect(report.checks.at(-1)).toMatchObject({ step: "signaling", passed: false });
    expect(report.checks.at(-1)!.detail).toMatch(/not connected to Wi-Fi/);
    expect(report.openMs).toBeNull();
  });

  it("reports a DataChannel that never opens with the candidates and ICE states reached", async () => {
    const id = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem, backend: noPathBackend });
    const { report } = await verifySerially(device, id.certPem, { boardIp: "192.168.4.23", openTimeoutMs: 4_000 });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("channel-open");
    const failed = report.checks.find((c) => !c.passed)!;
    expect(failed.detail).toMatch(/did not open within 4000 ms/);
    expect(report.diagnostics.boardIp).toBe("192.168.4.23");
    expect(report.diagnostics.portalCandidates.length).toBeGreaterThan(0);
    expect(report.diagnostics.deviceCandidates.every((c) => c.includes("203.0.113.77"))).toBe(true);
    expect(report.diagnostics.statesReached.ice).toContain("checking");
    expect(report.diagnostics.statesReached.connection).not.toContain("connected");
    expect(report.rtt).toBeNull();
    expect(report.proof).toBeNull();
  });

  it("fails the key check when the board still holds an old certificate and key", async () => {
    const provisioned = await provisionedIdentity();
    const leftOver = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: leftOver.certPem, keyPem: leftOver.keyPem });
    const { report } = await verifySerially(device, provisioned.certPem, { echoCount: 2 });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("key");
    expect(report.proof).toBe("nonce-signature");
    expect(report.diagnostics.deviceFingerprint).toBe(`sha-256 ${leftOver.fingerprint}`);
    expect(report.diagnostics.certificateFingerprint).toBe(provisioned.fingerprint);
    expect(report.checks.find((c) => c.step === "key")!.detail).toMatch(/does not match the provisioned certificate/);
    // The steps before the key check did run and pass: the failure is specific.
    expect(report.checks.filter((c) => c.passed).map((c) => c.step)).toEqual([
      "signaling",
      "channel-open",
      "identity",
      "echo",
    ]);
  });

  it("fails the identity check when another board answers", async () => {
    const id = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem, hostname: "pyDirect-999999" });
    const { report } = await verifySerially(device, id.certPem, { expect: { hostname: "pyDirect-5a3c01" } });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("identity");
  });

  it("proves the key by signed nonce where the stack picks its own DTLS certificate", async () => {
    const id = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem, backend: ownCertificateBackend });
    const { report } = await verifySerially(device, id.certPem, { echoCount: 3 });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.proof).toBe("nonce-signature");
    expect(report.diagnostics.deviceFingerprint).not.toBe(`sha-256 ${id.fingerprint}`);
  });

  it("reports a cancelled verification as a failure, never a pass", async () => {
    const id = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem });
    const { report } = await verifySerially(device, id.certPem, { signal: AbortSignal.abort() });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("signaling");
    expect(report.checks.at(-1)!.detail).toMatch(/cancelled/);
  });

  it("refuses a certificate that is not PEM before touching the board", async () => {
    const calls: string[] = [];
    await expect(
      verifyDevice({
        transport: { kind: "serial", endpoint: "serial", request: async (_m, p) => (calls.push(p), {}) },
        backend: weriftPeerBackend,
        certificatePem: "not a certificate",
      }),
    ).rejects.toBeInstanceOf(VerifyError);
    expect(calls).toEqual([]);
  });
});

describe("a board whose candidate gathering never completes", () => {
  it("answers after the 2 s gathering limit with the candidates it has, and verifies", async () => {
    const id = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem, backend: endlessGatheringBackend });
    const started = performance.now();
    const { report } = await verifySerially(device, id.certPem, { echoCount: 1 });
    expect(report.passed).toBe(true);
    expect(report.openMs!).toBeGreaterThanOrEqual(1_900);
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

describe("the live console over the open DataChannel", () => {
  it("runs lines of Python on the board and returns output and errors", async () => {
    const id = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem });
    const { report, channel, peer } = await verifySerially(device, id.certPem, { keepOpen: true, echoCount: 1 });
    expect(report.passed).toBe(true);
    expect(report.console).toBe("open");
    expect(channel).not.toBeNull();
    expect(await channel!.exec("1 + 1")).toEqual({ output: "2\n", error: null });
    expect(await channel!.exec("x = 21")).toEqual({ output: "", error: null });
    expect(await channel!.exec("print('twice', x * 2)")).toEqual({ output: "twice 42\n", error: null });
    expect(await channel!.exec("y = x + 1; y * 2")).toEqual({ output: "44\n", error: null });
    expect((await channel!.exec("def f(:")).error).toMatch(/SyntaxError/);
    const failed = await channel!.exec("1/0");
    expect(failed.error).toMatch(/ZeroDivisionError/);
    channel!.close();
    peer!.close();
    await expect(channel!.exec("1")).rejects.toMatchObject({ code: "channel-closed" });
  });
});
