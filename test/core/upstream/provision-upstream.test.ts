/**
 * Provisioning a board that runs device scripts in pyDirect upstream's shape: the same files as
 * on our boards (staged, verified by hash, renamed), upstream's settings keys, and the Wi-Fi
 * outcome read over the REPL from the `network` module, because these scripts print no status line.
 */
import { X509Certificate } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  CERT_PATH,
  KEY_PATH,
  USER_SETTINGS_PATH,
  provisionDevice,
  retryWifi,
  type ProvisionEvent,
} from "../../../src/core/provision";
import { outcomeFromPoll } from "../../../src/core/provision/repl-wifi";
import { MemoryDeviceRegistry } from "../../../src/core/registry";
import { DeviceFiles, RawRepl } from "../../../src/core/repl";
import type { VirtualBoard } from "../../../src/virtual-board";
import { WORKSHOP, presentedCertificate, servingPort, upstreamBoard } from "./upstream-board";

let board: VirtualBoard | undefined;
afterEach(() => {
  board?.unplug();
  board = undefined;
});

async function onBoard<T>(b: VirtualBoard, read: (files: DeviceFiles) => Promise<T>): Promise<T> {
  const repl = await RawRepl.open(b.port, { interruptAtBoot: true });
  try {
    return await read(new DeviceFiles(repl));
  } finally {
    await repl.close();
  }
}

const installed = (b: VirtualBoard) =>
  onBoard(b, async (f) => ({
    settings: await f.readText(USER_SETTINGS_PATH),
    cert: await f.readText(CERT_PATH),
    key: await f.sha256(KEY_PATH),
  }));

describe("provisioning a board with upstream-shaped device scripts", () => {
  it("writes the files with upstream's keys, reads the Wi-Fi outcome over the REPL, and the board serves HTTPS with the new certificate", async () => {
    const started = await upstreamBoard();
    board = started.board;
    const registry = new MemoryDeviceRegistry();
    const events: ProvisionEvent[] = [];
    const result = await provisionDevice(board.port, { wifi: WORKSHOP, registry, wifiTimeoutMs: 20_000 }, (e) =>
      events.push(e),
    );

    expect(result.deviceKind).toMatchObject({ kind: "pydirect-upstream", statusLines: false, serialSignaling: false });
    expect(result.hostname).toBe("pyDirect-5a3c01");
    expect(result.wifi).toEqual({ state: "connected", ip: "192.168.4.23", hostname: "pyDirect-5a3c01" });
    const states = events.map((e) => e.state);
    expect(states).toEqual(
      expect.arrayContaining([
        "identified",
        "verified",
        "committing",
        "waiting-for-wifi",
        "wifi-connecting",
        "resetting",
        "wifi-result",
        "done",
      ]),
    );
    // The outcome came from the REPL before the reset, not from a status line after it.
    expect(states.indexOf("wifi-connecting")).toBeLessThan(states.indexOf("resetting"));
    expect(started.statusLines).toEqual([]);

    // After the reset the board's own main.py joined the network and serves the new certificate.
    // (Checked before reading files back: a host taking the REPL stops main.py, as on a real board.)
    const port = await servingPort(started.https);
    expect(started.https.current?.port).toBe(port);
    const served = await presentedCertificate(port);
    expect(served).toBe(result.certFingerprint);

    const back = await onBoard(board, async (f) => ({
      settings: JSON.parse(await f.readText(USER_SETTINGS_PATH)) as Record<string, Record<string, unknown>>,
      cert: await f.readText(CERT_PATH),
      certs: (await f.list("/certs")).map((e) => e.name).sort(),
    }));
    expect(back.cert).toBe(result.certificatePem);
    expect(back.certs).toEqual(["prvtkey.pem", "servercert.pem"]);
    expect(back.settings.wifi).toEqual({
      ssid: WORKSHOP.ssid,
      password: WORKSHOP.password,
      hostname_prefix: "pyDirect",
    });
    expect(back.settings.device).toEqual({ hostname: "pyDirect-5a3c01" });
    expect(back.settings.server).toEqual({
      https_enabled: true,
      https_cert_file: CERT_PATH,
      https_key_file: KEY_PATH,
      webrepl_password: result.webreplPassword.reveal(),
    });

    const secrets = [WORKSHOP.password, result.webreplPassword.reveal(), "PRIVATE KEY"];
    for (const secret of secrets) expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(await registry.list())).not.toContain(WORKSHOP.password);
    expect(new X509Certificate(back.cert).fingerprint256).toBe(result.certFingerprint);
  }, 90_000);

  it("reports a wrong password from the station's state, then retryWifi corrects it and connects", async () => {
    board = (await upstreamBoard()).board;
    const first = await provisionDevice(board.port, {
      wifi: { ssid: WORKSHOP.ssid, password: "not the password" },
      wifiTimeoutMs: 20_000,
    });
    expect(first.wifi).toMatchObject({
      state: "failed",
      reason: "wrong-password",
      error: { code: "wifi-wrong-password", action: "check-wifi" },
    });
    const events: ProvisionEvent[] = [];
    const outcome = await retryWifi(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 }, (e) => events.push(e));
    expect(outcome).toMatchObject({ state: "connected", hostname: first.hostname });
    expect(JSON.stringify(events)).not.toContain(WORKSHOP.password);
  }, 90_000);

  it("reports a network that is not there", async () => {
    board = (await upstreamBoard()).board;
    const result = await provisionDevice(board.port, {
      wifi: { ssid: "Nowhere", password: "whatever123" },
      wifiTimeoutMs: 20_000,
    });
    expect(result.wifi).toMatchObject({
      state: "failed",
      reason: "network-not-found",
      error: { code: "wifi-network-not-found" },
    });
  }, 60_000);

  it("says the board never joined when the station is still connecting at the deadline", async () => {
    const started = await upstreamBoard({
      accessPoints: [{ ssid: "Slow", passphrase: "patience-please", security: "wpa2-psk" }],
    });
    board = started.board;
    // The simulated radio takes 1.5 s to join; a 600 ms allowance ends while it still connects.
    const result = await provisionDevice(board.port, {
      wifi: { ssid: "Slow", password: "patience-please" },
      wifiTimeoutMs: 600,
    });
    expect(result.wifi).toMatchObject({ state: "failed", reason: "timeout", error: { code: "wifi-timeout" } });
  }, 60_000);

  it("leaves the previous configuration intact when the cable is pulled mid-write", async () => {
    board = (await upstreamBoard()).board;
    const b = board;
    const start = b.linkStats.toBoard;
    const verifiedAt: number[] = [];
    const first = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 }, (e) => {
      if (e.state === "verified") verifiedAt.push(b.linkStats.toBoard - start);
    });
    expect(first.wifi.state).toBe("connected");
    const old = await installed(board);
    // Pull the cable while the next run stages its second file (the private key).
    board.injectFaults({ disconnectAfterBytes: Math.floor((verifiedAt[0] + verifiedAt[1]) / 2) });
    const second: ProvisionEvent[] = [];
    await expect(
      provisionDevice(board.port, { wifi: { ssid: "Guest" }, hostname: "renamed" }, (e) => second.push(e)),
    ).rejects.toMatchObject({ code: "disconnected" });
    expect(second.filter((e) => e.state === "verified").length).toBe(1);
    expect(second.some((e) => e.state === "committing")).toBe(false);
    board.plug();
    await board.waitForMode("app");
    expect(await installed(board)).toEqual(old);
  }, 120_000);

  it("maps MicroPython's STAT_* names to the portal's reasons, whatever numbers the port gives them", () => {
    const codes = {
      STAT_IDLE: 1000,
      STAT_CONNECTING: 1001,
      STAT_GOT_IP: 1010,
      STAT_WRONG_PASSWORD: 202,
      STAT_NO_AP_FOUND: 201,
      STAT_CONNECT_FAIL: 203,
      STAT_HANDSHAKE_TIMEOUT: 204,
    };
    const poll = (status: number, connected = false) => ({
      status,
      connected,
      ip: connected ? "10.0.0.9" : null,
      hostname: connected ? "bench-1" : null,
      codes,
    });
    expect(outcomeFromPoll(poll(1001), "Lab")).toBe("pending");
    expect(outcomeFromPoll(poll(1000), "Lab")).toBe("pending");
    expect(outcomeFromPoll(poll(1010, true), "Lab")).toEqual({
      state: "connected",
      ip: "10.0.0.9",
      hostname: "bench-1",
    });
    expect(outcomeFromPoll(poll(202), "Lab")).toMatchObject({ state: "failed", reason: "wrong-password" });
    expect(outcomeFromPoll(poll(204), "Lab")).toMatchObject({
      state: "failed",
      reason: "wrong-password",
      error: { message: expect.stringContaining("handshake") },
    });
    expect(outcomeFromPoll(poll(201), "Lab")).toMatchObject({ state: "failed", reason: "network-not-found" });
    expect(outcomeFromPoll(poll(203), "Lab")).toMatchObject({
      state: "failed",
      reason: "timeout",
      error: { code: "wifi-timeout", message: expect.stringContaining("STAT_CONNECT_FAIL") },
    });
    // Another port's numbering (the rp2 port numbers them -3..3): the names decide, not the numbers.
    const rp2 = {
      STAT_IDLE: 0,
      STAT_CONNECTING: 1,
      STAT_GOT_IP: 3,
      STAT_WRONG_PASSWORD: -3,
      STAT_NO_AP_FOUND: -2,
      STAT_CONNECT_FAIL: -1,
    };
    expect(
      outcomeFromPoll({ status: -3, connected: false, ip: null, hostname: null, codes: rp2 }, "Lab"),
    ).toMatchObject({ reason: "wrong-password" });
  });
});
