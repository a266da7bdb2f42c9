/**
 * Failure reports on the full virtual board: demo firmware in flash, the real provisioning job over
 * the serial link, the board booting into the device scripts, and the portal's verification job
 * over serial signaling. Each case must end in a failed report that says why, never a pass.
 */
import { afterEach, describe, expect, it } from "vitest";
import { provisionDevice } from "../../../src/core/provision";
import { DeviceFiles, RawRepl } from "../../../src/core/repl";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { verifyOverSerial, type VerifyEvent } from "../../../src/core/verify";
import type { VirtualBoard } from "../../../src/virtual-board";
import { noPathBackend } from "./backends";
import { provisionedIdentity } from "./fixtures";
import { WORKSHOP, pyDirectBoard } from "./pydirect-board";

let board: VirtualBoard | null = null;
afterEach(() => {
  board?.unplug();
  board = null;
});

const encode = (text: string) => new TextEncoder().encode(text);

describe("verification failures on the full virtual board", () => {
  it("fails at the key check when another board's certificate and key are left on it", async () => {
    const started = await pyDirectBoard();
    board = started.board;
    const provisioned = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 });
    expect(provisioned.wifi.state).toBe("connected");

    // An old pair (another provisioning, another board's backup) overwrites the one just installed.
    const leftOver = await provisionedIdentity(provisioned.hostname);
    const repl = await RawRepl.open(board.port);
    try {
      const files = new DeviceFiles(repl);
      await files.writeFileAtomic("/certs/servercert.pem", encode(leftOver.certPem));
      await files.writeFileAtomic("/certs/prvtkey.pem", encode(leftOver.keyPem));
    } finally {
      await repl.close();
    }
    const ready = started.app.waitForStatus((e) => e.event === "webrtc" && e.state === "ready", 30_000);
    board.reset();
    await ready;

    const events: VerifyEvent[] = [];
    const { report, channel } = await verifyOverSerial(
      board.port,
      {
        backend: weriftPeerBackend,
        certificatePem: provisioned.certificatePem,
        expect: { hostname: provisioned.hostname },
        echoCount: 2,
        keepOpen: true,
      },
      (e) => events.push(e),
    );
    expect(report.passed).toBe(false);
    expect(channel).toBeNull();
    expect(report.diagnostics.stalledAt).toBe("key");
    expect(report.proof).toBe("nonce-signature");
    expect(report.diagnostics.deviceFingerprint).toBe(`sha-256 ${leftOver.fingerprint}`);
    expect(report.diagnostics.certificateFingerprint).toBe(provisioned.record.certFingerprint);
    expect(report.checks.find((c) => c.step === "key")).toMatchObject({ passed: false });
    expect(report.checks.find((c) => c.step === "key")!.detail).toMatch(
      /does not match the provisioned certificate.*Provision the board again/,
    );
    // Everything before the key check ran and passed, so the report points at the key alone.
    expect(report.checks.filter((c) => c.passed).map((c) => c.step)).toEqual([
      "signaling",
      "channel-open",
      "identity",
      "echo",
    ]);
    expect(events.at(-1)).toMatchObject({ state: "done", report: { passed: false } });
    expect(JSON.stringify({ report, events })).not.toContain("PRIVATE KEY");
  });

  it("reports a DataChannel that never opens with both sides' candidates, ICE states and the stalled step", async () => {
    // The board's network drops everything: its candidates point nowhere and it ignores the portal's.
    const started = await pyDirectBoard({ backend: noPathBackend });
    board = started.board;
    const provisioned = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 });
    expect(provisioned.wifi.state).toBe("connected");
    if (!started.status.some((e) => e.event === "webrtc"))
      await started.app.waitForStatus((e) => e.event === "webrtc", 20_000);

    for (const shape of ["portal-offers", "device-offers"] as const) {
      const { report, channel } = await verifyOverSerial(board.port, {
        backend: weriftPeerBackend,
        shape,
        certificatePem: provisioned.certificatePem,
        boardIp: "192.168.4.23",
        openTimeoutMs: 4_000,
        keepOpen: true,
      });
      expect(report.passed).toBe(false);
      expect(channel).toBeNull();
      expect(report.diagnostics.stalledAt).toBe("channel-open");
      expect(report.checks.map((c) => [c.step, c.passed])).toEqual([
        ["signaling", true],
        ["channel-open", false],
      ]);
      expect(report.checks[1].detail).toMatch(/did not open within 4000 ms \(ICE \w+, DTLS \w+\)/);
      expect(report.diagnostics.boardIp).toBe("192.168.4.23");
      expect(report.diagnostics.transport).toBe("serial");
      expect(report.diagnostics.portalCandidates.length).toBeGreaterThan(0);
      expect(report.diagnostics.deviceCandidates.length).toBeGreaterThan(0);
      expect(report.diagnostics.deviceCandidates.every((c) => c.includes("203.0.113.77"))).toBe(true);
      expect(report.diagnostics.statesReached.ice).toContain("checking");
      expect(report.diagnostics.statesReached.connection).not.toContain("connected");
      expect(report.diagnostics.statesReached.dtls).not.toContain("connected");
      expect(report.openMs).toBeNull();
      expect(report.rtt).toBeNull();
      expect(report.proof).toBeNull();
    }
  });
});
