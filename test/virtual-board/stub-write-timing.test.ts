import { describe, expect, it } from "vitest";
import { deflate } from "pako";
import { FlashWriteSession, type StubClock } from "../../src/virtual-board/rom/flash-write";
import { CPU_RATES, NOR_TIMING, SpiFlash } from "../../src/virtual-board/rom/spi-flash";

// The stub's order of work for compressed data (esptool-legacy-flasher-stub, stub_write_flash.c),
// replayed on the model's two clocks with no wall clock involved:
// - handle_flash_deflated_data calls start_next_erase before each tinfl_decompress call, and
//   start_next_erase issues an erase only when the flash is idle and does not wait for it;
// - the inflater fills a 32 KiB out_buf, written out by handle_flash_data only when full (or at
//   the stream's end);
// - handle_flash_data first erases through the sector holding byte next_write + length, then
//   waits for the flash, then programs (SPIWrite waits for every page).
const OFFSET = 0x10000;
const PAGE_MS = NOR_TIMING.pageProgramMs;

/** Bytes that do not compress, so a compressed block inflates to about its own size. */
function noise(size: number, seed: number): Uint8Array {
  let x = seed;
  return new Uint8Array(size).map(() => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
}

function session(size: number): { flash: SpiFlash; write: FlashWriteSession } {
  const flash = new SpiFlash(new Uint8Array(1 << 20).fill(0x00));
  return { flash, write: new FlashWriteSession(flash, OFFSET, size, true, true) };
}

describe("the stub's compressed write, on its CPU and flash clocks", () => {
  it("inflates while the erase it just started runs, and programs only once out_buf is full", () => {
    const data = noise(0x10000, 1);
    const stream = deflate(data);
    const { flash, write } = session(data.length);
    const clock: StubClock = { cpu: 0, flash: 0 };

    // A first block that inflates to less than out_buf: the 64 KiB block erase is started and left
    // running, the inflate runs alongside it, nothing is programmed yet.
    const first = stream.subarray(0, 0x2000);
    expect(write.feed(first, clock)).toEqual({ ok: true, ms: 0 });
    expect(write.written).toBe(0);
    expect(clock.flash).toBe(NOR_TIMING.blockEraseMs);
    expect(clock.cpu).toBeGreaterThan(0);
    expect(clock.cpu).toBeLessThan(NOR_TIMING.blockEraseMs);
    // The erase has happened on the array: the stub erases ahead of the data it has.
    expect(flash.bytes.subarray(OFFSET, OFFSET + 0x10000).every((b) => b === 0xff)).toBe(true);

    // The rest: out_buf fills twice (2 × 32 KiB); each write waits for the flash, then programs.
    expect(write.feed(stream.subarray(first.length), clock)).toEqual({ ok: true, ms: 0 });
    expect(write.written).toBe(data.length);
    const programMs = (data.length / 256) * PAGE_MS;
    const inflateMs = data.length / CPU_RATES.inflateBytesPerMs;
    // Everything the CPU did after the erase started overlapped it except what came after it:
    // at least erase + programming, and less than all of it in series.
    expect(clock.cpu).toBeGreaterThanOrEqual(NOR_TIMING.blockEraseMs + programMs);
    expect(clock.cpu).toBeLessThan(NOR_TIMING.blockEraseMs + programMs + inflateMs);
    expect(flash.bytes.subarray(OFFSET, OFFSET + data.length)).toEqual(data);
  });

  it("starts no erase before it has data, and none while the flash is busy", () => {
    const data = noise(0x20000, 2);
    const stream = deflate(data);
    const { flash, write } = session(data.length);
    // FLASH_DEFL_BEGIN alone erases nothing (handle_flash_begin only records the region).
    expect(flash.bytes[OFFSET]).toBe(0x00);
    // With the flash still busy (an erase from earlier work running), the first inflate call starts
    // no erase of its own.
    const clock: StubClock = { cpu: 0, flash: 1_000 };
    write.feed(stream.subarray(0, 32), clock);
    expect(clock.flash).toBe(1_000);
    expect(flash.bytes[OFFSET]).toBe(0x00);
  });

  it("without the clocks (the ROM's way, answering when done) charges everything in series", () => {
    const data = noise(0x8000, 3);
    const flash = new SpiFlash(new Uint8Array(1 << 20).fill(0x00));
    const write = new FlashWriteSession(flash, OFFSET, data.length, true, false);
    const erase = write.eraseAll(data.length);
    const result = write.feed(deflate(data));
    expect(result.ok).toBe(true);
    const ms = result.ok ? result.ms : 0;
    expect(erase).toBe(8 * NOR_TIMING.sectorEraseMs);
    expect(ms).toBeCloseTo((data.length / 256) * PAGE_MS + data.length / CPU_RATES.inflateBytesPerMs, 6);
  });
});
