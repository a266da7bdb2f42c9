/**
 * The whole hand-over on the virtual board: the real provisioning job installs certificate and
 * Wi-Fi over the serial link, the board reboots into the device scripts (boot.py, main.py,
 * services.py → webrtc_signaling.py), and the portal verifies over serial signaling with werift on
 * both ends; later it connects again over the board's own HTTPS endpoint, pinned.
 */
import { afterEach, describe, expect, it } from "vitest";
import { provisionDevice } from "../../../src/core/provision";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { connectAgain, recordVerification, verifyOverSerial, type VerifyEvent } from "../../../src/core/verify";
import type { VirtualBoard } from "../../../src/virtual-board";
import { hiddenPortalBackend, slowGatheringBackend } from "./backends";
import { WORKSHOP, pyDirectBoard as startBoard } from "./pydirect-board";

let board: VirtualBoard | null = null;
afterEach(() => {
  board?.unplug();
  board = null;
});

async function pyDirectBoard(options: Parameters<typeof startBoard>[0] = {}) {
  const started = await startBoard(options);
  board = started.board;
  return started;
}

describe("verification on the virtual board after provisioning", () => {
  it("passes over serial signaling, records it, and connects again over pinned HTTPS", async () => {
    const { board, app, https, status } = await pyDirectBoard();
    const provisioned = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 });
    expect(provisioned.wifi.state).toBe("connected");
    if (!status.some((e) => e.event === "webrtc")) await app.waitForStatus((e) => e.event === "webrtc", 20_000);
    expect(status).toContainEqual({ event: "https", state: "listening", port: 443 });

    const events: VerifyEvent[] = [];
    const { report } = await verifyOverSerial(
      board.port,
      {
        backend: weriftPeerBackend,
        certificatePem: provisioned.certificatePem,
        expect: { hostname: provisioned.hostname, version: "0.1.0" },
        boardIp: (provisioned.wifi as { ip?: string }).ip ?? null,
      },
      (e) => events.push(e),
    );
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.proof).toBe("dtls-certificate");
    expect(report.diagnostics.transport).toBe("serial");
    expect(report.console).toBe("open");
    expect(report.firmware).toEqual({ version: "0.1.0", hostname: provisioned.hostname });
    expect(JSON.stringify(events)).not.toContain("PRIVATE KEY");

    const record = recordVerification(provisioned.record, report);
    expect(record.lastVerification?.passed).toBe(true);

    const port = await https.listening();
    const again = await connectAgain(record, {
      transport: createPinnedHttpsTransport(`https://127.0.0.1:${port}`, { fingerprint: record.certFingerprint }),
      backend: weriftPeerBackend,
      certificatePem: provisioned.certificatePem,
    });
    expect(again.report.passed).toBe(true);
    expect(again.report.console).toBe("locked");
    await again.channel!.unlock(provisioned.webreplPassword.reveal());
    expect(await again.channel!.exec("import sys; sys.platform")).toMatchObject({ error: null });
    expect(await again.channel!.exec("from lib.sys import status; status.VERSION")).toEqual({
      output: "'0.1.0'\n",
      error: null,
    });
    again.channel!.close();
    again.peer!.close();
  });

  it("trickles the board's candidates over the raw REPL where its stack gathers slowly (device-offers)", async () => {
    const { board, app, status } = await pyDirectBoard({ backend: slowGatheringBackend(600) });
    const provisioned = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 });
    expect(provisioned.wifi.state).toBe("connected");
    if (!status.some((e) => e.event === "webrtc")) await app.waitForStatus((e) => e.event === "webrtc", 20_000);
    // The board cannot reach this portal's own candidates: the path needs the board's, sent by trickle.
    const { report } = await verifyOverSerial(board.port, {
      backend: hiddenPortalBackend,
      shape: "device-offers",
      certificatePem: provisioned.certificatePem,
      expect: { hostname: provisioned.hostname },
      echoCount: 3,
    });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.negotiation).toMatchObject({ shape: "device-offers", trickle: true, deviceTrickle: true });
    expect(report.negotiation!.deviceCandidatesTrickled).toBeGreaterThan(0);
  });

  it("reports a board that never joined Wi-Fi as a failed verification with its reason", async () => {
    const { board } = await pyDirectBoard();
    const provisioned = await provisionDevice(board.port, {
      wifi: { ssid: WORKSHOP.ssid, password: "wrong password" },
      wifiTimeoutMs: 20_000,
    });
    expect(provisioned.wifi.state).toBe("failed");
    const { report } = await verifyOverSerial(board.port, {
      backend: weriftPeerBackend,
      certificatePem: provisioned.certificatePem,
    });
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("signaling");
    expect(report.checks.at(-1)!.detail).toMatch(/not connected to Wi-Fi/);
  });
});
