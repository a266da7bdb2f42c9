import { afterEach, describe, expect, it, vi } from "vitest";
import {
  FlashSession,
  InMemoryBaudMemory,
  describeBaud,
  flashParts,
  type BaudEvent,
  type FlashEvent,
} from "../../../src/core/flash";
import { syntheticFirmware } from "../../../bench/lib/synthetic-firmware";
import {
  CH340,
  CH9102,
  CHEAP_CH340_CLONE,
  CP2102N,
  FT232R,
  VirtualBoard,
  type UsbBridgeProfile,
} from "../../../src/virtual-board";
import { collect, expectedFlash, firstDifference, threePartImage } from "./helpers";

const blank = (board: VirtualBoard) => new Uint8Array(board.flash.length).fill(0xff);
const baudEvents = (events: FlashEvent[]) => events.filter((e): e is BaudEvent => e.state === "baud");
const decisions = (events: FlashEvent[]) => baudEvents(events).map((e) => `${e.decision} ${e.baudRate}`);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("flashing above 921,600 baud where the link carries it", () => {
  const cases: Array<[UsbBridgeProfile, string, number, string[]]> = [
    [CP2102N, "CP210x", 3_000_000, ["trying 3000000", "settled 3000000"]],
    [FT232R, "FT232R", 3_000_000, ["trying 3000000", "settled 3000000"]],
    // The ladder tops out at 3 Mbaud: the CH9102 could do 4, but the common bridges cannot.
    [CH9102, "CH9102", 3_000_000, ["trying 3000000", "settled 3000000"]],
    [CH340, "CH340", 2_000_000, ["trying 3000000", "refused 3000000", "trying 2000000", "settled 2000000"]],
    [
      CHEAP_CH340_CLONE,
      "CH340",
      921_600,
      [
        "trying 3000000",
        "refused 3000000",
        "trying 2000000",
        "refused 2000000",
        "trying 1500000",
        "refused 1500000",
        "settled 921600",
      ],
    ],
  ];

  for (const [bridge, device, expected, steps] of cases) {
    it(`settles at ${expected} on a ${bridge.name} (${bridge.maxBaud} baud) and writes a verified image`, async () => {
      const board = new VirtualBoard({ chip: "ESP32-S3", bridge });
      const parts = threePartImage(41);
      const { events, onEvent } = collect();
      const report = await flashParts(board.port, { parts, fastBaud: true }, onEvent);
      expect(report.baudRate).toBe(expected);
      expect(decisions(events)).toEqual(steps);
      expect(baudEvents(events).every((e) => e.device === device && e.usbId !== null)).toBe(true);
      const refusals = baudEvents(events).filter((e) => e.decision === "refused");
      expect(refusals.every((e) => e.reason === "link-check-failed")).toBe(true);
      expect(firstDifference(board.flash, expectedFlash(blank(board), parts))).toBe(-1);
      // Rates are tried after the stub runs, and settled before any byte of firmware is written.
      const states = events.map((e) => e.state);
      expect(states.indexOf("baud")).toBeGreaterThan(states.indexOf("stub-running"));
      expect(states.lastIndexOf("baud")).toBeLessThan(states.indexOf("writing"));
    });
  }

  it("says which rate and bridge in a form a log can show", () => {
    expect(describeBaud({ baudRate: 2_000_000, device: "CP210x" })).toBe("2,000,000 baud (CP210x)");
    expect(describeBaud({ baudRate: 921_600, device: null })).toBe("921,600 baud");
  });

  it("keeps the ROM's rate when the caller gives no fastBaud (921,600 as before)", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", bridge: CP2102N });
    const { events, onEvent } = collect();
    const report = await flashParts(board.port, { parts: threePartImage(43) }, onEvent);
    expect(report.baudRate).toBe(921_600);
    expect(baudEvents(events)).toEqual([]);
  });

  it("does not try faster rates when the ROM already had to go below the requested rate", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", linkMaxBaud: 460_800 });
    const { events, onEvent } = collect();
    const report = await flashParts(board.port, { parts: threePartImage(44), fastBaud: true }, onEvent);
    expect(report.baudRate).toBe(460_800);
    expect(decisions(events)).toEqual(["settled 460800"]);
  });
});

describe("what worked, per USB identity", () => {
  it("starts the next board behind the same kind of bridge at the remembered rate", async () => {
    const memory = new InMemoryBaudMemory();
    const first = new VirtualBoard({ chip: "ESP32-S3", bridge: CH340 });
    const one = collect();
    await flashParts(first.port, { parts: threePartImage(51), fastBaud: { memory } }, one.onEvent);
    expect(decisions(one.events)).toContain("refused 3000000");
    expect(memory.recall("1a86:7523")).toBe(2_000_000);

    const second = new VirtualBoard({ chip: "ESP32-S3", bridge: CH340, mac: new Uint8Array([2, 0, 0, 0, 0, 2]) });
    const two = collect();
    const report = await flashParts(second.port, { parts: threePartImage(52), fastBaud: { memory } }, two.onEvent);
    expect(report.baudRate).toBe(2_000_000);
    expect(baudEvents(two.events)[0]).toMatchObject({ decision: "trying", baudRate: 2_000_000, remembered: true });
    expect(decisions(two.events)).toEqual(["trying 2000000", "settled 2000000"]);
  });

  it("remembers the cheap bridge's 921,600, so the next one skips the rates it garbles", async () => {
    const memory = new InMemoryBaudMemory();
    const first = new VirtualBoard({ chip: "ESP32-S3", bridge: CHEAP_CH340_CLONE });
    await flashParts(first.port, { parts: threePartImage(53), fastBaud: { memory } });
    expect(memory.recall("1a86:7523")).toBe(921_600);
    const second = new VirtualBoard({ chip: "ESP32-S3", bridge: CHEAP_CH340_CLONE });
    const { events, onEvent } = collect();
    const parts = threePartImage(54);
    await flashParts(second.port, { parts, fastBaud: { memory } }, onEvent);
    expect(decisions(events)).toEqual(["settled 921600"]);
    expect(firstDifference(second.flash, expectedFlash(blank(second), parts))).toBe(-1);
  });

  it("keeps identities apart: a CP2102N board is not held to a CH340's rate", async () => {
    const memory = new InMemoryBaudMemory();
    memory.remember("1a86:7523", 921_600);
    const board = new VirtualBoard({ chip: "ESP32-S3", bridge: CP2102N });
    const report = await flashParts(board.port, { parts: threePartImage(55), fastBaud: { memory } });
    expect(report.baudRate).toBe(3_000_000);
    expect(memory.recall("10c4:ea60")).toBe(3_000_000);
  });
});

describe("USB-Serial-JTAG", () => {
  it("takes the data at USB speed without trying rates or remembering one", async () => {
    const memory = new InMemoryBaudMemory();
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true });
    const parts = threePartImage(61);
    const { events, onEvent } = collect();
    const report = await flashParts(board.port, { parts, fastBaud: { memory } }, onEvent);
    expect(decisions(events)).toEqual(["native-usb 115200"]);
    expect(baudEvents(events)[0]).toMatchObject({ usbId: "303a:1001", device: "USB-Serial-JTAG" });
    expect(report.baudRate).toBe(115_200);
    expect(memory.recall("303a:1001")).toBeUndefined();
    expect(firstDifference(board.flash, expectedFlash(blank(board), parts))).toBe(-1);
  });
});

describe("a write that fails at a fast rate", () => {
  it("steps down and resumes where the flash stopped matching, without rewriting what landed", async () => {
    const memory = new InMemoryBaudMemory();
    const board = new VirtualBoard({ chip: "ESP32-S3", bridge: CP2102N });
    const app = syntheticFirmware({ size: 1_000_000, seed: 71 });
    const parts = [...threePartImage(71).slice(0, 2), { name: "app", offset: 0x10000, data: app }];
    // Short exchanges at 3 Mbaud pass the link check; 400 KB into the job (deep into the app) the
    // bridge can no longer keep up with more than 2 Mbaud.
    board.injectFaults({ bridgeMaxBaudAfterBytes: { bytes: 400_000, maxBaud: 2_000_000 } });
    const writes: Array<{ offset: number; length: number; ok: boolean }> = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .call(this, …)
    const write = FlashSession.prototype.write;
    vi.spyOn(FlashSession.prototype, "write").mockImplementation(async function (
      this: FlashSession,
      offset,
      data,
      ...rest
    ) {
      const entry = { offset, length: data.length, ok: false };
      writes.push(entry);
      await write.call(this, offset, data, ...rest);
      entry.ok = true;
    });
    const { events, onEvent } = collect();
    const report = await flashParts(board.port, { parts, fastBaud: { memory } }, onEvent);

    expect(decisions(events)).toEqual([
      "trying 3000000",
      "settled 3000000",
      "refused 3000000",
      "trying 2000000",
      "settled 2000000",
    ]);
    expect(baudEvents(events)[2]).toMatchObject({ decision: "refused", reason: "write-failed" });
    expect(report.baudRate).toBe(2_000_000);
    expect(memory.recall("10c4:ea60")).toBe(2_000_000);
    expect(firstDifference(board.flash, expectedFlash(blank(board), parts))).toBe(-1);

    const failed = writes.findIndex((w) => !w.ok);
    expect(failed).toBeGreaterThan(0);
    const { offset, length } = writes[failed];
    const resumed = writes.slice(failed + 1).filter((w) => w.offset < offset + length && w.offset + w.length > offset);
    // The failed range is taken up past its start, and less of it is sent again than it holds.
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed[0].offset).toBeGreaterThan(offset);
    expect(resumed.reduce((sum, w) => sum + w.length, 0)).toBeLessThan(length);
    // Nothing is counted twice: the part's bytes were each written once.
    expect(report.bytesWritten + report.bytesSkipped).toBe(parts.reduce((s, p) => s + p.data.length, 0));
    // Progress never went backwards across the step down.
    const appProgress = events
      .filter((e) => e.state === "writing" && e.part === "app")
      .map((e) => (e as { written: number }).written);
    expect([...appProgress].sort((a, b) => a - b)).toEqual(appProgress);
  }, 60_000);

  it("fails as before when the write fails at the ROM's rate (nothing slower to step to)", async () => {
    const memory = new InMemoryBaudMemory();
    memory.remember("1a86:7523", 921_600);
    const board = new VirtualBoard({ chip: "ESP32-S3", bridge: CHEAP_CH340_CLONE });
    board.injectFaults({ bridgeMaxBaudAfterBytes: { bytes: 60_000, maxBaud: 460_800 } });
    const { events, onEvent } = collect();
    const err = await flashParts(board.port, { parts: threePartImage(72), fastBaud: { memory } }, onEvent).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "write-failed" });
    expect(decisions(events)).toEqual(["settled 921600"]);
    expect(memory.recall("1a86:7523")).toBe(921_600);
  }, 60_000);
});
