import { PortalError } from "../errors";
import type { SerialPortLike } from "../port/serial-port";
import type { ChipFamily } from "../image/chips";
import { FlashError } from "./errors";
import { BaudStepper } from "./fast-baud";
import { DEFAULT_FLASH_BAUD, FlashSession } from "./flash-session";
import { refuseLockedWrite } from "./security-state";
import { SECTOR, findDifferingRuns, md5Hex, type WriteRun } from "./skip-identical";
import type { DetectedChip, FlashEvent, FlashPart, FlashReport, FlashRequest, PartResult } from "./types";
import { CompressAhead, compressNow, md5Ahead } from "./work-ahead";

/**
 * Writes this small (a changed sector or two) go through the ROM loader, which takes compressed
 * data as well: uploading the stub would take longer than the write itself.
 */
const ROM_WRITE_LIMIT = 2 * SECTOR;
/** ROM loaders that take FLASH_DEFL_BEGIN in the form esptool-js sends it without the stub (later ROMs want a fifth word). */
const ROM_DEFLATE_FAMILIES: readonly string[] = ["ESP32", "ESP32-S2", "ESP32-S3", "ESP32-C3", "ESP32-C2"];

/** Share of a part written above which the read-back check asks for the whole part's MD5 at once. */
const WHOLE_PART_CHECK = 0.9;

/** Where a long run's first compressed stream ends, at the latest (see `splitRuns`). */
const FIRST_STREAM = 0x40000;

/** What the write and verify steps share within one job. */
interface JobContext {
  session: FlashSession;
  emit: (event: FlashEvent) => void;
  compressor?: CompressAhead<WriteRun>;
  /** Present with `fastBaud`: steps the link down when a fast rate fails mid-write. */
  stepper?: BaudStepper;
}

/**
 * The flash job: connect, identify the chip, choose and check the parts for that chip, find what
 * differs from the flash, start the stub at a fast baud (faster still with `fastBaud`), write only
 * what differs, MD5-verify every part and reset into the app. Events describe each step; the
 * returned report (and the "done" event) what was written; failures are `FlashError`s (or the
 * `PortalError` a parts callback threw), also emitted as an "error" event.
 */
export async function flashParts(
  port: SerialPortLike,
  request: FlashRequest,
  onEvent: (event: FlashEvent) => void = () => undefined,
): Promise<FlashReport> {
  const started = performance.now();
  const emit = (event: FlashEvent) => {
    try {
      onEvent(event);
    } catch {
      // A listener's bug must not break a flash half way.
    }
  };
  let session: FlashSession | undefined;
  let compressor: CompressAhead<WriteRun> | undefined;
  let wroteAnything = false;
  try {
    emit({ state: "connecting" });
    session = await FlashSession.connect(port, {
      baudRate: request.baudRate ?? DEFAULT_FLASH_BAUD,
      signal: request.signal,
      onProgress: emit,
      ...(request.resetMode ? { resetMode: request.resetMode } : {}),
      ...(request.connectAttempts ? { connectAttempts: request.connectAttempts } : {}),
    });
    const open = session; // what the closures below use: the session is open from here on
    emit({ state: "preparing" });
    const parts = await chooseParts(request, session.chip);
    checkParts(parts, session.chip);
    // Before a byte is written: a plaintext image or an erase on a locked chip leaves it unbootable.
    refuseLockedWrite(session.chip.security, { erase: request.eraseAll === true });
    session.throwIfInterrupted();
    // The parts' own MD5s (for the report and the read-back check) are computed while the job
    // waits on the board's flash, once writing starts (or when first needed).
    const digestPromises = new Map<number, Promise<string>>();
    const digestOf = (index: number): Promise<string> => {
      let digest = digestPromises.get(index);
      if (!digest) {
        digest = md5Ahead(parts[index].data);
        digest.catch(() => undefined);
        digestPromises.set(index, digest);
      }
      return digest;
    };

    // The ROM computes MD5s as well as the stub does: what differs is found before the stub is
    // uploaded, and when nothing does the stub is never needed.
    const written = new Map<number, WriteRun[]>();
    const findRuns = async () => {
      // Our own digest of each part (the report's, and the read-back check's) is hashed in slices
      // while the chip hashes its flash for the comparison: the host has nothing else to do then.
      if (request.skipIdentical !== false) parts.forEach((_, index) => void digestOf(index));
      let previousDiffered = false;
      for (const [index, part] of parts.entries()) {
        let runs: WriteRun[] = [{ start: 0, end: part.data.length }];
        if (request.skipIdentical !== false) {
          emit({ state: "comparing", part: part.name, index });
          runs = await findDifferingRuns(open, part.offset, part.data, previousDiffered).catch((err: unknown) => {
            throw asFlashError(err, part);
          });
          previousDiffered = runs.length > 0;
        }
        written.set(index, splitRuns(runs, part.offset));
      }
    };
    if (!request.eraseAll) await findRuns();
    const results: PartResult[] = parts.map((part, index) => ({
      name: part.name,
      index,
      offset: part.offset,
      size: part.data.length,
      md5: "",
      bytesWritten: 0,
      skipped: false,
    }));
    const nothingToWrite = !request.eraseAll && [...written.values()].every((runs) => runs.length === 0);
    const ctx: JobContext = { session, emit };
    if (!nothingToWrite) {
      if (request.eraseAll) {
        await session.startStub();
        emit({ state: "erasing" });
        wroteAnything = true;
        await session.eraseAll();
        await findRuns(); // what the image has as 0xFF is already there now
      }
      // Compress in order of writing, each run a little ahead of its turn (while the ones before it
      // are programmed): the link then carries the runs back to back.
      ctx.compressor = compressor = new CompressAhead(
        [...written].flatMap(([index, runs]) =>
          runs.map((run): [WriteRun, Uint8Array] => [run, parts[index].data.subarray(run.start, run.end)]),
        ),
      );
      const bytesToWrite = [...written.values()].flat().reduce((sum, r) => sum + r.end - r.start, 0);
      const romWrites =
        !request.eraseAll && bytesToWrite <= ROM_WRITE_LIMIT && ROM_DEFLATE_FAMILIES.includes(session.chip.family);
      if (!romWrites) await session.startStub();
      if (request.fastBaud && !romWrites) {
        ctx.stepper = new BaudStepper(session, request.fastBaud === true ? {} : request.fastBaud, emit);
        await ctx.stepper.raise();
      }
      parts.forEach((_, index) => void digestOf(index));
    }
    for (const [index, part] of parts.entries()) {
      const runs = written.get(index) ?? [];
      wroteAnything ||= runs.length > 0;
      results[index].bytesWritten = await writeRuns(ctx, part, index, runs);
      results[index].skipped = runs.length === 0;
    }

    for (const result of results) {
      emit({ state: "verifying", part: result.name, index: result.index });
      const part = parts[result.index];
      // Bytes not written were just confirmed identical by the chip's own MD5; check the rest, or
      // the whole part in one question when the rest is nearly all of it (its MD5 is known anyway).
      const whole = [{ start: 0, end: part.data.length }];
      const runs = written.get(result.index) ?? [];
      const toCheck =
        runs.reduce((sum, r) => sum + r.end - r.start, 0) >= WHOLE_PART_CHECK * part.data.length ? whole : runs;
      const partDigest = digestOf(result.index);
      if (!(await withStepDown(ctx, part, () => verifies(open, part, toCheck, partDigest)))) {
        // One full rewrite of the part: a block garbled on the wire yet accepted is rare but possible.
        await session.startStub();
        result.bytesWritten += await writeRuns(ctx, part, result.index, whole);
        result.skipped = false;
        if (!(await withStepDown(ctx, part, () => verifies(open, part, whole, partDigest))))
          throw FlashError.verifyMismatch(part.name, part.offset);
      }
      result.md5 = await partDigest;
      emit({ state: "verified", part: result.name, index: result.index, md5: result.md5, skipped: result.skipped });
    }
    // The next board behind this kind of USB bridge starts at the rate this one finished at.
    ctx.stepper?.remember();
    if (request.reset !== false) {
      emit({ state: "resetting" });
      await session.hardReset();
    }
    const report: FlashReport = {
      chip: session.chip,
      baudRate: session.baudRate,
      parts: results,
      bytesWritten: results.reduce((sum, r) => sum + r.bytesWritten, 0),
      bytesSkipped: results.reduce((sum, r) => sum + Math.max(0, r.size - r.bytesWritten), 0),
      durationMs: performance.now() - started,
    };
    await session.close();
    emit({ state: "done", report });
    return report;
  } catch (err) {
    compressor?.cancel();
    const error =
      err instanceof PortalError
        ? err
        : new FlashError(
            "write-failed",
            `Flashing stopped on an unexpected error (${String(err)}). Reconnect the board and try again.`,
            {
              cause: err,
            },
          );
    if (session) {
      // Refused before writing (wrong chip, bad image): put the board back to running its old firmware.
      if (!wroteAnything && error.code !== "disconnected" && error.code !== "cancelled") {
        await session.hardReset().catch(() => undefined);
      }
      await session.close().catch(() => undefined);
    }
    emit({ state: "error", error });
    throw error;
  }
}

/** A parts callback that refuses any board but the given chip families, before anything is written. */
export function partsForChips(
  families: readonly ChipFamily[],
  parts: FlashPart[],
): (chip: DetectedChip) => FlashPart[] {
  return (chip) => {
    if (!families.includes(chip.family)) throw FlashError.wrongChip(chip.family, families);
    return parts;
  };
}

/** The parts callback's own PortalErrors (wrong chip, corrupt image) pass through as they are. */
async function chooseParts(request: FlashRequest, chip: DetectedChip): Promise<FlashPart[]> {
  try {
    return typeof request.parts === "function" ? await request.parts(chip) : request.parts;
  } catch (err) {
    if (err instanceof PortalError) throw err;
    throw FlashError.invalidParts(err instanceof Error ? err.message : String(err));
  }
}

/** Parts must sit on sector boundaries (the stub erases whole sectors), inside the flash, apart. */
function checkParts(parts: FlashPart[], chip: DetectedChip): void {
  if (parts.length === 0) throw FlashError.invalidParts("it has no parts to write");
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  let previousEnd = 0;
  let previousName = "";
  for (const part of sorted) {
    const hex = `0x${part.offset.toString(16)}`;
    if (!Number.isInteger(part.offset) || part.offset < 0)
      throw FlashError.invalidParts(`${part.name} has no valid offset`);
    if (part.offset % SECTOR !== 0)
      throw FlashError.invalidParts(`${part.name} starts at ${hex}, not on a 4 KiB boundary`);
    if (part.data.length === 0) throw FlashError.invalidParts(`${part.name} is empty`);
    const end = part.offset + part.data.length;
    if (chip.flashSize !== null && end > chip.flashSize) {
      throw FlashError.invalidParts(
        `${part.name} ends at 0x${end.toString(16)}, beyond this board's ${chip.flashSize / 1048576} MB flash`,
      );
    }
    if (part.offset < previousEnd) throw FlashError.invalidParts(`${part.name} at ${hex} overlaps ${previousName}`);
    previousEnd = Math.ceil(end / SECTOR) * SECTOR;
    previousName = part.name;
  }
}

/**
 * Write `runs` of `part`, returning the bytes sent. With a baud stepper, a run that fails at a fast
 * rate resumes at a slower one: the chip's MD5s say what of it already landed, and only the rest
 * is written again.
 */
async function writeRuns(ctx: JobContext, part: FlashPart, index: number, runs: WriteRun[]): Promise<number> {
  const { session, emit } = ctx;
  const total = part.data.length;
  const skippedBytes = total - runs.reduce((sum, r) => sum + r.end - r.start, 0);
  let settled = skippedBytes;
  let reported = skippedBytes;
  // Progress never goes backwards, also when a failed run is taken up again.
  const progress = (bytes: number) => {
    reported = Math.max(reported, Math.min(total, bytes));
    emit({ state: "writing", part: part.name, index, written: reported, total, skippedBytes });
  };
  progress(skippedBytes);
  let sent = 0;
  const queue = [...runs];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const run = next;
    const offset = part.offset + run.start;
    const data = part.data.subarray(run.start, run.end);
    try {
      const compressed = ctx.compressor ? await ctx.compressor.get(run, data) : compressNow(data);
      await session.write(offset, data, (written) => progress(settled + written), compressed);
      sent += data.length;
      settled += data.length;
    } catch (err) {
      const failure = asFlashError(err, part, offset);
      if (!(await stepsDown(ctx, failure))) throw failure;
      const rest = await findDifferingRuns(session, offset, data).catch((e: unknown) => {
        throw asFlashError(e, part, offset);
      });
      const landed = data.length - rest.reduce((sum, r) => sum + r.end - r.start, 0);
      sent += landed;
      settled += landed;
      queue.unshift(...rest.map((r) => ({ start: run.start + r.start, end: run.start + r.end })));
    }
  }
  return sent;
}

/** Answer a failure at a fast rate by stepping the link down; false when that is no answer. */
async function stepsDown(ctx: JobContext, failure: FlashError): Promise<boolean> {
  if (!ctx.stepper?.canStepDown || failure.code !== "write-failed") return false;
  return ctx.stepper.stepDown();
}

/** Run a read-back step, stepping the link down and trying again when it fails at a fast rate. */
async function withStepDown<T>(ctx: JobContext, part: FlashPart, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await work();
    } catch (err) {
      const failure = asFlashError(err, part);
      if (!(await stepsDown(ctx, failure))) throw failure;
    }
  }
}

/**
 * A long run is written as two compressed streams: up to the first `FIRST_STREAM`-aligned flash
 * address (so the stub still erases whole 64 KiB blocks), then the rest. The first is compressed
 * and on the wire quickly, and the rest is compressed while the chip writes it. Every stream
 * beyond that would cost a pause of the flash chip: the stub finishes the last block before it
 * answers FLASH_DEFL_END, and starts erasing for the next stream only once that stream's first
 * block has come and gone through its inflater (stub_write_flash.c, start_next_erase).
 */
function splitRuns(runs: WriteRun[], offset: number): WriteRun[] {
  const out: WriteRun[] = [];
  for (const run of runs) {
    const absolute = offset + run.start;
    const cut = absolute - (absolute % FIRST_STREAM) + FIRST_STREAM - offset;
    if (cut < run.end) out.push({ start: run.start, end: cut }, { start: cut, end: run.end });
    else out.push(run);
  }
  return out;
}

/** Whether the written runs of `part` read back (by the chip's MD5) as intended. */
async function verifies(
  session: FlashSession,
  part: FlashPart,
  runs: WriteRun[],
  partDigest: Promise<string>,
): Promise<boolean> {
  try {
    for (const run of runs) {
      // Ask the chip first and hash our copy while it hashes its own.
      const theirs = session.md5(part.offset + run.start, run.end - run.start);
      theirs.catch(() => undefined);
      const whole = run.start === 0 && run.end === part.data.length;
      const expected = whole ? await partDigest : md5Hex(part.data.subarray(run.start, run.end));
      if ((await theirs) !== expected) return false;
    }
    return true;
  } catch (err) {
    throw asFlashError(err, part);
  }
}

/** Step errors name the part: "write-failed" from the session says nothing about where. */
function asFlashError(err: unknown, part: FlashPart, offset = part.offset): FlashError {
  if (err instanceof FlashError && err.code !== "write-failed") return err;
  return FlashError.writeFailed(part.name, offset, err instanceof FlashError ? err.cause : err);
}
