import { PortalError } from "../errors";
import type { SerialPortLike } from "../port/serial-port";
import type { ChipFamily } from "../image/chips";
import { FlashError } from "./errors";
import { DEFAULT_FLASH_BAUD, FlashSession, compressForFlash } from "./flash-session";
import { SECTOR, findDifferingRuns, md5Hex, type WriteRun } from "./skip-identical";
import type { DetectedChip, FlashEvent, FlashPart, FlashReport, FlashRequest, PartResult } from "./types";

/**
 * The flash job: connect, identify the chip, start the stub at a fast baud, choose and check the
 * parts for that chip, write only what differs from the flash, MD5-verify every part and reset
 * into the app. Events describe each step; the returned report (and the "done" event) what was
 * written; failures are `FlashError`s (or the `PortalError` a parts callback threw), also emitted
 * as an "error" event.
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
  let wroteAnything = false;
  try {
    emit({ state: "connecting" });
    session = await FlashSession.connect(port, {
      baudRate: request.baudRate ?? DEFAULT_FLASH_BAUD,
      signal: request.signal,
      onProgress: emit,
    });
    emit({ state: "preparing" });
    const parts = await chooseParts(request, session.chip);
    checkParts(parts, session.chip);
    session.throwIfInterrupted();
    const digests = parts.map((p) => md5Hex(p.data));

    // The ROM computes MD5s as well as the stub does: what differs is found before the stub is
    // uploaded, and when nothing does the stub is never needed.
    const written = new Map<number, WriteRun[]>();
    const findRuns = async () => {
      for (const [index, part] of parts.entries()) {
        let runs: WriteRun[] = [{ start: 0, end: part.data.length }];
        if (request.skipIdentical !== false) {
          emit({ state: "comparing", part: part.name, index });
          runs = await findDifferingRuns(session!, part.offset, part.data).catch((err: unknown) => {
            throw asFlashError(err, part);
          });
        }
        written.set(index, runs);
      }
    };
    if (!request.eraseAll) await findRuns();
    const results: PartResult[] = parts.map((part, index) => ({
      name: part.name,
      index,
      offset: part.offset,
      size: part.data.length,
      md5: digests[index]!,
      bytesWritten: 0,
      skipped: false,
    }));
    const nothingToWrite = !request.eraseAll && [...written.values()].every((runs) => runs.length === 0);
    if (!nothingToWrite) {
      await session.startStub();
      if (request.eraseAll) {
        emit({ state: "erasing" });
        wroteAnything = true;
        await session.eraseAll();
        await findRuns(); // what the image has as 0xFF is already there now
      }
    }
    // Compress everything before writing: the link then carries data back to back.
    const compressed = new Map<WriteRun, Uint8Array>();
    for (const [index, runs] of written) {
      for (const run of runs) compressed.set(run, compressForFlash(parts[index]!.data.subarray(run.start, run.end)));
    }
    for (const [index, part] of parts.entries()) {
      const runs = written.get(index)!;
      wroteAnything ||= runs.length > 0;
      results[index]!.bytesWritten = await writeRuns(session, part, index, runs, emit, compressed);
      results[index]!.skipped = runs.length === 0;
    }

    for (const result of results) {
      emit({ state: "verifying", part: result.name, index: result.index });
      const part = parts[result.index]!;
      // Bytes not written were just confirmed identical by the chip's own MD5; check the rest.
      const runs = written.get(result.index) ?? [];
      if (!(await verifies(session, part, runs))) {
        // One full rewrite of the part: a block garbled on the wire yet accepted is rare but possible.
        const whole = [{ start: 0, end: part.data.length }];
        result.bytesWritten += await writeRuns(session, part, result.index, whole, emit);
        result.skipped = false;
        if (!(await verifies(session, part, whole))) throw FlashError.verifyMismatch(part.name, part.offset);
      }
      emit({ state: "verified", part: result.name, index: result.index, md5: result.md5, skipped: result.skipped });
    }
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
    const error =
      err instanceof PortalError
        ? err
        : new FlashError("write-failed", `Flashing stopped on an unexpected error (${String(err)}). Reconnect the board and try again.`, {
            cause: err,
          });
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
export function partsForChips(families: readonly ChipFamily[], parts: FlashPart[]): (chip: DetectedChip) => FlashPart[] {
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
    if (!Number.isInteger(part.offset) || part.offset < 0) throw FlashError.invalidParts(`${part.name} has no valid offset`);
    if (part.offset % SECTOR !== 0) throw FlashError.invalidParts(`${part.name} starts at ${hex}, not on a 4 KiB boundary`);
    if (part.data.length === 0) throw FlashError.invalidParts(`${part.name} is empty`);
    const end = part.offset + part.data.length;
    if (chip.flashSize !== null && end > chip.flashSize) {
      throw FlashError.invalidParts(`${part.name} ends at 0x${end.toString(16)}, beyond this board's ${chip.flashSize / 1048576} MB flash`);
    }
    if (part.offset < previousEnd) throw FlashError.invalidParts(`${part.name} at ${hex} overlaps ${previousName}`);
    previousEnd = Math.ceil(end / SECTOR) * SECTOR;
    previousName = part.name;
  }
}

async function writeRuns(
  session: FlashSession,
  part: FlashPart,
  index: number,
  runs: WriteRun[],
  emit: (event: FlashEvent) => void,
  compressed?: Map<WriteRun, Uint8Array>,
): Promise<number> {
  const total = part.data.length;
  const toWrite = runs.reduce((sum, r) => sum + r.end - r.start, 0);
  const skippedBytes = total - toWrite;
  let done = 0;
  emit({ state: "writing", part: part.name, index, written: skippedBytes, total, skippedBytes });
  for (const run of runs) {
    const offset = part.offset + run.start;
    try {
      await session.write(
        offset,
        part.data.subarray(run.start, run.end),
        (written) => emit({ state: "writing", part: part.name, index, written: skippedBytes + done + written, total, skippedBytes }),
        compressed?.get(run),
      );
    } catch (err) {
      throw asFlashError(err, part, offset);
    }
    done += run.end - run.start;
  }
  return toWrite;
}

/** Whether the written runs of `part` read back (by the chip's MD5) as intended. */
async function verifies(session: FlashSession, part: FlashPart, runs: WriteRun[]): Promise<boolean> {
  try {
    for (const run of runs) {
      const expected = md5Hex(part.data.subarray(run.start, run.end));
      if ((await session.md5(part.offset + run.start, run.end - run.start)) !== expected) return false;
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
