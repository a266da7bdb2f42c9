import { afterEach, describe, expect, it } from "vitest";
import { demoParts } from "../../../scripts/lib/demo-firmware";
import { VirtualBoard } from "../../../src/virtual-board";
import { enterRaw, startBoard, type BoardUnderTest } from "./board-harness";

let bt: BoardUnderTest | undefined;
afterEach(() => {
  bt?.term.close();
  bt?.board.unplug();
  bt = undefined;
});

/** Connects from Python and reports the final status and how long the attempt took (ms). */
const CONNECT = (ssid: string, key: string) => `import network, time
w = network.WLAN(network.STA_IF)
w.active(True)
t0 = time.ticks_ms()
w.connect(${JSON.stringify(ssid)}, ${JSON.stringify(key)})
seen = w.status()
while w.status() == network.STAT_CONNECTING:
    time.sleep_ms(50)
print(seen, w.status(), w.isconnected(), time.ticks_diff(time.ticks_ms(), t0))`;

function parse(out: string): { first: number; final: number; connected: boolean; ms: number } {
  const [first, final, connected, ms] = out.trim().split(" ");
  return { first: Number(first), final: Number(final), connected: connected === "True", ms: Number(ms) };
}

describe("simulated network module", () => {
  it("scans visible access points, strongest first, in MicroPython's tuple format", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [out, err] = await bt.term.rawExec(
      "import network\nw = network.WLAN(network.STA_IF)\nw.active(True)\nfor ssid, bssid, ch, rssi, auth, hidden in w.scan():\n    print(ssid, len(bssid), ch, rssi, auth, hidden)",
    );
    expect(err).toBe("");
    expect(out).toBe("b'Workshop' 6 6 -48 3 False\r\nb'Guest' 6 11 -71 0 False\r\nb'Attic' 6 1 -80 3 False\r\n");
    const [, inactive] = await bt.term.rawExec("w.active(False)\nw.scan()");
    expect(inactive).toContain("OSError: Wifi Not Started");
  });

  it("connects with the right passphrase after the configured delay, with address and hostname", async () => {
    bt = await startBoard({ connectDelayMs: 600 });
    await enterRaw(bt.term);
    const [out, err] = await bt.term.rawExec(CONNECT("Workshop", "correct horse battery"));
    expect(err).toBe("");
    const r = parse(out);
    expect(r).toMatchObject({ first: 1001, final: 1010, connected: true });
    expect(r.ms).toBeGreaterThanOrEqual(550);
    const [cfg] = await bt.term.rawExec(
      "print(w.ifconfig())\nprint(w.config('ssid'))\nnetwork.hostname('bench-7')\nprint(network.hostname(), w.config('hostname'))",
    );
    expect(cfg).toBe(
      "('192.168.4.23', '255.255.255.0', '192.168.4.1', '192.168.4.1')\r\nWorkshop\r\nbench-7 bench-7\r\n",
    );
    expect(bt.app.wifi).toMatchObject({ ssid: "Workshop", ip: "192.168.4.23", hostname: "bench-7", status: 1010 });
  });

  it("fails with STAT_WRONG_PASSWORD and STAT_NO_AP_FOUND, and joins a hidden network by name", async () => {
    bt = await startBoard({ connectDelayMs: { wrongPassword: 400, noApFound: 500, connected: 200 } });
    await enterRaw(bt.term);
    const wrong = parse((await bt.term.rawExec(CONNECT("Workshop", "not the password")))[0]);
    expect(wrong).toMatchObject({ first: 1001, final: 202, connected: false });
    expect(wrong.ms).toBeGreaterThanOrEqual(350);
    const unknown = parse((await bt.term.rawExec(CONNECT("Nowhere", "whatever")))[0]);
    expect(unknown).toMatchObject({ final: 201, connected: false });
    expect(unknown.ms).toBeGreaterThanOrEqual(450);
    const hidden = parse((await bt.term.rawExec(CONNECT("Hidden Lab", "hidden-pass-1")))[0]);
    expect(hidden).toMatchObject({ final: 1010, connected: true });
    const open = parse((await bt.term.rawExec(CONNECT("Guest", "")))[0]);
    expect(open).toMatchObject({ final: 1010, connected: true });
  });

  it("takes a realistic 1–3 s by default", async () => {
    bt = await startBoard({ connectDelayMs: undefined });
    await enterRaw(bt.term);
    const ok = parse((await bt.term.rawExec(CONNECT("Workshop", "correct horse battery")))[0]);
    expect(ok.final).toBe(1010);
    expect(ok.ms).toBeGreaterThanOrEqual(1000);
    expect(ok.ms).toBeLessThanOrEqual(3500);
  });

  it("reports the board's factory MAC as station MAC and machine.unique_id, soft-AP MAC + 1", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [out] = await bt.term.rawExec(
      "import network, machine, binascii\nprint(binascii.hexlify(network.WLAN(network.STA_IF).config('mac')))\nprint(binascii.hexlify(machine.unique_id()))\nprint(binascii.hexlify(network.WLAN(network.AP_IF).config('mac')))",
    );
    const mac = Array.from(bt.board.identity.mac, (b) => b.toString(16).padStart(2, "0")).join("");
    const apMac = mac.slice(0, 10) + ((bt.board.identity.mac[5] + 1) & 0xff).toString(16).padStart(2, "0");
    expect(out).toBe(`b'${mac}'\r\nb'${mac}'\r\nb'${apMac}'\r\n`);
  });

  it("identifies as the ESP32 port: sys.platform, sys.implementation._machine, os.uname()", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [out, err] = await bt.term.rawExec(
      "import sys, os\nprint(sys.platform, sys.implementation._machine)\nu = os.uname()\nprint(u.sysname, u.release, u.machine)\nprint(sys.path[0] == '', type(sys.modules) is dict)",
    );
    expect(err).toBe("");
    expect(out).toBe("esp32 pyDirect with ESP32S3\r\nesp32 1.27.0 pyDirect with ESP32S3\r\nTrue True\r\n");
    expect(bt.term.text).toContain("MicroPython v1.27.0 on 2025-12-10; pyDirect with ESP32S3\r\n");
  });

  it("boots a classic ESP32 with its own MAC and names it", async () => {
    const mac = new Uint8Array([0x30, 0xae, 0xa4, 0x12, 0x34, 0xff]);
    const board = new VirtualBoard({ chip: "ESP32", mac });
    for (const part of demoParts("ESP32")) board.flash.set(part.data, part.offset);
    bt = await startBoard({}, board);
    expect(bt.term.text).toContain('PYDIRECT {"event":"boot","version":"0.1.0","hostname":"pyDirect-1234ff"}');
    await enterRaw(bt.term);
    const [out] = await bt.term.rawExec(
      "import sys, network, binascii\nprint(sys.implementation._machine, binascii.hexlify(network.WLAN(network.AP_IF).config('mac')))",
    );
    // The soft-AP MAC is base + 1 with the carry into the next byte.
    expect(out).toBe("pyDirect with ESP32 b'30aea4123500'\r\n");
  });
});
