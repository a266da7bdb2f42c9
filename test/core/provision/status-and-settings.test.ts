import { afterEach, describe, expect, it } from "vitest";
import {
  awaitWifiOutcome,
  getSetting,
  mergeSettings,
  parseSettings,
  parseStatusLine,
  resetBoard,
  serializeSettings,
} from "../../../src/core/provision";
import { RawRepl } from "../../../src/core/repl";
import type { VirtualBoard } from "../../../src/virtual-board";
import { bootedBoard } from "../repl/board-fixture";
import { scriptedReplDevice } from "../repl/scripted-repl-device";

describe("settings files", () => {
  it("merges dotted keys into nested JSON and keeps the user's other keys", () => {
    const user = { wifi: { ssid: "old", retries: 5 }, led: { pin: 48 }, setup_mode: true };
    const merged = mergeSettings(user, { "wifi.ssid": "new", "server.https_enabled": true, "device.hostname": "b-1" });
    expect(merged).toEqual({
      wifi: { ssid: "new", retries: 5 },
      led: { pin: 48 },
      setup_mode: true,
      server: { https_enabled: true },
      device: { hostname: "b-1" },
    });
    expect(user.wifi.ssid).toBe("old");
    expect(getSetting(merged, "wifi.retries")).toBe(5);
    expect(getSetting(merged, "nope.deeper")).toBeUndefined();
    // A scalar where an object is needed is replaced, not crashed on.
    expect(mergeSettings({ wifi: "broken" }, { "wifi.ssid": "x" })).toEqual({ wifi: { ssid: "x" } });
  });

  it("tells a broken file apart from a valid one", () => {
    expect(parseSettings('{"a":1}')).toEqual({ a: 1 });
    expect(parseSettings("{not json")).toBeNull();
    expect(parseSettings("[1,2]")).toBeNull();
    expect(new TextDecoder().decode(serializeSettings({ s: 'é"\\\n' }))).toBe('{\n  "s": "é\\"\\\\\\n"\n}\n');
  });
});

describe("status lines", () => {
  it("parses PYDIRECT lines and ignores everything else", () => {
    expect(
      parseStatusLine('PYDIRECT {"event":"wifi","state":"connected","ip":"192.168.4.23","hostname":"h"}\r'),
    ).toEqual({
      event: "wifi",
      state: "connected",
      ip: "192.168.4.23",
      hostname: "h",
    });
    expect(parseStatusLine('noise PYDIRECT {"event":"boot"}')).toEqual({ event: "boot" });
    for (const line of ["I (123) wifi: connected", 'PYDIRECT {"event":', "PYDIRECT [1]", 'PYDIRECT {"state":1}']) {
      expect(parseStatusLine(line)).toBeNull();
    }
  });
});

describe("reset and Wi-Fi outcome on a scripted board", () => {
  let repl: RawRepl | undefined;
  afterEach(async () => {
    await repl?.close().catch(() => undefined);
    repl = undefined;
  });

  async function boardPrinting(
    lines: string[],
    opts: { resetWorks?: boolean; tinyUsbCdc?: boolean } = {},
  ): Promise<VirtualBoard> {
    const device = scriptedReplDevice({
      rawPaste: true,
      bootLines: lines,
      answer: (code) => {
        if (code.includes("machine.reset()")) {
          if (opts.resetWorks ?? true) setTimeout(() => board.reset("normal"), 5);
          return { hang: true };
        }
        return { stdout: "" };
      },
    });
    const cdc = opts.tinyUsbCdc
      ? { usbSerialJtag: true, connection: { cables: ["native" as const], appUsb: "usb-cdc" as const } }
      : {};
    const board = await bootedBoard({ app: device.factory, ...cdc });
    // TinyUSB CDC: the app's port enumerates after the boot (USB_ENUMERATION_MS).
    if (opts.tinyUsbCdc) await new Promise((r) => setTimeout(r, 300));
    return board;
  }

  const cases: [string[], unknown][] = [
    [
      [
        'PYDIRECT {"event":"boot","version":"0.1.0"}',
        'PYDIRECT {"event":"wifi","state":"connecting","ssid":"W"}',
        'PYDIRECT {"event":"wifi","state":"connected","ip":"10.0.0.9","hostname":"pyDirect-5a3c01"}',
      ],
      { state: "connected", ip: "10.0.0.9", hostname: "pyDirect-5a3c01" },
    ],
    [
      ['PYDIRECT {"event":"wifi","state":"failed","reason":"wrong-password"}'],
      { state: "failed", reason: "wrong-password", error: { code: "wifi-wrong-password", action: "check-wifi" } },
    ],
    [
      ['PYDIRECT {"event":"wifi","state":"failed","reason":"no-ap-found"}'],
      { state: "failed", reason: "network-not-found", error: { code: "wifi-network-not-found" } },
    ],
    [
      ['PYDIRECT {"event":"wifi","state":"failed","reason":"timeout"}'],
      { state: "failed", reason: "timeout", error: { code: "wifi-timeout" } },
    ],
    [['PYDIRECT {"event":"boot"}'], { state: "failed", reason: "timeout", error: { code: "wifi-timeout" } }],
    [[], { state: "failed", reason: "timeout", error: { code: "no-status" } }],
  ];

  it.each(cases)("after machine.reset() the board prints %j → %j", async (lines, expected) => {
    const board = await boardPrinting(lines);
    repl = await RawRepl.open(board.port);
    let outcome: Promise<unknown> | undefined;
    expect(
      await resetBoard(repl, () => {
        outcome = awaitWifiOutcome(repl!.connection, { timeoutMs: 1500 });
      }),
    ).toBe("machine-reset");
    expect(await outcome).toMatchObject(expected as object);
  });

  it("falls back to the RTS line when machine.reset() does nothing, without entering download mode", async () => {
    const board = await boardPrinting(
      ['PYDIRECT {"event":"wifi","state":"connected","ip":"10.0.0.2","hostname":"x"}'],
      { resetWorks: false },
    );
    repl = await RawRepl.open(board.port);
    let outcome: Promise<unknown> | undefined;
    expect(
      await resetBoard(repl, () => {
        outcome = awaitWifiOutcome(repl!.connection, { timeoutMs: 6000 });
      }),
    ).toBe("rts-reset");
    expect(await outcome).toMatchObject({ state: "connected", ip: "10.0.0.2" });
    expect(board.mode).toBe("app");
  }, 15_000);

  it("on a TinyUSB CDC console, soft-resets through the REPL instead: DTR low with RTS high means the bootloader", async () => {
    const board = await boardPrinting(
      ['PYDIRECT {"event":"wifi","state":"connected","ip":"10.0.0.3","hostname":"x"}'],
      { resetWorks: false, tinyUsbCdc: true },
    );
    const port = board.port;
    expect(port.getInfo()).toEqual({ usbVendorId: 0x303a, usbProductId: 0x4001 });
    const lines: { dtr: boolean; rts: boolean }[] = [];
    let dtr = true;
    let rts = true;
    const setSignals = port.setSignals.bind(port);
    port.setSignals = (signals) => {
      dtr = signals.dataTerminalReady ?? dtr;
      rts = signals.requestToSend ?? rts;
      lines.push({ dtr, rts });
      return setSignals(signals);
    };
    repl = await RawRepl.open(port);
    let outcome: Promise<unknown> | undefined;
    const how = await resetBoard(repl, () => {
      outcome = awaitWifiOutcome(repl!.connection, { timeoutMs: 6000 });
    });
    expect(how).toBe("soft-reset");
    expect(await outcome).toMatchObject({ state: "connected", ip: "10.0.0.3" });
    expect(lines.filter((l) => !l.dtr && l.rts)).toEqual([]);
    expect(board.mode).toBe("app");
    expect(board.port).toBe(port);
  }, 15_000);
});
