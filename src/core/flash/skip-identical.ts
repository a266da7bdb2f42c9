import { md5 } from "@noble/hashes/legacy.js";

/** A byte range inside a part, [start, end). */
export interface WriteRun {
  start: number;
  end: number;
}

export interface FlashDigests {
  md5(offset: number, length: number): Promise<string>;
}

export const SECTOR = 0x1000;
export const BLOCK = 0x10000;
/**
 * Probing a finer level costs one round trip per piece (a few ms) plus the chip reading it again;
 * writing a 64 KiB block costs about half a second at 921600 baud plus its erase. Probing pays
 * unless most of the part changed, which is what a different firmware looks like.
 */
const MAX_PIECES_TO_PROBE = 8;
const MAX_PROBED_FRACTION = 0.25;

export function md5Hex(data: Uint8Array): string {
  return Array.from(md5(data), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Comparison granularities, coarsest first: each level only looks inside what the previous found different. */
const LEVELS = [0x40000, BLOCK, SECTOR];

/**
 * Which parts of `data` (destined for `offset`) differ from what the flash already holds, found
 * by comparing MD5s the chip computes: 256 KiB pieces, then 64 KiB blocks inside the pieces that
 * differ, then 4 KiB sectors inside the blocks that differ. Ranges are aligned to flash sectors
 * (the unit the stub erases), clipped to the part, and adjacent ones merged. When most of a level
 * differs (a different firmware, a blank chip) it stops there and writes those ranges whole.
 */
export async function findDifferingRuns(flash: FlashDigests, offset: number, data: Uint8Array): Promise<WriteRun[]> {
  if (data.length === 0) return [];
  let ranges: WriteRun[] = [{ start: 0, end: data.length }];
  if (data.length <= LEVELS[0]! && (await flash.md5(offset, data.length)) === md5Hex(data)) return [];
  for (const unit of LEVELS.filter((u) => u < data.length)) {
    const next: WriteRun[] = [];
    for (const range of ranges) next.push(...(await differing(flash, offset, data, range.start, range.end, unit)));
    const units = Math.ceil(data.length / unit);
    ranges = next;
    if (ranges.length === 0) return [];
    if (ranges.length > MAX_PIECES_TO_PROBE && ranges.length > units * MAX_PROBED_FRACTION) break;
  }
  return merge(ranges);
}

/** The `unit`-aligned (in flash addresses) pieces of [start, end) whose MD5 differs. */
async function differing(flash: FlashDigests, offset: number, data: Uint8Array, start: number, end: number, unit: number): Promise<WriteRun[]> {
  const out: WriteRun[] = [];
  let at = start;
  while (at < end) {
    const absolute = offset + at;
    const next = Math.min(end, absolute - (absolute % unit) + unit - offset);
    const piece = data.subarray(at, next);
    // Hash our copy while the chip hashes its own.
    const theirs = flash.md5(absolute, piece.length);
    const ours = md5Hex(piece);
    if ((await theirs) !== ours) out.push({ start: at, end: next });
    at = next;
  }
  return out;
}

function merge(runs: WriteRun[]): WriteRun[] {
  const out: WriteRun[] = [];
  for (const run of runs) {
    const last = out[out.length - 1];
    if (last && last.end === run.start) last.end = run.end;
    else out.push({ ...run });
  }
  return out;
}
