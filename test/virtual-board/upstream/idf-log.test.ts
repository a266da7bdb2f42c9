/**
 * ESP-IDF's log on the virtual board's console: format and colours, levels and esp.osdebug, and
 * lines landing in the middle of whatever the REPL prints (a raw-REPL reply included) through
 * the interleave test hook. One plain MicroPython board (no device scripts) for the REPL parts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCbor, encodeCbor, IdfLog } from "../../../src/virtual-board/upstream";
import { matchWildcard } from "../../../src/virtual-board/httpserver/upstream-server-node";
import { upstreamBoard, WORKSHOP, type OpenConsole } from "../../core/upstream/upstream-board";

describe("IdfLog", () => {
  it("formats lines as ESP-IDF does, coloured or not, with the Wi-Fi library's glued tag", () => {
    let now = 1000;
    const log = new IdfLog({ now: () => now });
    log.chipBoot(() => undefined);
    now = 1234;
    expect(log.format(3, "wifi", "mode : sta (aa:bb)", true).wire).toBe(
      "\x1b[0;32mI (234) wifi:mode : sta (aa:bb)\x1b[0m\r\n",
    );
    expect(log.format(2, "HTTPSERVER", "x").wire).toBe("\x1b[0;33mW (234) HTTPSERVER: x\x1b[0m\r\n");
    expect(log.format(1, "t", "y").wire).toBe("\x1b[0;31mE (234) t: y\x1b[0m\r\n");
    expect(log.format(4, "t", "d").wire).toBe("D (234) t: d\r\n");
    expect(new IdfLog({ colors: false, now: () => now }).format(3, "network", "GOT_IP").wire).toMatch(
      /^I \(\d+\) network: GOT_IP\r\n$/,
    );
  });

  it("prints at the image's default level, never above CONFIG_LOG_MAXIMUM_LEVEL, and per tag", async () => {
    const out: string[] = [];
    const log = new IdfLog();
    log.chipBoot((b) => out.push(new TextDecoder().decode(b)));
    log.log(4, "t", "debug is above INFO");
    log.log(3, "t", "info");
    log.setLevel(5);
    log.log(4, "t", "still above the compiled maximum");
    log.setLevel(1, "quiet");
    log.log(3, "quiet", "silenced tag");
    log.log(1, "quiet", "errors still");
    await new Promise((r) => setTimeout(r, 5));
    expect(out.map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").replace(/\(\d+\)/, "(n)"))).toEqual([
      "I (n) t: info\r\n",
      "E (n) quiet: errors still\r\n",
    ]);
  });

  it("keeps its level across a soft reset and goes back to the default at a chip boot", () => {
    const log = new IdfLog();
    log.chipBoot(() => undefined);
    log.setLevel(1);
    log.attach(() => undefined);
    expect(log.levelFor()).toBe(1);
    log.chipBoot(() => undefined);
    expect(log.levelFor()).toBe(3);
  });
});

describe("WBP framing helpers", () => {
  it("round-trips the CBOR WBP uses and matches routes as ESP-IDF's wildcard matcher", () => {
    const frame = [1, 0, "print('é')", 0, "id-1", null, new Uint8Array([1, 2, 300 & 0xff])];
    expect(decodeCbor(encodeCbor(frame))).toEqual(frame);
    expect(encodeCbor([0, 1])).toEqual(new Uint8Array([0x82, 0x00, 0x01]));
    expect(() => decodeCbor(new Uint8Array([0x82, 0x00]))).toThrow(/ends inside/);
    expect(matchWildcard("/webrtc/offer", "/webrtc/offer")).toBe(true);
    expect(matchWildcard("/webrtc/offer", "/webrtc/offer/x")).toBe(false);
    expect(matchWildcard("/files/*", "/files/a/b")).toBe(true);
  });
});

describe("log lines on a running board's console", () => {
  let started: Awaited<ReturnType<typeof upstreamBoard>>;
  let term: OpenConsole;
  beforeAll(async () => {
    started = await upstreamBoard({ frozenFiles: {}, connectDelayMs: 100, openConsole: true });
    term = started.term!;
    await term.waitFor(">>> ");
  }, 30_000);
  afterAll(() => started.board.unplug());

  it("prints Wi-Fi and DHCP lines while the REPL works, and none after esp.osdebug(None) lowers the level to ERROR", async () => {
    let from = term.text().length;
    await term.write(
      `import network; s = network.WLAN(network.STA_IF); s.active(True); s.connect(${JSON.stringify(WORKSHOP.ssid)}, ${JSON.stringify(WORKSHOP.password)})\r`,
    );
    await term.waitFor(/I \(\d+\) network: GOT_IP/, 5000, from);
    expect(term.text().slice(from)).toMatch(/I \(\d+\) esp_netif_handlers: sta ip: 192\.168\.4\.23/);

    await term.write(
      "import esp; esp.osdebug(None); s.disconnect(); s.connect(" +
        JSON.stringify(WORKSHOP.ssid) +
        ", " +
        JSON.stringify(WORKSHOP.password) +
        ")\r",
    );
    from = term.text().length;
    await started.app.waitForWifi("connected", 5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(term.text().slice(from)).not.toMatch(/I \(\d+\)/);
    expect(started.app.idfLog.levelFor()).toBe(1);

    await term.write("esp.osdebug(0)\r");
    await term.waitFor(">>> ", 5000, term.text().length - 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(started.app.idfLog.levelFor()).toBe(3);
  });

  it("lands a forced line in the middle of a raw-REPL reply (the test hook)", async () => {
    await term.write("\x01");
    await term.waitFor("raw REPL; CTRL-B to exit\r\n>", 5000, term.text().length - 40);
    const from = term.text().length;
    const forced = started.app.idfLog.interleave(/MARK-\d+/, 3, "wifi", "sta is connecting, return ok");
    await term.write("print('MARK-' + str(6 * 7))\x04");
    const line = await forced;
    await term.waitFor("\x04>", 5000, from);
    const reply = term.text().slice(from);
    // The forced line sits inside the reply; other ESP-IDF lines (the Wi-Fi still settling) may too.
    expect(reply).toContain(`MAR${line.wire}K-42`);
    expect(reply.replace(/\x1b\[0;3\dm[EWI] \(\d+\) [^\r]*\x1b\[0m\r\n/g, "")).toBe("OKMARK-42\r\n\x04\x04>");
    await term.write("\x02");
  });
});
