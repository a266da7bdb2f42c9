import { md5 } from "@noble/hashes/legacy.js";
import { md5Ahead } from "./work-ahead";

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
/** The head of a piece compared on its own: two sectors, a millisecond of the chip's hashing. */
const HEAD_PROBE = 2 * SECTOR;

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
 * differs, or every piece holding data does (a different firmware, a blank chip), it stops there
 * and writes those ranges whole, less the 0xFF padding the flash already holds erased.
 */
export async function findDifferingRuns(
  flash: FlashDigests,
  offset: number,
  data: Uint8Array,
  /** The part before this one differed (a blank chip, another firmware): probe heads first from the start. */
  previousDiffered = false,
): Promise<WriteRun[]> {
  if (data.length === 0) return [];
  let ranges: WriteRun[] = [{ start: 0, end: data.length }];
  if (data.length <= LEVELS[0] && (await sameOnFlash(flash, offset, data, previousDiffered))) return [];
  const seen: LevelStats = { lastDiffered: previousDiffered, withData: 0, withDataDiffering: 0 };
  for (const unit of LEVELS.filter((u) => u < data.length)) {
    const next: WriteRun[] = [];
    seen.withData = seen.withDataDiffering = 0;
    for (const range of ranges)
      next.push(...(await differing(flash, offset, data, range.start, range.end, unit, seen)));
    const units = Math.ceil(data.length / unit);
    ranges = next;
    if (ranges.length === 0) return [];
    if (ranges.length > MAX_PIECES_TO_PROBE && ranges.length > units * MAX_PROBED_FRACTION) break;
    // Identical blocks inside pieces that all differ are unlikely; padding is found below.
    if (seen.withData > 1 && seen.withDataDiffering === seen.withData) break;
  }
  return skipErasedStretches(flash, offset, data, merge(ranges));
}

/** What one level of the comparison found so far. */
interface LevelStats {
  /** Whether the last piece compared differed: then the next one probably does too. */
  lastDiffered: boolean;
  /** Pieces holding anything but 0xFF, and how many of those differ. */
  withData: number;
  withDataDiffering: number;
}

/** The `unit`-aligned (in flash addresses) pieces of [start, end) whose MD5 differs. */
async function differing(
  flash: FlashDigests,
  offset: number,
  data: Uint8Array,
  start: number,
  end: number,
  unit: number,
  stats: LevelStats,
): Promise<WriteRun[]> {
  const out: WriteRun[] = [];
  let at = start;
  while (at < end) {
    const absolute = offset + at;
    const next = Math.min(end, absolute - (absolute % unit) + unit - offset);
    const piece = data.subarray(at, next);
    const same = await sameOnFlash(flash, absolute, piece, stats.lastDiffered);
    stats.lastDiffered = !same;
    if (!piece.every((b) => b === 0xff)) {
      stats.withData++;
      if (!same) stats.withDataDiffering++;
    }
    if (!same) out.push({ start: at, end: next });
    at = next;
  }
  return out;
}

/**
 * Whether the flash at `offset` holds `piece`. With `headFirst` (the piece before differed, as
 * across a blank chip or another firmware) its first 8 KiB are compared on their own first: when
 * they differ the chip is spared hashing the rest (a 1.5 MB image takes it some 200 ms a pass).
 */
async function sameOnFlash(
  flash: FlashDigests,
  offset: number,
  piece: Uint8Array,
  headFirst: boolean,
): Promise<boolean> {
  if (headFirst && piece.length > HEAD_PROBE) {
    const head = piece.subarray(0, HEAD_PROBE);
    const theirs = flash.md5(offset, head.length);
    const ours = md5Hex(head);
    if ((await theirs) !== ours) return false;
  }
  // Hash our copy while the chip hashes its own, in slices: one long synchronous hash would hold
  // up the request on its way out and the reply on its way in.
  const theirs = flash.md5(offset, piece.length);
  theirs.catch(() => undefined);
  const ours = await md5Ahead(piece);
  return (await theirs) === ours;
}

function merge(runs: WriteRun[]): WriteRun[] {
  const out: WriteRun[] = [];
  for (const run of runs) {
    const last = out.at(-1);
    if (last && last.end === run.start) last.end = run.end;
    else out.push({ ...run });
  }
  return out;
}

/**
 * Typical SPI NOR times from the flash's data sheet, not from the simulator: Winbond W25Q32FV, "AC
 * Electrical Characteristics", tSE (4 KiB sector erase) 45 ms, tBE2 (64 KiB block erase) 150 ms, tPP (page
 * program) 0.7 ms typical. Only their ratios matter here: enough to tell whether leaving a range out of a
 * write saves time on such a part.
 */
const NOR_TYPICAL_MS = { sectorErase: 45, blockErase: 150, pageProgram: 0.7 } as const;

/** What erasing (as the stub does: whole aligned blocks, else sectors) and programming `runs` costs. */
function norCostMs(offset: number, runs: WriteRun[]): number {
  let ms = 0;
  for (const run of runs) {
    let at = offset + run.start - ((offset + run.start) % SECTOR);
    const end = Math.ceil((offset + run.end) / SECTOR) * SECTOR;
    while (at < end) {
      const block = at % BLOCK === 0 && end - at >= BLOCK;
      ms += block ? NOR_TYPICAL_MS.blockErase : NOR_TYPICAL_MS.sectorErase;
      at += block ? BLOCK : SECTOR;
    }
    ms += ((run.end - run.start) / 256) * NOR_TYPICAL_MS.pageProgram;
  }
  return ms;
}

/**
 * Flash sectors of `data` (inside `run`) that are all 0xFF, merged into stretches. Only whole
 * sectors, except the part's last one: left alone, it is not erased at all.
 */
function erasedStretches(offset: number, data: Uint8Array, run: WriteRun): WriteRun[] {
  const out: WriteRun[] = [];
  let at = Math.ceil((offset + run.start) / SECTOR) * SECTOR - offset;
  while (at < run.end && (at + SECTOR <= run.end || run.end === data.length)) {
    const end = Math.min(run.end, at + SECTOR);
    if (data.subarray(at, end).every((b) => b === 0xff)) {
      const last = out.at(-1);
      if (last && last.end === at) last.end = end;
      else out.push({ start: at, end });
    }
    at = end;
  }
  return out;
}

/**
 * Leave out of `runs` the stretches where the image holds only 0xFF and the flash is already
 * erased (a blank chip, or the gaps of a merged image), when that saves erase and program time:
 * a stretch that would break a 64 KiB block erase into many sector erases is written after all.
 * The host sees which sectors are all 0xFF; one MD5 per stretch asks the chip whether it is too.
 */
export async function skipErasedStretches(
  flash: FlashDigests,
  offset: number,
  data: Uint8Array,
  runs: WriteRun[],
): Promise<WriteRun[]> {
  let current = runs.map((r) => ({ ...r }));
  for (const run of runs) {
    for (const stretch of erasedStretches(offset, data, run)) {
      const without = current.flatMap((r) => cut(r, stretch));
      if (norCostMs(offset, without) >= norCostMs(offset, current)) continue;
      const erased = md5Hex(new Uint8Array(stretch.end - stretch.start).fill(0xff));
      if ((await flash.md5(offset + stretch.start, stretch.end - stretch.start)) === erased) current = without;
    }
  }
  return current;
}

/** `run` without `hole`: zero, one or two runs. */
function cut(run: WriteRun, hole: WriteRun): WriteRun[] {
  if (hole.end <= run.start || hole.start >= run.end) return [run];
  return [
    { start: run.start, end: Math.max(run.start, hole.start) },
    { start: Math.min(run.end, hole.end), end: run.end },
  ].filter((r) => r.end > r.start);
}
