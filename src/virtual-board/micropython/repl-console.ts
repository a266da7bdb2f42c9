/**
 * MicroPython's console protocol, as mpremote and terminal users see it, driving the interpreter:
 * friendly REPL (echo, line editing, continuation lines, paste mode), raw REPL (Ctrl-A; code then
 * Ctrl-D answers "OK", stdout, \x04, traceback, \x04, ">"), raw-paste (\x05A\x01 → "R\x01" +
 * window size, \x01 per window consumed) or "R\x00" where the firmware lacks it, Ctrl-C, and
 * Ctrl-D soft reset. The wasm build's own REPL cannot do raw-paste or interrupt a sleeping
 * program, so this front end is ours.
 */
import type { ConsoleOutput } from "./console-output";
import type { ExecOutcome } from "./interpreter";

const CTRL_A = 0x01;
const CTRL_B = 0x02;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_E = 0x05;
const BACKSPACE = 0x08;
const DEL = 0x7f;
const ESC = 0x1b;
const CR = 0x0d;
const LF = 0x0a;

export type ReplMode = "friendly" | "raw";

export interface ReplHost {
  readonly out: ConsoleOutput;
  run(code: string): Promise<ExecOutcome>;
  isExpression(source: string): boolean;
  interrupt(): void;
  /** Bytes arrived while code runs (an input() may be waiting for its line). */
  inputQueued?(): void;
  /** Restart the interpreter (boot.py, and main.py when `mode` is friendly), then return here. */
  reset(kind: "soft" | "hard", mode: ReplMode): Promise<void>;
  /** "MicroPython v1.27.0 on …; … with …" */
  banner(): string;
}

export interface ReplOptions {
  rawPaste: boolean;
  /** Raw-paste flow-control window in bytes (MicroPython: half its 256-byte stdin buffer). */
  rawPasteWindow?: number;
}

const COMPOUND_START = /^(if|elif|else|for|while|def|class|try|except|finally|with|async|match|case)\b|^@/;

export class ReplConsole {
  mode: ReplMode = "friendly";
  private busy = false;
  private readonly queue: number[] = [];
  private line: number[] = [];
  private continuation: string | null = null;
  private pasteBuffer: number[] | null = null;
  private escape: "none" | "esc" | "csi" = "none";
  private lastWasCr = false;
  private rawPaste: { received: number } | null = null;
  private readonly window: number;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly host: ReplHost,
    private readonly options: ReplOptions,
  ) {
    this.window = options.rawPasteWindow ?? 128;
  }

  /** Bytes from the host. Ctrl-C interrupts running code at once; the rest waits its turn. */
  input(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.busy && b === CTRL_C) this.host.interrupt();
      else this.queue.push(b);
    }
    if (this.busy) this.host.inputQueued?.();
    this.pump();
  }

  /** The console is occupied (boot scripts, a reset) until `work` settles; input queues meanwhile. */
  async occupy(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await work();
    } finally {
      this.busy = false;
      this.pump();
    }
  }

  /** The prompt for the current mode, after boot or a reset. */
  prompt(): void {
    if (this.mode === "raw") this.host.out.raw("raw REPL; CTRL-B to exit\r\n>");
    else this.host.out.raw(`${this.host.banner()}\r\nType "help()" for more information.\r\n>>> `);
  }

  /** sys.stdin of running code reads the bytes typed while it runs (never blocking for more). */
  takeInputByte(): number | null {
    return this.busy ? (this.queue.shift() ?? null) : null;
  }

  /**
   * input() of running code: a whole line typed while it runs (CR, LF or CR LF ends it), or null
   * while the line is not complete. The terminator is consumed, not returned.
   */
  takeInputLine(): string | null {
    if (!this.busy) return null;
    const end = this.queue.findIndex((b) => b === 0x0d || b === 0x0a);
    if (end === -1) return null;
    const line = this.queue.splice(0, end + 1);
    if (line[end] === 0x0d && this.queue[0] === 0x0a) this.queue.shift();
    return this.decoder.decode(Uint8Array.from(line.slice(0, end)));
  }

  private pump(): void {
    while (!this.busy) {
      const b = this.queue.shift();
      if (b === undefined) break;
      if (this.rawPaste) this.rawPasteByte(b);
      else if (this.mode === "raw") this.rawByte(b);
      else if (this.pasteBuffer) this.pasteByte(b);
      else this.friendlyByte(b);
    }
  }

  private startWork(work: () => Promise<void>): void {
    this.occupy(work).catch((err: unknown) => {
      // A fault in the simulation itself, not in the user's code: say so and give the prompt back.
      this.host.out.raw(`\r\nvirtual board: ${err instanceof Error ? err.message : String(err)}\r\n`);
      this.host.out.raw(this.mode === "raw" ? ">" : ">>> ");
    });
  }

  // ---- friendly REPL ---------------------------------------------------------------------------

  private friendlyByte(b: number): void {
    const out = this.host.out;
    const wasCr = this.lastWasCr;
    this.lastWasCr = b === CR;
    if (this.escape !== "none") {
      // Cursor keys and the like: no history or in-line editing here, so they are swallowed.
      if (this.escape === "esc") this.escape = b === 0x5b || b === 0x4f ? "csi" : "none";
      else if (b >= 0x40 && b <= 0x7e) this.escape = "none";
      return;
    }
    switch (b) {
      case ESC:
        this.escape = "esc";
        return;
      case CTRL_A:
        this.line = [];
        this.continuation = null;
        this.mode = "raw";
        out.raw("\r\nraw REPL; CTRL-B to exit\r\n>");
        return;
      case CTRL_B:
        this.line = [];
        this.continuation = null;
        out.raw("\r\n");
        this.prompt();
        return;
      case CTRL_C:
        this.line = [];
        this.continuation = null;
        out.raw("\r\n>>> ");
        return;
      case CTRL_D:
        if (this.line.length === 0 && this.continuation === null) {
          out.raw("\r\n");
          this.startWork(() => this.host.reset("soft", "friendly"));
        }
        return;
      case CTRL_E:
        this.line = [];
        this.continuation = null;
        this.pasteBuffer = [];
        out.raw("\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
        return;
      case BACKSPACE:
      case DEL:
        if (this.line.length > 0) {
          // Remove a whole UTF-8 sequence, not just its last byte.
          let popped = this.line.pop() ?? 0;
          while ((popped & 0xc0) === 0x80 && this.line.length > 0) popped = this.line.pop() ?? 0;
          out.raw("\b \b");
        }
        return;
      case LF:
        if (wasCr) return;
        this.submitLine();
        return;
      case CR:
        this.submitLine();
        return;
      case 0x09:
        return;
      default:
        if (b < 0x20) return;
        this.line.push(b);
        out.raw(new Uint8Array([b]));
    }
  }

  private submitLine(): void {
    const text = this.decoder.decode(Uint8Array.from(this.line));
    this.line = [];
    this.host.out.raw("\r\n");
    const source = this.continuation === null ? text : `${this.continuation}\n${text}`;
    if (needsMoreInput(source)) {
      this.continuation = source;
      // Auto-indent as MicroPython's readline does: keep the indent, one level more after ':'.
      const indent = (/^[ \t]*/.exec(text)?.[0].length ?? 0) + (stripComment(text).endsWith(":") ? 4 : 0);
      this.line = Array.from({ length: indent }, () => 0x20);
      this.host.out.raw("... " + " ".repeat(indent));
      return;
    }
    this.continuation = null;
    if (source.trim() === "") {
      this.host.out.raw(">>> ");
      return;
    }
    this.startWork(async () => {
      const code = this.host.isExpression(source)
        ? `__vb_r = (${source}\n)\nif __vb_r is not None:\n    print(repr(__vb_r))\n__vb_r = None\n`
        : source;
      const outcome = await this.host.run(code);
      if (await this.afterFriendlyRun(outcome)) this.host.out.raw(">>> ");
    });
  }

  private pasteByte(b: number): void {
    const out = this.host.out;
    const buf = this.pasteBuffer;
    if (!buf) return; // only called in paste mode, which sets the buffer
    const wasCr = this.lastWasCr;
    this.lastWasCr = b === CR;
    if (b === CTRL_C) {
      this.pasteBuffer = null;
      out.raw("\r\n>>> ");
    } else if (b === CTRL_D) {
      this.pasteBuffer = null;
      out.raw("\r\n");
      const source = this.decoder.decode(Uint8Array.from(buf));
      this.startWork(async () => {
        const outcome = await this.host.run(source);
        if (await this.afterFriendlyRun(outcome)) this.host.out.raw(">>> ");
      });
    } else if (b === CR || (b === LF && !wasCr)) {
      buf.push(LF);
      out.raw("\r\n=== ");
    } else if (b !== LF) {
      buf.push(b);
      out.raw(new Uint8Array([b]));
    }
  }

  /** Prints a traceback or performs the reset SystemExit asked for; false when a reset took over. */
  private async afterFriendlyRun(outcome: ExecOutcome): Promise<boolean> {
    if (outcome.kind === "exception") this.host.out.cooked(new TextEncoder().encode(outcome.traceback));
    if (outcome.kind === "exit") {
      await this.host.reset(outcome.reset, "friendly");
      return false;
    }
    return true;
  }

  // ---- raw REPL ----------------------------------------------------------------------------------

  private rawByte(b: number): void {
    const out = this.host.out;
    switch (b) {
      case CTRL_A:
        if (this.line.length === 2 && this.line[0] === CTRL_E) {
          const command = this.line[1];
          this.line = [];
          if (this.options.rawPaste && command === 0x41) {
            const w = this.window;
            out.raw(new Uint8Array([0x52, 0x01, w & 0xff, w >> 8, 0x01]));
            this.rawPaste = { received: 0 };
          } else {
            out.raw(new Uint8Array([0x52, 0x00]));
          }
          return;
        }
        this.line = [];
        out.raw("raw REPL; CTRL-B to exit\r\n>");
        return;
      case CTRL_B:
        this.line = [];
        this.mode = "friendly";
        out.raw("\r\n");
        this.prompt();
        return;
      case CTRL_C:
        this.line = [];
        return;
      case CTRL_D: {
        out.raw("OK");
        const source = this.decoder.decode(Uint8Array.from(this.line));
        const empty = this.line.length === 0;
        this.line = [];
        if (empty) {
          out.raw("\r\n");
          this.startWork(() => this.host.reset("soft", "raw"));
          return;
        }
        this.startWork(() => this.rawExecute(source));
        return;
      }
      default:
        this.line.push(b);
    }
  }

  private rawPasteByte(b: number): void {
    const state = this.rawPaste;
    if (!state) return; // only called in raw-paste mode
    const out = this.host.out;
    if (b === CTRL_C || b === CTRL_D) {
      const source = this.decoder.decode(Uint8Array.from(this.line));
      this.line = [];
      this.rawPaste = null;
      out.raw("\x04");
      if (b === CTRL_C) out.raw("\x04KeyboardInterrupt: \r\n\x04>");
      else this.startWork(() => this.rawExecute(source));
      return;
    }
    this.line.push(b);
    state.received++;
    if (state.received % this.window === 0) out.raw("\x01");
  }

  private async rawExecute(source: string): Promise<void> {
    const out = this.host.out;
    const outcome = await this.host.run(source);
    out.raw("\x04");
    if (outcome.kind === "exception") out.cooked(new TextEncoder().encode(outcome.traceback));
    out.raw("\x04");
    if (outcome.kind === "exit") await this.host.reset(outcome.reset, "raw");
    else out.raw(">");
  }
}

/** MicroPython's rule for "... " continuation: open brackets/strings, a trailing ':' or '\', or a compound block not yet ended by a blank line. */
export function needsMoreInput(source: string): boolean {
  if (source.trim() === "") return false;
  const lines = source.split("\n");
  const last = lines[lines.length - 1];
  if (last.endsWith("\\")) return true;
  if (hasOpenBracketOrString(source)) return true;
  const first = lines[0].trim();
  const compound = COMPOUND_START.test(first) || stripComment(first).endsWith(":");
  if (!compound) return false;
  return last.trim() !== "";
}

function stripComment(line: string): string {
  const at = line.indexOf("#");
  return (at === -1 ? line : line.slice(0, at)).trimEnd();
}

function hasOpenBracketOrString(source: string): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = source.startsWith(c + c + c, i);
      const close = triple ? c + c + c : c;
      i += close.length;
      while (i < source.length && !source.startsWith(close, i)) {
        if (source[i] === "\\") i++;
        else if (!triple && source[i] === "\n") break;
        i++;
      }
      if (i >= source.length) return triple;
      i += close.length - 1;
      continue;
    }
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
  }
  return depth > 0;
}
