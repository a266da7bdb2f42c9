import { afterEach, describe, expect, it } from "vitest";
import type { VerifyEvent } from "../../../src/core/verify";
import { startMicroPythonDevice, type MicroPythonDevice } from "../../virtual-board/webrtc/micropython-device";
import { provisionedIdentity, verifySerially } from "./fixtures";

let device: MicroPythonDevice | null = null;
afterEach(async () => {
  await device?.stop();
  device = null;
});

describe("verifyDevice against the device scripts on MicroPython (werift on both ends)", () => {
  for (const shape of ["portal-offers", "device-offers"] as const) {
    it(`passes with ${shape} signaling over raw-REPL calls, proving the key by DTLS certificate`, async () => {
      const id = await provisionedIdentity();
      device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem });
      const events: VerifyEvent[] = [];
      const { report } = await verifySerially(
        device,
        id.certPem,
        { shape, expect: { hostname: id.hostname, version: "0.1.0" }, echoCount: 5 },
        (e) => events.push(e),
      );
      expect(report.checks.filter((c) => !c.passed)).toEqual([]);
      expect(report.passed).toBe(true);
      expect(report.proof).toBe("dtls-certificate");
      expect(report.firmware).toEqual({ version: "0.1.0", hostname: id.hostname });
      expect(report.rtt?.count).toBe(5);
      expect(report.rtt!.worstMs).toBeGreaterThanOrEqual(report.rtt!.medianMs);
      expect(report.diagnostics.deviceFingerprint).toBe(`sha-256 ${id.fingerprint}`);
      expect(report.diagnostics.deviceCandidates.length).toBeGreaterThan(0);
      expect(events.map((e) => e.state)).toContain("channel-open");
      expect(events.at(-1)?.state).toBe("done");
      // Nothing secret in the report or the events.
      expect(JSON.stringify({ report, events })).not.toContain("PRIVATE KEY");
    });
  }
});
