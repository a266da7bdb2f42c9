/**
 * ESP-IDF's log output on the virtual board's console (UART0, shared with the REPL).
 *
 * Format, as ESP-IDF's esp_log.h LOG_FORMAT builds it: `<colour>L (ms) tag: text<reset>` and a
 * line end, where L is E/W/I/D/V and ms is esp_log_timestamp() (milliseconds since boot). Colours
 * are ESP-IDF's LOG_COLOR_E/W/I (`ESC[0;31m`, `ESC[0;33m`, `ESC[0;32m`; D and V uncoloured, reset
 * `ESC[0m`) when CONFIG_LOG_COLORS is set: upstream's boards/ESP32_S3/sdkconfig.board does not set
 * it, so ESP-IDF's Kconfig default applies (y in the ESP-IDF 5.x releases MicroPython builds with;
 * from memory of components/log/Kconfig, not found in the reference corpus). Line end `\r\n`:
 * ESP-IDF's default CONFIG_NEWLIB_STDOUT_LINE_ENDING_CRLF.
 *
 * Level: upstream's S3 image sets CONFIG_LOG_DEFAULT_LEVEL=3 and CONFIG_LOG_MAXIMUM_LEVEL=3
 * (boards/ESP32_S3/sdkconfig.board:64-68), so INFO from boot and nothing above INFO ever.
 *
 * Lines are written straight to the console sink, on their own turn, never through the REPL's
 * output queue: on a chip they come from other FreeRTOS tasks (Wi-Fi, lwIP, httpd) and land
 * wherever the REPL's output happens to be, a raw-REPL reply included.
 */

export const IDF_LOG_LEVEL = { NONE: 0, ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, VERBOSE: 5 } as const;
export type IdfLogLevel = (typeof IDF_LOG_LEVEL)[keyof typeof IDF_LOG_LEVEL];

const LETTER = ["", "E", "W", "I", "D", "V"] as const;
/** esp_log.h LOG_COLOR_E / LOG_COLOR_W / LOG_COLOR_I; DEBUG and VERBOSE have none. */
const COLOUR: Record<number, string> = { 1: "\x1b[0;31m", 2: "\x1b[0;33m", 3: "\x1b[0;32m" };
const RESET = "\x1b[0m";

export interface IdfLogOptions {
  /** CONFIG_LOG_DEFAULT_LEVEL: the level at boot. Default INFO (upstream S3 image). */
  defaultLevel?: IdfLogLevel;
  /** CONFIG_LOG_MAXIMUM_LEVEL: lines above it are not compiled in. Default INFO (upstream S3 image). */
  maximumLevel?: IdfLogLevel;
  /** CONFIG_LOG_COLORS. Default true (see the file comment). */
  colors?: boolean;
  /** Clock for timestamps; default Date.now. */
  now?: () => number;
}

export interface IdfLogLine {
  level: IdfLogLevel;
  tag: string;
  text: string;
  /** The bytes as written to the console. */
  wire: string;
}

export class IdfLog {
  readonly maximumLevel: IdfLogLevel;
  readonly defaultLevel: IdfLogLevel;
  readonly colors: boolean;
  private level: IdfLogLevel;
  private readonly tagLevels = new Map<string, IdfLogLevel>();
  private bootAt: number;
  private sink: ((bytes: Uint8Array) => void) | null = null;
  private readonly now: () => number;
  private readonly listeners = new Set<(line: IdfLogLine) => void>();
  private readonly pendingSplits: Array<{
    match: RegExp;
    level: IdfLogLevel;
    tag: string;
    text: string;
    resolve: (line: IdfLogLine) => void;
  }> = [];

  constructor(options: IdfLogOptions = {}) {
    this.maximumLevel = options.maximumLevel ?? IDF_LOG_LEVEL.INFO;
    this.defaultLevel = options.defaultLevel ?? IDF_LOG_LEVEL.INFO;
    this.colors = options.colors ?? true;
    this.now = options.now ?? (() => Date.now());
    this.level = this.defaultLevel;
    this.bootAt = this.now();
  }

  /** A chip boot (power-on, EN, esp_restart): level back to the image's default, clock to 0. */
  chipBoot(sink: (bytes: Uint8Array) => void): void {
    this.sink = sink;
    this.level = this.defaultLevel;
    this.tagLevels.clear();
    this.bootAt = this.now();
  }

  /** The same chip running on after a MicroPython soft reset: esp_log_level_set state survives. */
  attach(sink: (bytes: Uint8Array) => void): void {
    this.sink = sink;
  }

  detach(): void {
    this.sink = null;
  }

  /** esp_log_level_set(tag or "*", level); levels above CONFIG_LOG_MAXIMUM_LEVEL print nothing more. */
  setLevel(level: number, tag = "*"): void {
    const clamped = Math.max(0, Math.min(5, Math.trunc(level))) as IdfLogLevel;
    if (tag === "*") {
      this.level = clamped;
      this.tagLevels.clear();
    } else this.tagLevels.set(tag, clamped);
  }

  levelFor(tag = "*"): IdfLogLevel {
    return this.tagLevels.get(tag) ?? this.level;
  }

  enabled(level: IdfLogLevel, tag: string): boolean {
    return level !== 0 && level <= this.maximumLevel && level <= this.levelFor(tag);
  }

  /**
   * ESP_LOGx(tag, text) from another FreeRTOS task (Wi-Fi, lwIP, httpd): printed on its own turn,
   * wherever the REPL's output has got to by then.
   */
  log(level: IdfLogLevel, tag: string, text: string, glued = false): void {
    if (!this.enabled(level, tag)) return;
    const line = this.format(level, tag, text, glued);
    setTimeout(() => this.emit(line), 0);
  }

  /**
   * ESP_LOGx from C code running in the MicroPython task itself (a module function Python
   * called): after what Python printed before the call (the console's own queue flushes first).
   */
  logInline(level: IdfLogLevel, tag: string, text: string): void {
    if (!this.enabled(level, tag)) return;
    const line = this.format(level, tag, text);
    queueMicrotask(() => this.emit(line));
  }

  /**
   * Test hook: put a line on the console now, whatever the level (e.g. between two bytes of a
   * raw-REPL reply, to test a parser). Returns what was written.
   */
  force(level: IdfLogLevel, tag: string, text: string): IdfLogLine {
    const line = this.format(level, tag, text);
    this.emit(line);
    return line;
  }

  /**
   * Test hook: the next piece of console output (REPL text, a raw-REPL reply…) whose text matches
   * `match` gets this line written into the middle of the match, as a line from another task
   * would land on a real UART. Needs the console wrapped by `wrapConsole` (createUpstreamPyDirectApp
   * does it). Resolves with the line once written.
   */
  interleave(match: RegExp, level: IdfLogLevel, tag: string, text: string): Promise<IdfLogLine> {
    return new Promise((resolve) => this.pendingSplits.push({ match, level, tag, text, resolve }));
  }

  /** The console write the REPL uses, with room for `interleave` to split its chunks. */
  wrapConsole(write: (bytes: Uint8Array) => void): (bytes: Uint8Array) => void {
    const latin1 = new TextDecoder("latin1");
    return (bytes) => {
      const text = this.pendingSplits.length === 0 ? "" : latin1.decode(bytes);
      const index = this.pendingSplits.findIndex((p) => p.match.test(text));
      const split = index < 0 ? undefined : this.pendingSplits.splice(index, 1)[0];
      const m = split?.match.exec(text);
      if (!split || !m) {
        write(bytes);
        return;
      }
      const cut = m.index + Math.max(1, Math.floor(m[0].length / 2));
      write(bytes.slice(0, cut));
      const line = this.format(split.level, split.tag, split.text);
      write(new TextEncoder().encode(line.wire));
      this.listeners.forEach((l) => l(line));
      write(bytes.slice(cut));
      split.resolve(line);
    };
  }

  /** Every line printed (after the level check), for tests. */
  onLine(listener: (line: IdfLogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * `glued`: the Wi-Fi driver's closed-source library prints `wifi:text` with no space after the
   * colon (as in every ESP32 boot log, e.g. `I (820) wifi:mode : sta (…)`); ESP_LOGx puts one.
   */
  format(level: IdfLogLevel, tag: string, text: string, glued = false): IdfLogLine {
    const ms = Math.max(0, Math.round(this.now() - this.bootAt));
    const body = `${LETTER[level]} (${String(ms)}) ${tag}:${glued ? "" : " "}${text}`;
    const colour = this.colors && level in COLOUR ? COLOUR[level] : "";
    const wire = colour ? `${colour}${body}${RESET}\r\n` : `${body}\r\n`;
    return { level, tag, text, wire };
  }

  private emit(line: IdfLogLine): void {
    if (!this.sink) return;
    this.sink(new TextEncoder().encode(line.wire));
    this.listeners.forEach((l) => l(line));
  }
}
