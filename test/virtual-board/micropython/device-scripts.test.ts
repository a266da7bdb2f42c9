import { afterEach, describe, expect, it } from "vitest";
import type { DeviceStatusEvent } from "../../../src/virtual-board/micropython";
import { enterRaw, startBoard, type BoardUnderTest } from "./board-harness";

let bt: BoardUnderTest | undefined;
afterEach(() => {
  bt?.term.close();
  bt?.board.unplug();
  bt = undefined;
});

const PASSWORD = "correct horse battery";

/** Provision Wi-Fi through the device's own settings module, then hard-reset and collect status lines. */
async function provisionAndReboot(
  bt: BoardUnderTest,
  settings: Record<string, string>,
  until: (e: DeviceStatusEvent) => boolean,
): Promise<DeviceStatusEvent[]> {
  await enterRaw(bt.term);
  const sets = Object.entries(settings).map(([k, v]) => `settings.set(${JSON.stringify(k)}, ${JSON.stringify(v)})`);
  const [, err] = await bt.term.rawExec(`from lib.sys import settings\n${sets.join("\n")}\nsettings.save()`);
  expect(err).toBe("");
  const events: DeviceStatusEvent[] = [];
  const off = bt.app.onStatus((e) => events.push(e));
  const done = bt.app.waitForStatus(until, 20_000);
  bt.board.reset("normal");
  await done;
  await bt.term.until(">>> ");
  off();
  return events;
}

describe("pyDirect device scripts on the virtual board", () => {
  it("settings: dotted keys over defaults, user overrides saved to user_settings.json, reload", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [out, err] = await bt.term.rawExec(`from lib.sys import settings
print(settings.get('wifi.hostname_prefix'), settings.get('server.https_cert_file'), settings.get('wifi.ssid'), settings.get('no.such', 7))
settings.set('wifi.ssid', 'Workshop')
settings.set('device.hostname', 'lab-board')
settings.set('custom.nested.value', 3)
settings.save()
import json
print(json.load(open('/settings/user_settings.json'))['custom'])
print(settings.get('wifi')['hostname_prefix'], settings.get('wifi')['ssid'])
open('/settings/user_settings.json', 'w').write('{"wifi": {"ssid": "Other"}}')
settings.reload()
print(settings.get('wifi.ssid'), settings.get('device.hostname'))`);
    expect(err).toBe("");
    expect(out).toBe(
      "pyDirect /certs/servercert.pem None 7\r\n{'nested': {'value': 3}}\r\npyDirect Workshop\r\nOther \r\n",
    );
  });

  it("ships no credentials in the default settings", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [out] = await bt.term.rawExec("print(open('/settings/default_settings.json').read())");
    expect(out).not.toMatch(/password|ssid/i);
  });

  it("a corrupt user_settings.json does not stop the boot", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    await bt.term.rawExec("open('/settings/user_settings.json','w').write('{not json')");
    bt.board.reset("normal");
    const out = await bt.term.until(">>> ");
    expect(out).toContain("settings: /settings/user_settings.json is not valid JSON, ignoring it");
    expect(out).toContain('PYDIRECT {"event":"wifi","state":"unconfigured"}');
  });

  it("boots, connects and reports each step on the console; the password never appears", async () => {
    bt = await startBoard();
    const events = await provisionAndReboot(
      bt,
      { "wifi.ssid": "Workshop", "wifi.password": PASSWORD },
      (e) => e.state === "connected",
    );
    expect(events).toEqual([
      { event: "boot", version: "0.1.0", hostname: "pyDirect-5a3c01" },
      { event: "wifi", state: "connecting", ssid: "Workshop" },
      { event: "wifi", state: "connected", ip: "192.168.4.23", hostname: "pyDirect-5a3c01" },
    ]);
    expect(bt.term.text).toContain(
      'PYDIRECT {"event":"wifi","state":"connected","ip":"192.168.4.23","hostname":"pyDirect-5a3c01"}\r\n',
    );
    // This board has no `webrtc` module registered: the services hook logs it and the REPL comes up.
    expect(bt.term.text).toMatch(/services: webrtc not available \(.*webrtc.*\)\r\n/);
    expect(bt.term.text).not.toContain(PASSWORD);
    expect(bt.app.wifi).toMatchObject({ ssid: "Workshop", ip: "192.168.4.23", hostname: "pyDirect-5a3c01" });
  });

  it("reports a wrong password and an unknown network as failures with a reason", async () => {
    bt = await startBoard();
    const wrong = await provisionAndReboot(
      bt,
      { "wifi.ssid": "Workshop", "wifi.password": "wrong-one" },
      (e) => e.state === "failed",
    );
    expect(wrong.at(-1)).toEqual({ event: "wifi", state: "failed", reason: "wrong-password" });
    const unknown = await provisionAndReboot(
      bt,
      { "wifi.ssid": "Nowhere", "wifi.password": "x" },
      (e) => e.state === "failed",
    );
    expect(unknown.at(-1)).toEqual({ event: "wifi", state: "failed", reason: "no-ap-found" });
    expect(bt.term.text).not.toContain("wrong-one");
  });

  it("reports a timeout when the network does not answer in wifi.connect_timeout", async () => {
    bt = await startBoard({ connectDelayMs: 5_000 });
    await enterRaw(bt.term);
    await bt.term.rawExec("from lib.sys import settings\nsettings.set('wifi.connect_timeout', 0.5)\nsettings.save()");
    const events = await provisionAndReboot(
      bt,
      { "wifi.ssid": "Workshop", "wifi.password": PASSWORD },
      (e) => e.state === "failed",
    );
    expect(events.at(-1)).toEqual({ event: "wifi", state: "failed", reason: "timeout" });
  });

  it("uses device.hostname when set, and the hostname prefix otherwise", async () => {
    bt = await startBoard();
    const named = await provisionAndReboot(
      bt,
      { "device.hostname": "greenhouse", "wifi.ssid": "Guest" },
      (e) => e.state === "connected",
    );
    expect(named[0]).toEqual({ event: "boot", version: "0.1.0", hostname: "greenhouse" });
    expect(named.at(-1)).toMatchObject({ hostname: "greenhouse" });
    const prefixed = await provisionAndReboot(
      bt,
      { "device.hostname": "", "wifi.hostname_prefix": "lab" },
      (e) => e.state === "connected",
    );
    expect(prefixed[0]).toMatchObject({ hostname: "lab-5a3c01" });
  });

  it("Ctrl-C stops main.py while it waits for Wi-Fi, and the REPL is usable", async () => {
    bt = await startBoard({ connectDelayMs: 10_000 });
    await enterRaw(bt.term);
    await bt.term.rawExec(
      `from lib.sys import settings\nsettings.set('wifi.ssid', 'Workshop')\nsettings.set('wifi.password', ${JSON.stringify(PASSWORD)})\nsettings.save()`,
    );
    bt.board.reset("normal");
    await bt.term.until('"state":"connecting"');
    await bt.term.send("\x03");
    const out = await bt.term.until(">>> ", 3_000);
    expect(out).toContain("KeyboardInterrupt");
    await bt.term.send("print('ok')\r");
    expect(await bt.term.until(">>> ")).toContain("ok\r\n");
  });
});
