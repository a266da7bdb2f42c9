/**
 * Test harness: a virtual ESP32-S3 with the demo pyDirect image in flash running the MicroPython
 * app, and a terminal on its serial port that reads everything the board prints.
 */
import { demoParts } from "../../../scripts/lib/demo-firmware";
import { VirtualBoard } from "../../../src/virtual-board";
import {
  createMicroPythonApp,
  type MicroPythonAppFactory,
  type MicroPythonAppOptions,
} from "../../../src/virtual-board/micropython";

export class Terminal {
  /** Everything received since the port opened (latin1, so protocol bytes stay one char each). */
  text = "";
  private cursor = 0;
  private writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  constructor(private readonly board: VirtualBoard) {}

  async open(): Promise<void> {
    const port = this.board.port;
    await port.open({ baudRate: 115200 });
    this.writer = port.writable!.getWriter();
    const reader = port.readable!.getReader();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done || this.stopped) return;
        if (value) for (const b of value) this.text += String.fromCharCode(b);
        for (const w of this.waiters) w();
      }
    })();
  }

  async send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? Uint8Array.from(data, (c) => c.charCodeAt(0)) : data;
    await this.writer!.write(bytes);
  }

  /** Skip what arrived so far; the next `until` looks only at newer output. */
  skip(): void {
    this.cursor = this.text.length;
  }

  /** Waits for `marker` after the cursor; returns the text up to and including it and moves past it. */
  until(marker: string, timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const at = this.text.indexOf(marker, this.cursor);
        if (at === -1) return false;
        const out = this.text.slice(this.cursor, at + marker.length);
        this.cursor = at + marker.length;
        resolve(out);
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `no ${JSON.stringify(marker)} within ${timeoutMs} ms; after cursor: ${JSON.stringify(this.text.slice(this.cursor))}`,
          ),
        );
      }, timeoutMs);
      const waiter = (): void => {
        if (check()) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
        }
      };
      this.waiters.add(waiter);
    });
  }

  /** Raw REPL exec the way mpremote does it without raw-paste; returns [stdout, stderr]. */
  async rawExec(code: string): Promise<[string, string]> {
    await this.send(code);
    await this.send("\x04");
    await this.until("OK");
    const stdout = (await this.until("\x04")).slice(0, -1);
    const stderr = (await this.until("\x04")).slice(0, -1);
    await this.until(">");
    return [stdout, stderr];
  }

  /** Bytes received and not yet consumed. */
  pendingBytes(): number {
    return this.text.length - this.cursor;
  }

  /** Consumes exactly `n` bytes, waiting for them. */
  async take(n: number, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.pendingBytes() < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.pendingBytes()} of ${n} bytes within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const waiter = (): void => {
          this.waiters.delete(waiter);
          resolve();
        };
        this.waiters.add(waiter);
        setTimeout(waiter, 50);
      });
    }
    const out = this.text.slice(this.cursor, this.cursor + n);
    this.cursor += n;
    return out;
  }

  close(): void {
    this.stopped = true;
  }
}

export interface BoardUnderTest {
  board: VirtualBoard;
  app: MicroPythonAppFactory;
  term: Terminal;
}

export const TEST_ACCESS_POINTS = [
  { ssid: "Workshop", passphrase: "correct horse battery", security: "wpa2-psk" as const, rssi: -48, channel: 6 },
  { ssid: "Guest", security: "open" as const, rssi: -71, channel: 11 },
  { ssid: "Attic", passphrase: "attic-pass-1", rssi: -80, channel: 1 },
  { ssid: "Hidden Lab", passphrase: "hidden-pass-1", hidden: true },
];

/** Boots a board into MicroPython and waits for the first friendly prompt. */
export async function startBoard(options: MicroPythonAppOptions = {}, board?: VirtualBoard): Promise<BoardUnderTest> {
  const app = createMicroPythonApp({ accessPoints: TEST_ACCESS_POINTS, connectDelayMs: 300, ...options });
  const b = board ?? new VirtualBoard({ chip: "ESP32-S3" });
  b.appFactory = app;
  if (!board) for (const part of demoParts("ESP32-S3")) b.flash.set(part.data, part.offset);
  await b.waitForMode("app");
  const term = new Terminal(b);
  await term.open();
  await app.whenReady();
  await term.until(">>> ");
  return { board: b, app, term };
}

/** Enter the raw REPL from the friendly prompt. */
export async function enterRaw(term: Terminal): Promise<void> {
  await term.send("\r\x01");
  await term.until("raw REPL; CTRL-B to exit\r\n>");
}

/**
 * Raw-paste exec as mpremote does it: "\x05A\x01", "R\x01" + window, then data only while the
 * window allows, counting the \x01 grants. Returns stdout, stderr and the grants seen.
 */
export async function rawPasteExec(
  term: Terminal,
  code: string,
): Promise<{ stdout: string; stderr: string; window: number; grants: number }> {
  await term.send("\x05A\x01");
  const head = await term.until("R\x01");
  if (!head.endsWith("R\x01")) throw new Error(`raw-paste refused: ${JSON.stringify(head)}`);
  const sizeBytes = await readBytes(term, 2);
  const window = sizeBytes.charCodeAt(0) | (sizeBytes.charCodeAt(1) << 8);
  let remain = window;
  let grants = 0;
  const data = Uint8Array.from(new TextEncoder().encode(code));
  let i = 0;
  while (i < data.length) {
    while (remain === 0 || term.pendingBytes() > 0) {
      const b = await readBytes(term, 1);
      if (b !== "\x01") throw new Error(`unexpected byte during raw paste: ${JSON.stringify(b)}`);
      grants++;
      remain += window;
    }
    const chunk = data.subarray(i, Math.min(i + remain, data.length));
    await term.send(chunk);
    remain -= chunk.length;
    i += chunk.length;
  }
  await term.send("\x04");
  const ack = await term.until("\x04");
  grants += ack.split("\x01").length - 1;
  const stdout = (await term.until("\x04")).slice(0, -1);
  const stderr = (await term.until("\x04")).slice(0, -1);
  await term.until(">");
  return { stdout, stderr, window, grants };
}

async function readBytes(term: Terminal, n: number): Promise<string> {
  let got = "";
  while (got.length < n) got += await term.take(1);
  return got;
}
