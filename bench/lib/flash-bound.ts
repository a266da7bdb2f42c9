/**
 * The physical bound for writing an image onto the virtual board, from the same models the board
 * runs on, never from a measured time: no flasher can finish before the image's compressed stream
 * has crossed the link at the fastest rate the bridge carries, nor before the SPI NOR has erased
 * and programmed it. The bound is the larger of the two (they can overlap, the stub erasing and
 * programming while the next block arrives).
 *
 * - Wire: the image deflated as the stub inflates it (zlib, level 9, one stream per part), 10 bits
 *   a byte (start, 8 data, stop) at `maxBaud`; SLIP framing and command headers are left out, so
 *   the bound is, if anything, low.
 * - NOR: each part's sectors erased the way esptool's stub erases them (64 KiB blocks where a whole
 *   aligned block is covered, 4 KiB sectors elsewhere) and every byte of the part programmed, with
 *   the board's own SpiFlash and its data-sheet timings (rom/spi-flash.ts), on a scratch copy.
 *   The chip's own inflate and MD5 work, and everything before and after the write (reset, sync,
 *   stub upload, verification), is left out.
 */
import { deflate } from "pako";
import type { FlashPart } from "../../src/core/flash";
import { SECTOR_SIZE, SpiFlash } from "../../src/virtual-board/rom/spi-flash";

export interface FlashBound {
  /** max(wireMs, norMs) */
  ms: number;
  wireMs: number;
  norMs: number;
  compressedBytes: number;
  /**
   * A stricter NOR figure for a blank chip: only the sectors holding anything but 0xFF need
   * erasing and programming (erased padding is already there). Not the bound; shown
   * beside it because our job leaves such padding out.
   */
  norBlankAwareMs: number;
}

export function flashBound(parts: FlashPart[], maxBaud: number): FlashBound {
  const end = Math.max(...parts.map((p) => p.offset + p.data.length));
  const scratch = new SpiFlash(new Uint8Array(Math.ceil(end / SECTOR_SIZE) * SECTOR_SIZE).fill(0xff));
  let norMs = 0;
  let compressedBytes = 0;
  for (const part of parts) {
    const sectors = Math.ceil(part.data.length / SECTOR_SIZE) * SECTOR_SIZE;
    norMs += scratch.eraseRange(part.offset, sectors);
    norMs += scratch.program(part.offset, part.data);
    compressedBytes += deflate(part.data, { level: 9 }).length;
  }
  const wireMs = (compressedBytes * 10 * 1000) / maxBaud;
  let norBlankAwareMs = 0;
  for (const part of parts) {
    for (const run of sectorsWithData(part)) {
      norBlankAwareMs += scratch.eraseRange(run.start, run.end - run.start);
      norBlankAwareMs += scratch.program(
        run.start,
        part.data.subarray(run.start - part.offset, Math.min(part.data.length, run.end - part.offset)),
      );
    }
  }
  return { ms: Math.max(wireMs, norMs), wireMs, norMs, compressedBytes, norBlankAwareMs };
}

/** Flash ranges (whole sectors, merged) of `part` that hold anything but 0xFF. */
function sectorsWithData(part: FlashPart): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (let at = 0; at < part.data.length; at += SECTOR_SIZE) {
    if (part.data.subarray(at, at + SECTOR_SIZE).every((b) => b === 0xff)) continue;
    const start = part.offset + at;
    const last = out.at(-1);
    if (last && last.end === start) last.end = start + SECTOR_SIZE;
    else out.push({ start, end: start + SECTOR_SIZE });
  }
  return out;
}
