/**
 * ESP-IDF's log lines, taken out of a console byte stream.
 *
 * ESP-IDF's logging (`ESP_LOGx`, esp_log.h; LOG_FORMAT in esp_log_format.h) writes whole lines of
 * the form `I (12345) wifi: text\n` to the same UART as MicroPython's REPL, from other FreeRTOS
 * tasks, whenever something happens (Wi-Fi start, connect, DHCP, the HTTP server). pyDirect's
 * boot.py turns them on with `esp.osdebug(esp.LOG_INFO)`. With CONFIG_LOG_COLORS the line is
 * wrapped in ANSI colour codes (`\x1b[0;32mI (…) …\x1b[0m`); with a wall-clock timestamp source the
 * number in brackets reads `HH:MM:SS.mmm`. Because another task writes them, a log line can land
 * anywhere in the REPL's output: between a raw-REPL prompt's bytes, inside raw-paste flow control,
 * in the middle of a line our code prints.
 *
 * The filter recognises the line's head (optional colour code, level letter, space, bracketed
 * timestamp, space) wherever it starts and drops everything up to and including its newline; every
 * other byte passes through in order. Bytes that could still become a head are held back until the
 * next byte decides (or `flush()` releases them), so a caller never sees half a log line.
 */

const ESC = 0x1b;
const LF = 0x0a;
const SPACE = 0x20;
const OPEN = 0x28; // (
const CLOSE = 0x29; // )
/** ESP-IDF's level letters: Error, Warning, Info, Debug, Verbose (esp_log_level_t). */
const LEVELS = new Set([0x45, 0x57, 0x49, 0x44, 0x56]);
/** A head longer than this is not a log head (a colour code plus `I (4294967295) `). */
const MAX_HEAD = 32;

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/** How far a held prefix matches a log head: "no", "partial" (more bytes needed), or "head". */
function matchHead(bytes: readonly number[]): "no" | "partial" | "head" {
  let i = 0;
  const n = bytes.length;
  if (bytes[0] === ESC) {
    // ESC [ digits/semicolons m
    if (n < 2) return "partial";
    if (bytes[1] !== 0x5b) return "no";
    i = 2;
    while (i < n && (isDigit(bytes[i]) || bytes[i] === 0x3b)) i++;
    if (i === n) return n > MAX_HEAD ? "no" : "partial";
    if (bytes[i] !== 0x6d) return "no";
    i++;
  }
  if (i === n) return "partial";
  if (!LEVELS.has(bytes[i])) return "no";
  if (++i === n) return "partial";
  if (bytes[i] !== SPACE) return "no";
  if (++i === n) return "partial";
  if (bytes[i] !== OPEN) return "no";
  i++;
  const digitsFrom = i;
  while (i < n && (isDigit(bytes[i]) || bytes[i] === 0x3a || bytes[i] === 0x2e)) i++;
  if (i === n) return n > MAX_HEAD ? "no" : "partial";
  if (i === digitsFrom || bytes[i] !== CLOSE || !isDigit(bytes[digitsFrom])) return "no";
  if (++i === n) return "partial";
  return bytes[i] === SPACE ? "head" : "no";
}

const decoder = new TextDecoder();

/** A log line as the board printed it, colour codes (ESC [ … m) and line end removed. */
export function cleanLogLine(raw: Uint8Array): string {
  const kept: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === ESC && raw[i + 1] === 0x5b) {
      let j = i + 2;
      while (j < raw.length && (isDigit(raw[j]) || raw[j] === 0x3b)) j++;
      if (raw[j] === 0x6d) {
        i = j;
        continue;
      }
    }
    kept.push(raw[i]);
  }
  return decoder
    .decode(Uint8Array.from(kept))
    .replace(/\r?\n$/, "")
    .replace(/\r$/, "");
}

export class EspLogLineFilter {
  /** Bytes that may be the start of a log head. */
  private held: number[] = [];
  /** Inside a recognised log line: everything up to LF is the log's. */
  private dropping: number[] | null = null;

  constructor(private readonly onLogLine: (line: string) => void = () => undefined) {}

  /** True while bytes are held back waiting for the next one to decide. */
  get holding(): boolean {
    return this.held.length > 0;
  }

  /** Feed bytes; returns the bytes that are not part of a log line. */
  push(bytes: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of bytes) this.feed(b, out);
    return Uint8Array.from(out);
  }

  /** Release held bytes as ordinary output (the stream paused: they were not a log head). */
  flush(): Uint8Array {
    const out = Uint8Array.from(this.held);
    this.held = [];
    return out;
  }

  private feed(b: number, out: number[]): void {
    if (this.dropping) {
      this.dropping.push(b);
      if (b === LF) {
        this.onLogLine(cleanLogLine(Uint8Array.from(this.dropping)));
        this.dropping = null;
      }
      return;
    }
    if (this.held.length === 0) {
      if (b !== ESC && !LEVELS.has(b)) {
        out.push(b);
        return;
      }
    }
    this.held.push(b);
    for (;;) {
      const verdict = matchHead(this.held);
      if (verdict === "partial") return;
      if (verdict === "head") {
        this.dropping = this.held;
        this.held = [];
        return;
      }
      // Not a head: the first held byte is ordinary output; a head may start at a later one.
      let from = 1;
      while (from < this.held.length && this.held[from] !== ESC && !LEVELS.has(this.held[from])) from++;
      out.push(...this.held.slice(0, from));
      this.held = this.held.slice(from);
      if (this.held.length === 0) return;
    }
  }
}
