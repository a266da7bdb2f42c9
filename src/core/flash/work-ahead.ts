import { md5 } from "@noble/hashes/legacy.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { Deflate } from "pako";

/**
 * Host work the flash job can do while it waits on the board, done in slices between those waits
 * so it costs no wall-clock time of its own. Each slice is a few ms of CPU, so replies from the
 * board are not held up behind it.
 */

/**
 * zlib's default level. esptool uses 9; on firmware images 6 comes within a fraction of a percent
 * of it (0.02 % on the bench image) in half the CPU time or less, and the host's CPU is what a
 * busy machine runs short of while it also has to answer the board promptly.
 */
export const DEFLATE_LEVEL = 6;

/** Input handed to MD5 per slice. */
const SLICE = 0x10000;

/**
 * The flasher stub's inflate buffer (stub_write_flash.c handle_flash_deflated_data: `static uint8_t
 * out_buf[32768]`), written to flash whenever it fills: the deflater is flushed at every such
 * stretch of input, so the host knows where in the compressed stream each fill completes
 * (stub-blocks.ts cuts the stream's blocks there). Also the slice deflated between two waits.
 */
export const STUB_OUT_BUF = 0x8000;
/** zlib's Z_SYNC_FLUSH: emit everything so far, byte-aligned, without ending the stream. */
const Z_SYNC_FLUSH = 2;

/** A zlib stream as the stub inflates it, and where it was flushed. */
export interface CompressedStream {
  bytes: Uint8Array;
  /** Compressed length after each whole `STUB_OUT_BUF` of input: those bytes inflate to exactly that input. */
  syncPoints: number[];
}

/** Deflate, flushed after every `STUB_OUT_BUF` of input (a few bytes each, nothing else changes). */
class SyncDeflater {
  private readonly deflater = new Deflate({ level: DEFLATE_LEVEL });
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private readonly syncPoints: number[] = [];

  constructor() {
    this.deflater.onData = (chunk: Uint8Array) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
    };
  }

  /** Push one slice (at most `STUB_OUT_BUF`, a whole one unless `last`). */
  push(slice: Uint8Array, last: boolean): void {
    this.deflater.push(slice, last ? true : Z_SYNC_FLUSH);
    if (this.deflater.err) throw new Error(`deflate failed: ${this.deflater.msg}`);
    if (!last) this.syncPoints.push(this.length);
  }

  result(): CompressedStream {
    return { bytes: concatBytes(...this.chunks), syncPoints: this.syncPoints };
  }
}

/** `data` in the slices the deflater takes (`STUB_OUT_BUF` each), the last marked; empty data is one empty last slice. */
function* stubSlices(data: Uint8Array): Generator<{ slice: Uint8Array; last: boolean }> {
  if (data.length === 0) yield { slice: data, last: true };
  for (let at = 0; at < data.length; at += STUB_OUT_BUF) {
    const end = Math.min(data.length, at + STUB_OUT_BUF);
    yield { slice: data.subarray(at, end), last: end >= data.length };
  }
}

const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === "function"
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () =>
        new Promise((resolve) => {
          // A MessageChannel turn is not clamped to 4 ms as nested timers are in browsers.
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            channel.port1.close();
            resolve();
          };
          channel.port2.postMessage(0);
        });

/**
 * Deflates the ranges a job will write, in order, a little ahead of the write: while one range
 * goes over the wire (the host idles, waiting on the board) the next ones are compressed in small
 * slices, so each range is ready when its turn comes and the wire carries them back to back.
 * Compressed as the stub inflates it: zlib format, at zlib's default level (`DEFLATE_LEVEL`),
 * flushed at every `STUB_OUT_BUF` of input.
 */
export class CompressAhead<K> {
  private readonly results = new Map<K, Promise<CompressedStream>>();
  private readonly order: K[] = [];
  private readonly settle = new Map<K, { resolve: (out: CompressedStream) => void; reject: (err: unknown) => void }>();
  private cancelled = false;
  /**
   * Index in `order` of the furthest range asked for so far. Nothing is compressed before the
   * first range is asked for: until then the host's waits are short round trips,
   * and on a board simulated in the same thread its CPU time would delay the board's replies.
   */
  private asked = Number.NEGATIVE_INFINITY;
  private wakeUp: (() => void) | null = null;

  /** @param lookahead ranges compressed beyond the last one asked for */
  constructor(
    jobs: Iterable<[K, Uint8Array]>,
    private readonly lookahead = 2,
  ) {
    const queue = [...jobs];
    for (const [key] of queue) {
      this.order.push(key);
      const result = new Promise<CompressedStream>((resolve, reject) => {
        this.settle.set(key, { resolve, reject });
      });
      result.catch(() => undefined);
      this.results.set(key, result);
    }
    void this.run(queue);
  }

  /** The compressed form of `key`'s data (compressed at once if it was not handed in up front). */
  get(key: K, data: Uint8Array): Promise<CompressedStream> {
    const result = this.results.get(key);
    if (!result) return Promise.resolve(compressNow(data));
    this.asked = Math.max(this.asked, this.order.indexOf(key));
    this.wakeUp?.();
    return result;
  }

  /** Stop compressing what has not been asked for (the job ended early). */
  cancel(): void {
    this.cancelled = true;
    this.wakeUp?.();
  }

  private async run(queue: Array<[K, Uint8Array]>): Promise<void> {
    for (const [index, [key, data]] of queue.entries()) {
      const settle = this.settle.get(key);
      if (!settle) continue; // every key is registered before run() starts
      const { resolve, reject } = settle;
      try {
        while (index > this.asked + this.lookahead && !this.cancelled) {
          await new Promise<void>((wake) => {
            this.wakeUp = wake;
          });
          this.wakeUp = null;
        }
        const deflater = new SyncDeflater();
        for (const { slice, last } of stubSlices(data)) {
          await yieldToEventLoop();
          if (this.cancelled) throw new Error("compression cancelled");
          deflater.push(slice, last);
        }
        resolve(deflater.result());
      } catch (err) {
        reject(err);
      }
    }
  }
}

export function compressNow(data: Uint8Array): CompressedStream {
  const deflater = new SyncDeflater();
  for (const { slice, last } of stubSlices(data)) deflater.push(slice, last);
  return deflater.result();
}

/** MD5 of `data` (lower-case hex), computed in slices between the job's waits on the board. */
export async function md5Ahead(data: Uint8Array): Promise<string> {
  const hash = md5.create();
  for (let at = 0; at < data.length; at += SLICE) {
    await yieldToEventLoop();
    hash.update(data.subarray(at, Math.min(data.length, at + SLICE)));
  }
  return Array.from(hash.digest(), (b) => b.toString(16).padStart(2, "0")).join("");
}
