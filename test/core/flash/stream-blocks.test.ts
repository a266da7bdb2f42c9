import { describe, expect, it } from "vitest";
import { Inflate, inflate } from "pako";
import { flashParts } from "../../../src/core/flash";
import { planStubBlocks } from "../../../src/core/flash/stub-blocks";
import { compressNow } from "../../../src/core/flash/work-ahead";
import { syntheticFirmware } from "../../../bench/lib/synthetic-firmware";
import { VirtualBoard } from "../../../src/virtual-board";
import { expectedFlash, firstDifference, threePartImage } from "./helpers";

const FLASH_DEFL_BEGIN = 0x10;
const FLASH_DEFL_DATA = 0x11;

/** The command frames the host sends the board, SLIP-decoded: op and data length. */
function recordCommands(board: VirtualBoard): Array<{ op: number; dataLength: number; offset: number }> {
  const frames: Array<{ op: number; dataLength: number; offset: number }> = [];
  let frame: number[] | null = null;
  let escaped = false;
  const write = board.hostWrite.bind(board);
  board.hostWrite = (bytes, from) => {
    for (const b of bytes) {
      if (b === 0xc0) {
        if (frame && frame.length >= 8 && frame[0] === 0) {
          const f = frame;
          const word = (i: number) => (f[i] | (f[i + 1] << 8) | (f[i + 2] << 16) | (f[i + 3] << 24)) >>> 0;
          frames.push({ op: f[1], dataLength: f[2] | (f[3] << 8), offset: f.length >= 24 ? word(20) : 0 });
        }
        frame = [];
      } else if (frame) {
        if (escaped) frame.push(b === 0xdc ? 0xc0 : 0xdb);
        else if (b !== 0xdb) frame.push(b);
        escaped = b === 0xdb;
      }
    }
    return write(bytes, from);
  };
  return frames;
}

describe("the compressed streams the flash job sends the stub", () => {
  it("starts each stream with a short block, and writes a long run as two streams", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const before = board.flash.slice();
    const parts = threePartImage(21);
    const frames = recordCommands(board);
    await flashParts(board.port, { parts });
    expect(firstDifference(board.flash, expectedFlash(before, parts))).toBe(-1);

    const begins = frames.flatMap((f, i) => (f.op === FLASH_DEFL_BEGIN ? [i] : []));
    // Bootloader, partition table, and the 300 KB app at 0x10000 cut at 0x40000.
    expect(begins.map((i) => frames[i].offset)).toEqual([0x0, 0x8000, 0x10000, 0x40000]);
    for (const i of begins) {
      const first = frames.slice(i + 1).find((f) => f.op === FLASH_DEFL_DATA);
      // 16 bytes of block header, then at most 1 KiB of the stream.
      expect(first && first.dataLength - 16).toBeLessThanOrEqual(0x400);
    }
    // Later blocks are the full 16 KiB.
    expect(Math.max(...frames.filter((f) => f.op === FLASH_DEFL_DATA).map((f) => f.dataLength))).toBe(0x4000 + 16);
  });
});

describe("planStubBlocks", () => {
  it("cuts after a short first block, then where the stub's 32 KiB buffer fills, full blocks first", () => {
    const data = syntheticFirmware({ size: 300_000, seed: 5 });
    const stream = compressNow(data);
    expect(inflate(stream.bytes)).toEqual(data);
    const blocks = planStubBlocks(stream, data.length);
    expect(blocks[0]).toMatchObject({ start: 0, end: 0x400 });
    for (const [i, b] of blocks.entries()) {
      expect(b.end - b.start).toBeGreaterThan(0);
      expect(b.end - b.start).toBeLessThanOrEqual(0x4000);
      if (i > 0) expect(b.start).toBe(blocks[i - 1].end);
    }
    expect(blocks.at(-1)).toMatchObject({ end: stream.bytes.length, inflated: data.length });
    // Every 32 KiB of output is complete at the end of a block: the sync points are block ends.
    const ends = new Set(blocks.map((b) => b.end));
    expect(stream.syncPoints.length).toBe(Math.floor((data.length - 1) / 0x8000));
    for (const at of stream.syncPoints) expect(ends.has(at)).toBe(true);
    // And the compressed bytes up to a sync point inflate to exactly that many 32 KiB of the data.
    const third = stream.syncPoints[2];
    const inflater = new Inflate();
    let out = 0;
    inflater.onData = (chunk: Uint8Array) => {
      out += chunk.length;
    };
    inflater.push(stream.bytes.subarray(0, third), 2); // Z_SYNC_FLUSH: hand over all output so far
    expect(out).toBe(3 * 0x8000);
  });
});
