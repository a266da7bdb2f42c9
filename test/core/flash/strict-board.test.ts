import { afterEach, describe, expect, it, vi } from "vitest";
import { ESPLoader } from "esptool-js";
import { FlashSession, flashParts, type FlashPart } from "../../../src/core/flash";
import { watchdogRegisters, quietWatchdogs } from "../../../src/core/flash/watchdogs";
import { VirtualBoard } from "../../../src/virtual-board";
import { CH340, CH9102, CHEAP_CH340_CLONE, CP2102N, FT232R } from "../../../src/virtual-board/usb-bridge";
import { syntheticFirmware } from "../../../bench/lib/synthetic-firmware";
import { expectedFlash, firstDifference } from "./helpers";

// The portal's flash job through the strict ROM and stub, on every simulated chip and every bridge
// profile (small images: this is about command shapes and limits, not speed). Every chip behind the
// default CP2102N, and each other bridge in turn behind one of the chips.
const CHIPS = ["ESP32", "ESP32-S3", "ESP32-C3", "ESP32-P4"] as const;
const BRIDGES = [CP2102N, CH340, FT232R, CH9102, CHEAP_CH340_CLONE];
const PAIRS = [
  ...CHIPS.map((chip) => ({ chip, bridge: CP2102N })),
  ...BRIDGES.slice(1).map((bridge, i) => ({ chip: CHIPS[i % CHIPS.length], bridge })),
];

function smallImage(seed: number): FlashPart[] {
  return [
    { name: "bootloader", offset: 0x0, data: syntheticFirmware({ size: 5_000, seed }) },
    { name: "app", offset: 0x10000, data: syntheticFirmware({ size: 24_000, seed: seed + 1 }) },
  ];
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the flash job on the strict virtual chip", () => {
  for (const [index, { chip, bridge }] of PAIRS.entries()) {
    it(`flashes an ${chip} behind a ${bridge.name}`, async () => {
      const board = new VirtualBoard({ chip, bridge, flashSize: 4 << 20 });
      const parts = smallImage(index * 10);
      const report = await flashParts(board.port, { parts });
      expect(report.chip.family).toBe(chip);
      expect(report.baudRate).toBeLessThanOrEqual(bridge.maxBaud);
      expect(firstDifference(board.flash, expectedFlash(new Uint8Array(4 << 20).fill(0xff), parts))).toBe(-1);
    });
  }

  for (const chip of ["ESP32-S3", "ESP32-C3", "ESP32-P4"] as const) {
    it(`flashes an ${chip} over USB-Serial-JTAG, quieting its watchdogs as esptool does`, async () => {
      // spyOn calls through to esptool-js's own writeReg.
      const spy = vi.spyOn(ESPLoader.prototype, "writeReg");
      const board = new VirtualBoard({ chip, usbSerialJtag: true, flashSize: 4 << 20 });
      const parts = smallImage(40);
      await flashParts(board.port, { parts });
      expect(firstDifference(board.flash, expectedFlash(new Uint8Array(4 << 20).fill(0xff), parts))).toBe(-1);
      const regs = watchdogRegisters(chip)!;
      const writes = spy.mock.calls.map(([addr, value]) => [addr, value]);
      expect(writes.slice(0, 3)).toEqual([
        [regs.wdtWriteProtect, regs.wdtKey],
        [regs.wdtConfig0, 0],
        [regs.wdtWriteProtect, 0],
      ]);
      expect(writes[4]).toEqual([regs.swdConfig, regs.swdAutoFeed >>> 0]);
    });
  }

  it("leaves the watchdogs alone behind a USB-UART bridge (esptool only quiets them on USB-Serial-JTAG)", async () => {
    const spy = vi.spyOn(ESPLoader.prototype, "writeReg");
    const board = new VirtualBoard({ chip: "ESP32-C3", flashSize: 4 << 20 });
    await flashParts(board.port, { parts: smallImage(50) });
    const regs = watchdogRegisters("ESP32-C3")!;
    expect(spy.mock.calls.some(([addr]) => addr === regs.wdtConfig0)).toBe(false);
  });

  it("refuses an image larger than the detected flash before writing anything", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3", flashSize: 1 << 20 });
    const parts = [{ name: "app", offset: 0x10000, data: syntheticFirmware({ size: 1 << 20, seed: 3 }) }];
    const err = await flashParts(board.port, { parts }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "invalid-parts" });
    expect((err as Error).message).toMatch(/app ends at 0x110000, beyond this board's 1 MB flash/);
    expect(board.flash.every((b) => b === 0xff)).toBe(true);
  });
});

describe("the stub told the real flash size (SPI_SET_PARAMS, as esptool's flash_set_parameters)", () => {
  it("fails a write that runs past the flash instead of letting the flash wrap it", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3", flashSize: 1 << 20 });
    board.flash.fill(0x00, 0x1000, 0x2000);
    const session = await FlashSession.open(board.port);
    try {
      const data = syntheticFirmware({ size: 0x3000, seed: 9 });
      const err = await session.write((1 << 20) - 0x1000, data).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "write-failed" });
      // The stub's erase-ahead (raw SPI commands, no bound) still wrapped to the flash's start and erased
      // it, but SPIWrite refused to program the image there.
      expect(board.flash.subarray(0x1000, 0x2000).every((b) => b === 0xff)).toBe(true);
    } finally {
      await session.close();
    }
  });
});

describe("quietWatchdogs", () => {
  it("runs esptool's disable_watchdogs sequence: unlock, disable the RTC WDT, lock; unlock, SWD auto-feed, lock", async () => {
    const regs = watchdogRegisters("ESP32-S3")!;
    const log: string[] = [];
    const registers = new Map<number, number>([[regs.swdConfig, 0x1234]]);
    await quietWatchdogs(
      {
        readReg: (addr) => {
          log.push(`r ${addr.toString(16)}`);
          return Promise.resolve(registers.get(addr) ?? 0);
        },
        writeReg: (addr, value) => {
          log.push(`w ${addr.toString(16)}=${value.toString(16)}`);
          return Promise.resolve();
        },
      },
      regs,
    );
    // esptool/targets/esp32s3.py: RTCCNTL_BASE_REG 0x60008000, WDT key 0x50D83AA1, SWD key 0x8F1D312A.
    expect(log).toEqual([
      "w 600080b0=50d83aa1",
      "w 60008098=0",
      "w 600080b0=0",
      "w 600080b8=8f1d312a",
      "r 600080b4",
      "w 600080b4=80001234",
      "w 600080b8=0",
    ]);
    expect(watchdogRegisters("ESP32")).toBeNull();
  });
});
