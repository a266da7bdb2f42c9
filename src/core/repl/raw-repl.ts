import type { SerialPortLike } from "../port/serial-port";
import { ConsoleConnection } from "./console-connection";
import { ReplError } from "./errors";
import { BEFORE_BOOT_INTERRUPT_MS, RAW_PROMPT, enterDuringBoot, interruptIntoRaw } from "./repl-entry";

export { BOOT_GREETINGS } from "./repl-entry";

const CTRL_A = 0x01;
const CTRL_B = 0x02;
const CTRL_D = 0x04;
const CTRL_E = 0x05;

const EOT = new Uint8Array([CTRL_D]);
/** Plain raw REPL has no flow control: pace writes the way the UART RX buffer can absorb them. */
const PLAIN_CHUNK = 256;
const PLAIN_CHUNK_PAUSE_MS = 10;

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** stdout bytes as the board sent them (binary-safe). */
  stdoutBytes: Uint8Array;
}

export interface ExecOptions {
  /** Longest silence allowed while the code runs; default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RawReplOptions {
  baudRate?: number;
  /** Longest silence allowed while entering the REPL; default 5 s. */
  enterTimeoutMs?: number;
  /** Soft-reset the interpreter after entering, for a clean heap and globals. */
  softReset?: boolean;
  /** Force plain raw REPL even where raw-paste is available (tests; very old firmware). */
  disableRawPaste?: boolean;
  /**
   * When Ctrl-C does not bring a prompt (firmware whose main.py restarts itself on
   * KeyboardInterrupt, as pyDirect upstream's does), reset the board through RTS and interrupt
   * `boot.py` as soon as it greets (`BOOT_GREETINGS`): MicroPython then skips main.py. This is how
   * pyDirect's own flasher reaches the REPL. The reset restarts whatever the board was doing.
   */
  interruptAtBoot?: boolean;
}

/**
 * What the portal's snippets print in front of their answer, so the answer can be told from
 * anything else that reaches stdout meanwhile (a module's import printing `[settings] …`).
 */
export const ANSWER_PREFIX = "\x1ePDANSWER ";

/** Python that prints the JSON of `expression` behind ANSWER_PREFIX (needs `import json`). */
export function printAnswer(expression: string): string {
  return `print('\\x1ePDANSWER ' + json.dumps(${expression}))\n`;
}

/**
 * The JSON answer in a snippet's stdout: the last line behind `ANSWER_PREFIX`; without one, the
 * whole output, else its last line that parses (code that prints bare JSON after other text).
 */
export function extractJsonAnswer(stdout: string): unknown {
  const lines = stdout.split(/\r?\n/);
  const marked = lines.filter((l) => l.includes(ANSWER_PREFIX)).pop();
  const candidates =
    marked !== undefined
      ? [marked.slice(marked.indexOf(ANSWER_PREFIX) + ANSWER_PREFIX.length)]
      : [stdout, ...lines.reverse()];
  for (const text of candidates) {
    if (!text.trim()) continue;
    try {
      return JSON.parse(text);
    } catch {
      // the next candidate
    }
  }
  throw new ReplError("protocol", `The board answered with something that is not JSON: ${stdout.slice(0, 80)}`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const decoder = new TextDecoder();

/**
 * MicroPython's raw REPL over a serial console, as mpremote drives it: interrupt whatever runs,
 * enter raw mode, send code by raw-paste with the board's flow control (or plain raw REPL where
 * the firmware lacks it) and collect stdout and stderr separately.
 */
export class RawRepl {
  /** `true`/`false` once the board has answered a raw-paste request; `undefined` before. */
  rawPasteSupported: boolean | undefined;
  private inRawMode = false;

  constructor(
    readonly connection: ConsoleConnection,
    private readonly options: RawReplOptions = {},
  ) {
    if (options.disableRawPaste) this.rawPasteSupported = false;
    // ESP-IDF's log lines share the UART (pyDirect's boot.py sets esp.osdebug(LOG_INFO)) and may
    // land anywhere in a raw-REPL exchange, flow control included: the protocol never sees them.
    connection.separateEspLogLines();
  }

  /** Open the port at the console rate, interrupt the running program and enter raw REPL. */
  static async open(port: SerialPortLike, options: RawReplOptions = {}): Promise<RawRepl> {
    const connection = await ConsoleConnection.open(port, { baudRate: options.baudRate });
    const repl = new RawRepl(connection, options);
    try {
      await repl.enter({ softReset: options.softReset ?? false });
    } catch (err) {
      await connection.close();
      throw err;
    }
    return repl;
  }

  get isInRawMode(): boolean {
    return this.inRawMode;
  }

  /**
   * Ctrl-C twice stops a running main.py (one may be eaten by a `try/except KeyboardInterrupt`),
   * then Ctrl-A switches to raw mode. Anything the board printed before the banner is dropped.
   * One retry covers a first interrupt lost in boot noise. With `interruptAtBoot`, a program seen
   * running on past the interrupt (`interruptIntoRaw` says "ran-on") is not waited for: after a
   * second such attempt the board is reset and interrupted during boot.
   */
  async enter(options: { softReset?: boolean } = {}): Promise<void> {
    const atBoot = this.options.interruptAtBoot === true;
    const configured = this.options.enterTimeoutMs ?? 5000;
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      // The first attempt waits as always (a board still starting up may be silent a while); with
      // the boot interrupt to fall back on, the retry need not: a running board answers Ctrl-C at once.
      const idleMs = atBoot && attempt > 0 ? Math.min(configured, BEFORE_BOOT_INTERRUPT_MS) : configured;
      try {
        if ((await interruptIntoRaw(this.connection, idleMs, atBoot)) === "raw") {
          this.inRawMode = true;
          if (options.softReset) await this.softReset();
          return;
        }
        lastError = new ReplError(
          "timeout",
          "The program on the board carried on after Ctrl-C without a prompt (it catches KeyboardInterrupt).",
        );
      } catch (err) {
        lastError = err;
        if (err instanceof ReplError && err.code !== "timeout") throw err;
      }
    }
    if (atBoot) {
      try {
        await enterDuringBoot(this.connection, configured);
        this.inRawMode = true;
        if (options.softReset) await this.softReset();
        return;
      } catch (err) {
        lastError = err;
        if (err instanceof ReplError && err.code !== "timeout") throw err;
      }
    }
    throw new ReplError(
      "no-repl",
      "The board did not offer a MicroPython REPL. Check that it runs MicroPython (flash pyDirect first) and that nothing else holds the port.",
      { cause: lastError },
    );
  }

  /** Soft reset from raw mode: fresh heap and globals; the board comes back to the raw prompt. */
  async softReset(timeoutMs = 10_000): Promise<void> {
    await this.requireRawMode();
    this.connection.discardInput();
    await this.connection.write(EOT);
    await this.connection.readUntil("soft reboot\r\n", { idleMs: timeoutMs });
    // boot.py may print (status lines) before the prompt comes back.
    await this.connection.readUntil(RAW_PROMPT, { idleMs: timeoutMs });
  }

  /** Back to the friendly REPL (Ctrl-B). */
  async leave(): Promise<void> {
    if (!this.inRawMode) return;
    await this.connection.write(new Uint8Array([0x0d, CTRL_B]));
    this.inRawMode = false;
  }

  /** Leave raw mode and release the port. */
  async close(): Promise<void> {
    if (!this.connection.error) await this.leave().catch(() => undefined);
    await this.connection.close();
  }

  /** Run `code`; return stdout and stderr (a traceback) without judging them. */
  async exec(code: string, options: ExecOptions = {}): Promise<ExecResult> {
    try {
      await this.send(code, options);
      return await this.follow(options);
    } catch (err) {
      // The board may still be running the code or mid-protocol: the next call interrupts and re-enters.
      this.inRawMode = false;
      throw err;
    }
  }

  /** Run `code`; a traceback on stderr becomes a `ReplError("device-exception")`. */
  async execOrThrow(code: string, options: ExecOptions = {}): Promise<string> {
    const result = await this.exec(code, options);
    if (result.stderr.length > 0) {
      const lastLine = result.stderr.trim().split("\n").pop() ?? "";
      throw new ReplError("device-exception", `The board reported an error: ${lastLine.trim()}`, {
        deviceTraceback: result.stderr,
      });
    }
    return result.stdout;
  }

  /**
   * Run `code` that prints one JSON document, behind `ANSWER_PREFIX` (`printAnswer`) or alone;
   * return it parsed. Whatever else the code's imports print on the way is ignored.
   */
  async execJson<T>(code: string, options: ExecOptions = {}): Promise<T> {
    return extractJsonAnswer(await this.execOrThrow(code, options)) as T;
  }

  /** Send `code` and return once the board has it, without waiting for it to finish (machine.reset()). */
  async execNoFollow(code: string, options: ExecOptions = {}): Promise<void> {
    await this.send(code, options);
    this.inRawMode = false;
  }

  private async requireRawMode(): Promise<void> {
    if (!this.inRawMode) await this.enter();
  }

  private async send(code: string, options: ExecOptions): Promise<void> {
    await this.requireRawMode();
    const idleMs = options.timeoutMs ?? 10_000;
    // Whatever arrived since the last prompt (status lines, noise) is not the answer to this code.
    this.connection.discardInput();
    const bytes = new TextEncoder().encode(code);
    if (this.rawPasteSupported !== false && (await this.sendRawPaste(bytes, idleMs, options.signal))) return;
    await this.sendPlain(bytes, idleMs, options.signal);
  }

  /** Raw-paste: the board grants a window of bytes and tops it up with Ctrl-A as it compiles. */
  private async sendRawPaste(code: Uint8Array, idleMs: number, signal?: AbortSignal): Promise<boolean> {
    const c = this.connection;
    await c.write(new Uint8Array([CTRL_E, 0x41, CTRL_A]));
    const answer = await c.readExactly(2, { idleMs, signal });
    if (answer[0] === 0x52 /* R */ && answer[1] === 0x00) {
      // Understood but not available in this build: plain raw REPL from now on, as mpremote does.
      this.rawPasteSupported = false;
      return false;
    }
    if (answer[0] !== 0x52 || answer[1] !== 0x01) {
      // Firmware without raw-paste took Ctrl-A as "re-enter raw REPL" and printed the banner again.
      await c.readUntil(RAW_PROMPT.slice(2), { idleMs, signal });
      this.rawPasteSupported = false;
      return false;
    }
    this.rawPasteSupported = true;
    const header = await c.readExactly(2, { idleMs, signal });
    const increment = header[0] | (header[1] << 8);
    let window = increment;
    let sent = 0;
    while (sent < code.length) {
      while (window === 0 || c.bufferedBytes > 0) {
        const [flow] = await c.readExactly(1, { idleMs, signal });
        if (flow === CTRL_A) window += increment;
        else if (flow === CTRL_D) {
          // The board ended the paste early (it hit an error); acknowledge and read its answer.
          await c.write(EOT);
          return true;
        } else {
          throw new ReplError("protocol", `Unexpected byte 0x${flow.toString(16)} during raw-paste flow control.`);
        }
      }
      const chunk = code.subarray(sent, sent + window);
      await c.write(chunk);
      sent += chunk.length;
      window -= chunk.length;
    }
    await c.write(EOT);
    // The board acknowledges the end of data with Ctrl-D; flow-control bytes may still precede it.
    await c.readUntil(EOT, { idleMs, signal });
    return true;
  }

  private async sendPlain(code: Uint8Array, idleMs: number, signal?: AbortSignal): Promise<void> {
    const c = this.connection;
    for (let i = 0; i < code.length; i += PLAIN_CHUNK) {
      await c.write(code.subarray(i, i + PLAIN_CHUNK));
      if (i + PLAIN_CHUNK < code.length) await sleep(PLAIN_CHUNK_PAUSE_MS);
    }
    await c.write(EOT);
    await c.readUntil("OK", { idleMs, signal });
  }

  /** After the code: stdout up to Ctrl-D, stderr up to Ctrl-D, then the ">" prompt. */
  private async follow(options: ExecOptions): Promise<ExecResult> {
    const wait = { idleMs: options.timeoutMs ?? 10_000, signal: options.signal };
    const c = this.connection;
    const stdoutBytes = await c.readUntil(EOT, wait);
    const stderrBytes = await c.readUntil(EOT, wait);
    await c.readUntil(">", wait);
    return { stdout: decoder.decode(stdoutBytes), stderr: decoder.decode(stderrBytes), stdoutBytes };
  }
}
