/**
 * The whole portal flow on a virtual board that behaves as a published pyDirect image does (our
 * upstream-behaviour fixtures: setup mode in the shipped defaults, ESP-IDF log lines on the REPL's
 * UART, a webrtc stack that reports no candidates so the signaling handler makes host candidates
 * up and no end of gathering ever comes, WBP on the DataChannel): detect → provision → reset →
 * HTTPS verify with a WebREPL login. One board for the file; each test builds on the one before.
 *
 * The offer handler waits for the answer as upstream's does, blocking the interpreter in
 * time.sleep between process_queue() calls, so the board's WebRTC peers run on a thread of their
 * own (the peer host), as esp_peer runs in its own task on the chip.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectDeviceKind, detectDeviceKindOnPort } from "../../../src/core/device-kind";
import {
  SecretText,
  USER_SETTINGS_PATH,
  provisionDevice,
  scanNetworks,
  type ProvisionResult,
} from "../../../src/core/provision";
import { ConsoleConnection, DeviceFiles, RawRepl } from "../../../src/core/repl";
import { OFFER_PATH, STATUS_PATH, parseStatus } from "../../../src/core/signaling";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { verifyOverHttps } from "../../../src/core/verify";
import { startPeerHostThread, type PeerHostThread } from "../../virtual-board/webrtc/peer-host-harness";
import { WORKSHOP, servingPort, upstreamBoard } from "./upstream-board";

let started: Awaited<ReturnType<typeof upstreamBoard>>;
let result: ProvisionResult;
let base: string;
let peerHost: PeerHostThread;

beforeAll(async () => {
  peerHost = await startPeerHostThread();
  started = await upstreamBoard({ silentCandidates: true, peerHost: peerHost.link, blockingOfferWait: true });
}, 60_000);
afterAll(async () => {
  started.board.unplug();
  await peerHost.close();
});

const transport = () => createPinnedHttpsTransport(base, { fingerprint: result.certFingerprint });

describe("a board as pyDirect's published image runs it, through the portal's whole flow", () => {
  it("is detected as an upstream board through the ESP-IDF log lines of its boot", async () => {
    // The REPL is reached as on a real board: reset, interrupt boot.py; the boot's log lines (the
    // bootloader's, Wi-Fi's) arrive in the same stream and are set aside, not parsed.
    const connection = await ConsoleConnection.open(started.board.port);
    const repl = new RawRepl(connection, { interruptAtBoot: true, enterTimeoutMs: 1500 });
    const logs: string[] = [];
    connection.onLogLine((l) => logs.push(l));
    try {
      await repl.enter();
      // Lines from other tasks land in the middle of the answers themselves.
      const split = started.app.idfLog.interleave(/PDANSWER \{"files/, 3, "wifi", "state: auth -> assoc (0)");
      const split2 = started.app.idfLog.interleave(
        /PDANSWER \[\[/,
        2,
        "httpd_txrx",
        "httpd_sock_err: error in recv : 104",
      );
      expect(await detectDeviceKind(repl)).toMatchObject({ kind: "pydirect-upstream", httpSignaling: true });
      expect((await scanNetworks(repl)).map((n) => n.ssid)).toContain(WORKSHOP.ssid);
      const settings = JSON.parse(await new DeviceFiles(repl).readText("/settings/default_settings.json")) as {
        setup_mode: boolean;
      };
      expect(settings.setup_mode).toBe(true);
      expect((await split).wire).toContain("\x1b[0;32mI (");
      await split2;
    } finally {
      await repl.close();
    }
    expect(await detectDeviceKindOnPort(started.board.port)).toMatchObject({ kind: "pydirect-upstream" });
    expect(logs).toEqual(
      expect.arrayContaining([expect.stringMatching(/^I \(\d+\) wifi: state: auth -> assoc \(0\)$/)]),
    );
    expect(logs).toEqual(expect.arrayContaining([expect.stringMatching(/^W \(\d+\) httpd_txrx: /)]));
  }, 60_000);

  it("provisions it with the user's own WebREPL password and takes it out of setup mode", async () => {
    const printed: string[] = [];
    const stop = started.app.idfLog.onLine((l) => printed.push(l.wire));
    const mine = new SecretText("my-own-webrepl-pw");
    result = await provisionDevice(started.board.port, {
      wifi: WORKSHOP,
      webreplPassword: mine,
      wifiTimeoutMs: 20_000,
    });
    expect(result.wifi.state).toBe("connected");
    expect(result.webreplPassword.reveal()).toBe("my-own-webrepl-pw");
    stop();
    // Joining printed the Wi-Fi driver's lines while the portal polled the station over the REPL.
    expect(printed.some((w) => w.includes("wifi:connected with Workshop"))).toBe(true);
    base = `https://127.0.0.1:${await servingPort(started.https)}`;
    // After the reset main.py serves signaling, not the setup page: /webrtc/status answers in
    // upstream's shape (key `status`), read into `state`.
    const status = parseStatus(await transport().request("GET", STATUS_PATH));
    expect(status.status).toMatch(/^STATE_/);
    expect(status.state).toBe(status.status);
  }, 90_000);

  it("verifies over HTTPS with made-up host candidates and no end of gathering, then logs in over WBP", async () => {
    const { report } = await verifyOverHttps(transport(), {
      backend: weriftPeerBackend,
      certificatePem: result.certificatePem,
      channelProtocol: "wbp",
      webreplPassword: result.webreplPassword,
      readyTimeoutMs: 20_000,
    });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.map((c) => c.step)).toEqual(["signaling", "channel-open", "repl", "key"]);
    const repl = report.checks.find((c) => c.step === "repl");
    console.info(`[figure] ${repl?.detail ?? ""} open ${Math.round(report.openMs ?? 0)} ms`);
    expect(repl?.detail).toMatch(/^REPL over WebRTC works: .* in \d+\.\d ms\.$/);
    expect(report.rtt?.count).toBe(1);
    // The board's answer carried only the candidates its handler made up (port, port+1, port+2).
    expect(report.negotiation?.deviceCandidates.length).toBeGreaterThan(0);
    expect(report.negotiation?.deviceCandidates.every((c) => c.includes(" typ host"))).toBe(true);
    expect(JSON.stringify(report)).not.toContain(result.webreplPassword.reveal());
  }, 60_000);

  it("left setup_mode false and the password in the board's own settings; the setup page's route is gone", async () => {
    // The unauthenticated /set-password of setup mode is not served on the provisioned board.
    await expect(transport().request("POST", "/set-password", { password: "attacker" })).rejects.toMatchObject({
      code: "no-webrtc-endpoint",
    });
    const repl = await RawRepl.open(started.board.port, { interruptAtBoot: true, enterTimeoutMs: 1500 });
    try {
      const settings = JSON.parse(await new DeviceFiles(repl).readText(USER_SETTINGS_PATH)) as {
        setup_mode: boolean;
        server: { webrepl_password: string };
      };
      expect(settings.setup_mode).toBe(false);
      expect(settings.server.webrepl_password).toBe("my-own-webrepl-pw");
    } finally {
      await repl.close();
    }
    expect(OFFER_PATH).toBe("/webrtc/offer");
  }, 60_000);
});
