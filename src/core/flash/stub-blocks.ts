/**
 * Where to cut a compressed stream into FLASH_DEFL_DATA blocks for esptool's flasher stub, so that
 * its flash chip waits as little as possible. What the stub does with a block, from its sources
 * (espressif/esptool-legacy-flasher-stub, flasher_stub/):
 * - stub_flasher.c cmd_loop answers a block when it takes it up, then processes it; the host
 *   sends the next block on that answer, and the stub receives it (by interrupt, into its second
 *   buffer) while it processes the current one. It takes a block only once all of it has come,
 *   and starts erasing only while it processes data (stub_write_flash.c start_next_erase).
 * - stub_write_flash.c handle_flash_deflated_data inflates into a 32 KiB buffer and programs the
 *   flash only when that buffer is full (or the stream ends); programming holds the CPU until the
 *   flash is done (SPIWrite). Between those writes it only inflates and starts erases.
 * So a block that fills the buffer keeps the stub busy for the ~90 ms a 32 KiB program takes, long
 * enough for a whole 16 KiB block to arrive meanwhile; a block that does not is done in a few ms,
 * and the stub (and the flash, once nothing is left to erase) then waits for the next block to
 * cross the wire. The plan: a short first block (which sets the first erase going a few ms after
 * FLASH_DEFL_BEGIN); then each 32 KiB of output carried by full 16 KiB blocks, which arrive during
 * the previous program, and last by a block holding just the rest of it, which is on the wire only
 * briefly. The stream was flushed at every 32 KiB of input (work-ahead.ts), so where each fill
 * completes is known exactly.
 */
import { STUB_OUT_BUF, type CompressedStream } from "./work-ahead";

/** stub_flasher.h MAX_WRITE_BLOCK: the stub's receive buffer, the most one block may carry. */
export const STUB_MAX_BLOCK = 0x4000;
/** The first block of a stream: small, so the stub starts its first erase a few ms after FLASH_DEFL_BEGIN. */
export const FIRST_STUB_BLOCK = 0x400;

/** One block: compressed bytes [start, end), after which the stub has inflated at least `inflated` bytes. */
export interface StubBlock {
  start: number;
  end: number;
  inflated: number;
}

/** Cut `stream` into blocks per the plan above; `size` is what it inflates to. */
export function planStubBlocks(stream: CompressedStream, size: number, maxBlock = STUB_MAX_BLOCK): StubBlock[] {
  const length = stream.bytes.length;
  const blocks: StubBlock[] = [];
  let pos = 0;
  let inflated = 0;
  const push = (end: number, out: number) => {
    blocks.push({ start: pos, end, inflated: out });
    pos = end;
  };
  if (length > 0) push(Math.min(length, FIRST_STUB_BLOCK), 0);
  // Each fill of the stub's buffer: the sync points, then the stream's end.
  const fills = [...stream.syncPoints.map((at, i) => ({ at, out: (i + 1) * STUB_OUT_BUF })), { at: length, out: size }];
  for (const fill of fills) {
    if (fill.at <= pos) {
      inflated = Math.max(inflated, fill.out);
      continue;
    }
    while (fill.at - pos > maxBlock) push(pos + maxBlock, inflated);
    push(fill.at, fill.out);
    inflated = fill.out;
  }
  return blocks;
}

/** The ROM's fixed blocks, with what they inflate to estimated in proportion (progress only). */
export function romBlocks(length: number, size: number, blockSize: number): StubBlock[] {
  const blocks: StubBlock[] = [];
  for (let start = 0; start < length; start += blockSize) {
    const end = Math.min(length, start + blockSize);
    blocks.push({ start, end, inflated: Math.round((size * end) / length) });
  }
  return blocks;
}
