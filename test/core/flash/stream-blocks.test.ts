import { describe, expect, it } from "vitest";
import { flashParts } from "../../../src/core/flash";
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
