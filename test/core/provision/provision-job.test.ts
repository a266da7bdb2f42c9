import { X509Certificate, createPrivateKey } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  CERT_PATH,
  KEY_PATH,
  USER_SETTINGS_PATH,
  provisionDevice,
  inspectDevice,
  retryWifi,
  scanWifiNetworks,
  type ProvisionEvent,
} from "../../../src/core/provision";
import { DeviceFiles, RawRepl } from "../../../src/core/repl";
import { MemoryDeviceRegistry } from "../../../src/core/registry";
import type { VirtualBoard } from "../../../src/virtual-board";
import { WORKSHOP, pyDirectBoard } from "./pydirect-board";

const enc = new TextEncoder();
let board: VirtualBoard | undefined;
afterEach(() => {
  board?.unplug();
  board = undefined;
});

async function readOnBoard(
  b: VirtualBoard,
  read: (files: DeviceFiles, repl: RawRepl) => Promise<unknown>,
): Promise<unknown> {
  const repl = await RawRepl.open(b.port);
  try {
    return await read(new DeviceFiles(repl), repl);
  } finally {
    await repl.close();
  }
}

/** Staging files (`*.tmp`) under the folders the job writes to. */
async function stagingLeftovers(b: VirtualBoard): Promise<string[]> {
  return (await readOnBoard(b, async (f) => {
    const names: string[] = [];
    for (const dir of ["/certs", "/settings"]) {
      if (!(await f.exists(dir))) continue;
      for (const e of await f.list(dir)) if (e.name.endsWith(".tmp")) names.push(`${dir}/${e.name}`);
    }
    return names;
  })) as string[];
}

describe("provisioning job on a virtual pyDirect board", () => {
  it("writes key, certificate and settings, verifies them, resets and reports the Wi-Fi connection", async () => {
    board = await pyDirectBoard();
    const registry = new MemoryDeviceRegistry();
    const events: ProvisionEvent[] = [];
    const result = await provisionDevice(board.port, { wifi: WORKSHOP, registry, wifiTimeoutMs: 20_000 }, (e) =>
      events.push(e),
    );

    expect(result.hostname).toBe("pyDirect-5a3c01");
    expect(result.identity.mac).toBe("24:6f:28:5a:3c:01");
    expect(result.wifi).toMatchObject({ state: "connected", hostname: "pyDirect-5a3c01" });
    expect((result.wifi as { ip: string }).ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(events.map((e) => e.state)).toEqual(
      expect.arrayContaining([
        "connecting",
        "identified",
        "certificate-ready",
        "writing",
        "verified",
        "committing",
        "resetting",
        "wifi-result",
        "done",
      ]),
    );
    expect(result.files.map((f) => f.path)).toEqual([CERT_PATH, KEY_PATH, USER_SETTINGS_PATH]);

    // Nothing secret in events or in the registry.
    const webrepl = result.webreplPassword.reveal();
    expect(webrepl).toMatch(/^[A-Za-z0-9]{9}$/);
    const logged = JSON.stringify(events);
    for (const secret of [WORKSHOP.password, webrepl, "PRIVATE KEY"]) expect(logged).not.toContain(secret);
    const record = await registry.get(result.record.id);
    expect(record).toMatchObject({
      hostname: "pyDirect-5a3c01",
      certFingerprint: result.certFingerprint,
      mac: "24:6f:28:5a:3c:01",
    });
    expect(JSON.stringify(record)).not.toContain(WORKSHOP.password);

    // Read everything back from the board's filesystem.
    const back = (await readOnBoard(board, async (files) => ({
      cert: await files.readText(CERT_PATH),
      key: await files.readText(KEY_PATH),
      settings: JSON.parse(await files.readText(USER_SETTINGS_PATH)) as Record<string, Record<string, unknown>>,
      temps: (await files.list("/certs")).map((e) => e.name),
    }))) as { cert: string; key: string; settings: Record<string, Record<string, unknown>>; temps: string[] };
    expect(back.cert).toBe(result.certificatePem);
    expect(new X509Certificate(back.cert).checkPrivateKey(createPrivateKey(back.key))).toBe(true);
    expect(new X509Certificate(back.cert).fingerprint256).toBe(result.certFingerprint);
    expect(back.settings.wifi).toMatchObject({
      ssid: WORKSHOP.ssid,
      password: WORKSHOP.password,
      hostname_prefix: "pyDirect",
    });
    expect(back.settings.device).toMatchObject({ hostname: "pyDirect-5a3c01" });
    expect(back.settings.server).toMatchObject({
      https_enabled: true,
      https_cert_file: CERT_PATH,
      https_key_file: KEY_PATH,
      webrepl_password: webrepl,
    });
    expect(back.temps.sort()).toEqual(["prvtkey.pem", "servercert.pem"]);
  }, 60_000);

  it("provisions over plain raw REPL on a MicroPython build without raw-paste", async () => {
    board = await pyDirectBoard({ rawPaste: false });
    const result = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 });
    expect(result.wifi).toMatchObject({ state: "connected" });
    const back = (await readOnBoard(board, async (files, repl) => ({
      key: await files.sha256(KEY_PATH),
      cert: await files.readText(CERT_PATH),
      rawPaste: repl.rawPasteSupported,
    }))) as { key: string; cert: string; rawPaste: boolean | undefined };
    expect(back.rawPaste).toBe(false); // the board really refused raw-paste: the plain path ran
    expect(back.cert).toBe(result.certificatePem);
    expect(back.key).toBe(result.files.find((f) => f.path === KEY_PATH)!.sha256);
  }, 60_000);

  it("keeps the user's other settings keys", async () => {
    board = await pyDirectBoard();
    await readOnBoard(board, async (files) => {
      await files.mkdir("/settings");
      await files.writeFileAtomic(
        USER_SETTINGS_PATH,
        enc.encode(JSON.stringify({ led: { pin: 48 }, wifi: { retries: 7, ssid: "Old" }, setup_mode: false })),
      );
    });
    const result = await provisionDevice(board.port, { wifi: WORKSHOP, hostname: "bench-3", wifiTimeoutMs: 20_000 });
    expect(result.hostname).toBe("bench-3");
    const settings = (await readOnBoard(
      board,
      async (f) => JSON.parse(await f.readText(USER_SETTINGS_PATH)) as unknown,
    )) as Record<string, Record<string, unknown>>;
    expect(settings.led).toEqual({ pin: 48 });
    expect(settings.setup_mode).toBe(false);
    expect(settings.wifi).toMatchObject({ retries: 7, ssid: "Workshop" });
  }, 60_000);

  it("keeps a hand-broken user_settings.json as a backup instead of dropping it", async () => {
    board = await pyDirectBoard();
    const broken = '{"led": {"pin": 48},, oops';
    await readOnBoard(board, async (files) => {
      await files.mkdir("/settings");
      await files.writeFileAtomic(USER_SETTINGS_PATH, enc.encode(broken));
    });
    const events: ProvisionEvent[] = [];
    await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 }, (e) => events.push(e));
    expect(events).toContainEqual({ state: "kept-backup", file: `${USER_SETTINGS_PATH}.bak` });
    const back = (await readOnBoard(board, async (f) => [
      await f.readText(`${USER_SETTINGS_PATH}.bak`),
      JSON.parse(await f.readText(USER_SETTINGS_PATH)) as unknown,
    ])) as [string, Record<string, Record<string, unknown>>];
    expect(back[0]).toBe(broken);
    expect(back[1].wifi).toMatchObject({ ssid: WORKSHOP.ssid });
  }, 60_000);

  it("reports a wrong password, then retryWifi rewrites only the Wi-Fi keys and connects", async () => {
    board = await pyDirectBoard();
    const first = await provisionDevice(board.port, {
      wifi: { ssid: "Workshop", password: "wrong password" },
      wifiTimeoutMs: 20_000,
    });
    expect(first.wifi).toMatchObject({
      state: "failed",
      reason: "wrong-password",
      error: { code: "wifi-wrong-password", action: "check-wifi" },
    });
    const before = (await readOnBoard(board, async (f) => ({
      cert: await f.sha256(CERT_PATH),
      settings: JSON.parse(await f.readText(USER_SETTINGS_PATH)),
    }))) as {
      cert: string;
      settings: Record<string, Record<string, unknown>>;
    };
    const events: ProvisionEvent[] = [];
    const outcome = await retryWifi(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 }, (e) => events.push(e));
    expect(outcome).toMatchObject({ state: "connected", hostname: first.hostname });
    expect(JSON.stringify(events)).not.toContain(WORKSHOP.password);
    const after = (await readOnBoard(board, async (f) => ({
      cert: await f.sha256(CERT_PATH),
      settings: JSON.parse(await f.readText(USER_SETTINGS_PATH)),
    }))) as typeof before;
    expect(after.cert).toBe(before.cert);
    expect(after.settings).toEqual({
      ...before.settings,
      wifi: { ...before.settings.wifi, password: WORKSHOP.password },
    });
  }, 90_000);

  it("joins networks with awkward names and passwords through the full job", async () => {
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
    const awkward = [
      { ssid: `it's "q" \\ 🛜`, password: `pa'ss"wo\\rd {x}` },
      { ssid: "new\nline\ttab", password: printable.slice(20, 83) },
      { ssid: "é".repeat(16), password: "0123456789abcdef".repeat(4) },
    ];
    board = await pyDirectBoard({
      accessPoints: awkward.map((p) => ({ ssid: p.ssid, passphrase: p.password, security: "wpa2-psk" as const })),
    });
    for (const wifi of awkward) {
      const result = await provisionDevice(board.port, { wifi, wifiTimeoutMs: 20_000 });
      expect(result.wifi, JSON.stringify(wifi)).toMatchObject({ state: "connected" });
    }
  }, 120_000);

  it("joins a hidden network typed by hand (absent from the scan)", async () => {
    board = await pyDirectBoard({
      accessPoints: [{ ssid: "Back office", passphrase: "quiet-please", security: "wpa2-psk", hidden: true }],
    });
    expect(await scanWifiNetworks(board.port)).toEqual([]);
    const result = await provisionDevice(board.port, {
      wifi: { ssid: "Back office", password: "quiet-please", hidden: true },
      wifiTimeoutMs: 20_000,
    });
    expect(result.wifi).toMatchObject({ state: "connected" });
  }, 60_000);

  it("reports a network that is not there", async () => {
    board = await pyDirectBoard();
    const result = await provisionDevice(board.port, {
      wifi: { ssid: "Nowhere", password: "whatever123" },
      wifiTimeoutMs: 20_000,
    });
    expect(result.wifi).toMatchObject({ state: "failed", reason: "network-not-found" });
  }, 60_000);

  it("stops when cancelled before the files are committed, leaving the board as it was", async () => {
    board = await pyDirectBoard();
    const abort = new AbortController();
    await expect(
      provisionDevice(board.port, { wifi: WORKSHOP, signal: abort.signal }, (e) => {
        if (e.state === "verified") abort.abort();
      }),
    ).rejects.toMatchObject({ code: "cancelled", action: "none" });
    expect(
      await readOnBoard(board, async (f) => [await f.exists(USER_SETTINGS_PATH), await f.exists(CERT_PATH)]),
    ).toEqual([false, false]);
    // The link still works after a cancel, so the job removed what it had staged.
    expect(await stagingLeftovers(board)).toEqual([]);
  }, 60_000);

  it("says so when cancelled while waiting for the Wi-Fi report, with the files already in place", async () => {
    board = await pyDirectBoard();
    const abort = new AbortController();
    const error = await provisionDevice(
      board.port,
      { wifi: WORKSHOP, signal: abort.signal, wifiTimeoutMs: 20_000 },
      (e) => {
        if (e.state === "waiting-for-wifi") abort.abort();
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "cancelled", message: expect.stringMatching(/already installed/) });
    await board.waitForMode("app");
    expect(
      await readOnBoard(board, async (f) => [await f.exists(USER_SETTINGS_PATH), await f.exists(KEY_PATH)]),
    ).toEqual([true, true]);
  }, 60_000);

  it("does not touch the board when cancelled before it starts", async () => {
    board = await pyDirectBoard();
    const before = board.linkStats.toBoard;
    const abort = new AbortController();
    abort.abort();
    await expect(provisionDevice(board.port, { wifi: WORKSHOP, signal: abort.signal })).rejects.toMatchObject({
      code: "cancelled",
    });
    await expect(retryWifi(board.port, { wifi: WORKSHOP, signal: abort.signal })).rejects.toMatchObject({
      code: "cancelled",
    });
    expect(board.linkStats.toBoard).toBe(before);
  }, 60_000);

  it("refuses bad input before touching the board", async () => {
    board = await pyDirectBoard();
    const before = board.linkStats.toBoard;
    await expect(provisionDevice(board.port, { wifi: { ssid: "ok", password: "short" } })).rejects.toMatchObject({
      code: "invalid-password",
      field: "password",
    });
    await expect(provisionDevice(board.port, { wifi: WORKSHOP, hostname: "-bad-" })).rejects.toMatchObject({
      code: "invalid-hostname",
    });
    await expect(provisionDevice(board.port, { wifi: WORKSHOP, validityDays: 3650 })).rejects.toMatchObject({
      code: "invalid-validity",
    });
    await expect(provisionDevice(board.port, { wifi: WORKSHOP, ipAddress: "192.168.4" })).rejects.toMatchObject({
      code: "invalid-ip-address",
      field: "ipAddress",
    });
    expect(board.linkStats.toBoard).toBe(before);
  }, 60_000);

  it("refuses a hostname another registered board has", async () => {
    board = await pyDirectBoard();
    const registry = new MemoryDeviceRegistry();
    await registry.put({
      id: "another-board",
      hostname: "PYDIRECT-5A3C01",
      chip: "ESP32",
      mac: "24:6f:28:00:00:01",
      firmwareVersion: null,
      certFingerprint: "00",
      provisionedAt: new Date().toISOString(),
    });
    await expect(provisionDevice(board.port, { wifi: WORKSHOP, registry })).rejects.toMatchObject({
      code: "hostname-taken",
      field: "hostname",
    });
  }, 60_000);

  it("inspects the board for the form: identity, suggested hostname, networks", async () => {
    board = await pyDirectBoard();
    const seen = await inspectDevice(board.port);
    expect(seen.identity).toMatchObject({
      mac: "24:6f:28:5a:3c:01",
      hostnamePrefix: "pyDirect",
      hostname: null,
      firmwareVersion: "0.1.0",
    });
    expect(seen.identity.uniqueId).toMatch(/^[0-9a-f]+$/);
    expect(seen.suggestedHostname).toBe("pyDirect-5a3c01");
    expect(seen.networks.map((n) => n.ssid)).toEqual(["Workshop", "Guest"]);
  }, 60_000);

  it("scans for networks with signal and security for the picker", async () => {
    board = await pyDirectBoard();
    const networks = await scanWifiNetworks(board.port);
    expect(networks.map((n) => n.ssid)).toEqual(["Workshop", "Guest"]);
    expect(networks[0]).toMatchObject({ rssi: -52, needsPassword: true });
    expect(networks[1]).toMatchObject({ needsPassword: false, security: "open" });
  }, 60_000);

  it("leaves the previous files intact when the cable is pulled mid-write, and the next run clears the staging files", async () => {
    board = await pyDirectBoard();
    const b = board;
    const start = b.linkStats.toBoard;
    let stagedBytes = 0;
    const first = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 }, (e) => {
      if (e.state === "committing") stagedBytes = b.linkStats.toBoard - start;
    });
    const old = (await readOnBoard(board, async (f) => ({
      settings: await f.readText(USER_SETTINGS_PATH),
      cert: await f.readText(CERT_PATH),
      key: await f.sha256(KEY_PATH),
    }))) as { settings: string; cert: string; key: string };
    // Pull the cable 70% of the way through staging the next job's files: in the middle of a temp file.
    expect(stagedBytes).toBeGreaterThan(2000);
    board.injectFaults({ disconnectAfterBytes: Math.floor(stagedBytes * 0.7) });
    const second: ProvisionEvent[] = [];
    await expect(
      provisionDevice(board.port, { wifi: { ssid: "Guest" }, hostname: "renamed" }, (e) => second.push(e)),
    ).rejects.toMatchObject({
      code: "disconnected",
      action: "retry",
    });
    expect(board.mode).toBe("unplugged");
    // The cut came while new files were being staged, not before the job started writing.
    expect(second.filter((e) => e.state === "verified").length).toBeGreaterThanOrEqual(1);
    expect(second.some((e) => e.state === "committing")).toBe(false);
    expect(second.at(-1)).toMatchObject({ state: "error", error: { code: "disconnected" } });
    board.plug();
    await board.waitForMode("app");
    const now = (await readOnBoard(board, async (f) => ({
      settings: await f.readText(USER_SETTINGS_PATH),
      cert: await f.readText(CERT_PATH),
      key: await f.sha256(KEY_PATH),
    }))) as typeof old;
    expect(now).toEqual(old);
    expect(now.cert).toBe(first.certificatePem);

    // The cut left staging files behind (one may hold part of the new private key). The next run
    // removes them first thing, even when it then stops on a clash in the registry...
    expect((await stagingLeftovers(board)).length).toBeGreaterThanOrEqual(1);
    const registry = new MemoryDeviceRegistry();
    await registry.put({ ...first.record, id: "another-board", hostname: "renamed" });
    await expect(
      provisionDevice(board.port, { wifi: { ssid: "Guest" }, hostname: "renamed", registry }),
    ).rejects.toMatchObject({ code: "hostname-taken" });
    expect(await stagingLeftovers(board)).toEqual([]);
    // ...and a complete run puts the new configuration in place with nothing left over.
    const third = await provisionDevice(board.port, {
      wifi: { ssid: "Guest" },
      hostname: "renamed",
      wifiTimeoutMs: 20_000,
    });
    expect(third.wifi).toMatchObject({ state: "connected" });
    expect(await stagingLeftovers(board)).toEqual([]);
    const installed = (await readOnBoard(board, async (f) => ({
      settings: JSON.parse(await f.readText(USER_SETTINGS_PATH)) as {
        device: { hostname: string };
        wifi: { ssid: string };
      },
      cert: await f.readText(CERT_PATH),
    }))) as { settings: { device: { hostname: string }; wifi: { ssid: string } }; cert: string };
    expect(installed.cert).toBe(third.certificatePem);
    expect(installed.settings).toMatchObject({ device: { hostname: "renamed" }, wifi: { ssid: "Guest" } });
  }, 150_000);
});
