import type { SerialPortLike } from "../port/serial-port";
import { explainOpenFailure } from "../port/port-errors";
import { ReplError } from "./errors";
import { EspLogLineFilter } from "./esp-log-lines";

/** The console of MicroPython on ESP32 UART bridges; USB-Serial-JTAG ignores the rate. */
export const CONSOLE_BAUD = 115_200;

type Waiter = () => void;

/** How long bytes that may start an ESP-IDF log head are held before they count as output. */
const LOG_HEAD_PAUSE_MS = 30;

const RECOVERABLE_READ_ERRORS: ReadonlySet<string> = new Set([
  "BreakError",
  "FramingError",
  "ParityError",
  "BufferOverrunError",
]);

/** How long a read may wait: `idleMs` of silence, and at most `totalMs` overall (a chatty boot loop). */
export interface ReadWait {
  idleMs: number;
  totalMs?: number;
  signal?: AbortSignal;
}

/**
 * A serial port opened as a byte console: everything the board sends is buffered so protocol code
 * can wait for a marker ("raw REPL; CTRL-B to exit\r\n>") or a byte count, and listeners see the
 * raw stream (status-line watchers, the console view).
 */
export class ConsoleConnection {
  private buffer = new Uint8Array(4096);
  private length = 0;
  private scanFrom = 0;
  private failure: ReplError | null = null;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  private reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly pump: Promise<void>;
  private closing = false;
  private readonly endListeners = new Set<(error: ReplError) => void>();
  private logFilter: EspLogLineFilter | null = null;
  private logFlushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly logListeners = new Set<(line: string) => void>();

  private constructor(
    readonly port: SerialPortLike,
    private readonly ownsPort: boolean,
  ) {
    if (!port.readable || !port.writable) throw new ReplError("protocol", "The serial port is not open.");
    this.reader = port.readable.getReader();
    this.writer = port.writable.getWriter();
    this.pump = this.readLoop();
  }

  /**
   * Open `port` at the console rate (or use it as it is when already open) and start reading.
   * A port that will not open rejects with a `PortError` (port-errors.ts) naming the cause.
   */
  static async open(port: SerialPortLike, options: { baudRate?: number } = {}): Promise<ConsoleConnection> {
    if (port.readable && port.writable) return new ConsoleConnection(port, false);
    try {
      await port.open({ baudRate: options.baudRate ?? CONSOLE_BAUD });
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === "InvalidStateError" && port.readable) return new ConsoleConnection(port, false);
      // Busy, lost, forgotten, not allowed, or the browser's own words: each its own sentence.
      throw explainOpenFailure(err);
    }
    return new ConsoleConnection(port, true);
  }

  /** Why the connection stopped, if it did. */
  get error(): ReplError | null {
    return this.failure;
  }

  /** Called once when the connection stops (closed here, unplugged, or the port went away). */
  onEnd(listener: (error: ReplError) => void): () => void {
    if (this.failure) listener(this.failure);
    else this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /**
   * From now on, keep ESP-IDF's log lines (esp-log-lines.ts) out of what protocol reads see: they
   * go to `onLogLine` listeners instead. `onData` listeners still get the raw stream. Idempotent.
   */
  separateEspLogLines(): void {
    this.logFilter ??= new EspLogLineFilter((line) => {
      for (const l of this.logListeners) l(line);
    });
  }

  /** ESP-IDF log lines taken out of the stream (after `separateEspLogLines()`). */
  onLogLine(listener: (line: string) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async write(bytes: Uint8Array | string): Promise<void> {
    if (this.failure) throw this.failure;
    const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    try {
      await this.writer.write(data);
    } catch (err) {
      throw this.fail(
        new ReplError("disconnected", "The board was disconnected. Plug it back in and try again.", { cause: err }),
      );
    }
  }

  /** Forget what has arrived so far (stale prompts, boot noise). */
  discardInput(): void {
    this.length = 0;
    this.scanFrom = 0;
  }

  get bufferedBytes(): number {
    return this.length;
  }

  /** Take what has arrived so far without waiting. */
  takeAvailable(): Uint8Array {
    return this.consume(this.length);
  }

  /**
   * Wait until `marker` arrives; return everything before it and drop the marker. Times out when
   * the board stays silent for `idleMs` (any byte restarts the clock, so long outputs are fine).
   */
  async readUntil(marker: Uint8Array | string, wait: ReadWait): Promise<Uint8Array> {
    const m = typeof marker === "string" ? new TextEncoder().encode(marker) : marker;
    const deadline = wait.totalMs === undefined ? Infinity : Date.now() + wait.totalMs;
    for (;;) {
      const at = this.find(m);
      if (at >= 0) {
        const out = this.consume(at);
        this.consume(m.length);
        return out;
      }
      this.scanFrom = Math.max(0, this.length - m.length + 1);
      const idle = Math.min(wait.idleMs, deadline - Date.now());
      await this.waitForData(
        Math.max(0, idle),
        wait.signal,
        () => `waiting for ${JSON.stringify(new TextDecoder().decode(m))}`,
      );
    }
  }

  async readExactly(count: number, wait: ReadWait): Promise<Uint8Array> {
    while (this.length < count) await this.waitForData(wait.idleMs, wait.signal, () => `waiting for ${count} bytes`);
    return this.consume(count);
  }

  /** Release the port's streams (and close it when this connection opened it). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.logFlushTimer);
    try {
      await this.reader.cancel();
    } catch {
      // Already errored (unplugged).
    }
    this.reader.releaseLock();
    try {
      this.writer.releaseLock();
    } catch {
      // Released with the stream.
    }
    await this.pump.catch(() => undefined);
    if (this.ownsPort) await this.port.close().catch(() => undefined);
    this.fail(new ReplError("disconnected", "The serial connection was closed."));
  }

  private async readLoop(): Promise<void> {
    for (;;) {
      try {
        // Typed as it may come from a polyfill or a test double: a chunk may be missing or empty.
        const { value, done } = (await this.reader.read()) as { value?: Uint8Array; done: boolean };
        if (done) break;
        if (!value || value.length === 0) continue;
        this.appendFiltered(value);
        for (const l of this.listeners) l(value);
        this.wake();
      } catch (err) {
        // Line noise (break, framing, parity, overrun) ends only the current stream: Web Serial
        // offers a fresh one, and the protocol above copes with the lost bytes.
        const name = (err as { name?: string }).name ?? "";
        if (!this.closing && RECOVERABLE_READ_ERRORS.has(name) && this.port.readable) {
          this.reader.releaseLock();
          this.reader = this.port.readable.getReader();
          continue;
        }
        if (!this.closing) {
          this.fail(
            new ReplError("disconnected", "The board was disconnected. Plug it back in and try again.", { cause: err }),
          );
        }
        return;
      }
    }
    if (!this.closing) this.fail(new ReplError("disconnected", "The board stopped talking: the serial port closed."));
  }

  private fail(error: ReplError): ReplError {
    if (!this.failure) {
      this.failure = error;
      for (const l of [...this.endListeners]) l(error);
      this.endListeners.clear();
    }
    this.wake();
    return this.failure;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private waitForData(idleMs: number, signal: AbortSignal | undefined, what: () => string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (signal?.aborted) return Promise.reject(new ReplError("cancelled", "Cancelled."));
    const before = this.length;
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        signal?.removeEventListener("abort", onAbort);
      };
      const check: Waiter = () => {
        if (this.failure) {
          done();
          reject(this.failure);
        } else if (this.length !== before) {
          done();
          resolve();
        }
      };
      const onAbort = (): void => {
        done();
        reject(new ReplError("cancelled", "Cancelled."));
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new ReplError("timeout", `The board did not answer within ${Math.round(idleMs / 100) / 10} s (${what()}).`),
        );
      }, idleMs);
      this.waiters.add(check);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private appendFiltered(bytes: Uint8Array): void {
    const filter = this.logFilter;
    if (!filter) {
      this.append(bytes);
      return;
    }
    this.append(filter.push(bytes));
    clearTimeout(this.logFlushTimer);
    if (filter.holding) {
      // A log head arrives in one write (a few ms at 115200 baud); bytes still undecided after a
      // pause were ordinary output.
      this.logFlushTimer = setTimeout(() => {
        this.append(filter.flush());
        this.wake();
      }, LOG_HEAD_PAUSE_MS);
    }
  }

  private append(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private find(marker: Uint8Array): number {
    const buf = this.buffer;
    const last = this.length - marker.length;
    outer: for (let i = this.scanFrom; i <= last; i++) {
      for (let j = 0; j < marker.length; j++) if (buf[i + j] !== marker[j]) continue outer;
      return i;
    }
    return -1;
  }

  private consume(count: number): Uint8Array {
    const out = this.buffer.slice(0, count);
    this.buffer.copyWithin(0, count, this.length);
    this.length -= count;
    this.scanFrom = 0;
    return out;
  }
}
