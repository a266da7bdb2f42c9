import type { AppContext, AppRuntime, AppRuntimeFactory } from "../../../src/virtual-board";

/**
 * A test double for MicroPython's console: the raw REPL state machine (banner, OK, stdout/stderr
 * separated by Ctrl-D, raw-paste with a real flow-control window, soft reboot), with scripted
 * answers instead of an interpreter. It records what it received and flags window overruns, so
 * the client's side of the protocol is checked byte for byte.
 */
export interface ScriptedAnswer {
  stdout?: string;
  stderr?: string;
  /** Delay before answering (a slow command such as a Wi-Fi scan). */
  delayMs?: number;
  /** Never answer (a hung program). */
  hang?: boolean;
}

export interface ScriptedReplOptions {
  rawPaste?: boolean;
  /** Raw-paste window increment the device announces. */
  window?: number;
  /** A program is running at boot: only Ctrl-C reaches the REPL; the first Ctrl-C is swallowed. */
  runningProgram?: boolean;
  answer: (code: string) => ScriptedAnswer;
  /** Printed after the banner on every boot (status lines, logs). */
  bootLines?: string[];
}

export interface ScriptedReplDevice {
  factory: AppRuntimeFactory;
  /** Every code block the device compiled, in order. */
  executed: string[];
  /** Raw-paste bytes received beyond the granted window (must stay 0). */
  windowOverruns: number;
  softResets: number;
  /** The running app's console writer (to inject noise), set once booted. */
  write?: (text: string) => void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function scriptedReplDevice(options: ScriptedReplOptions): ScriptedReplDevice {
  const device: ScriptedReplDevice = {
    factory: () => undefined as never,
    executed: [],
    windowOverruns: 0,
    softResets: 0,
  };
  device.factory = (ctx: AppContext): AppRuntime => {
    const out = (text: string | Uint8Array) => ctx.write(typeof text === "string" ? enc.encode(text) : text);
    device.write = (text) => out(text);
    let mode: "running" | "friendly" | "raw" | "paste" | "busy" = options.runningProgram ? "running" : "friendly";
    let interruptsSeen = 0;
    let line: number[] = [];
    let pasteHeader: number[] = [];
    const increment = options.window ?? 32;
    let windowLeft = 0;
    let consumedSinceGrant = 0;
    out("MicroPython v1.27.0 on 2026-01-01; scripted\r\n");
    for (const [i, line] of (options.bootLines ?? []).entries()) {
      setTimeout(
        () => {
          if (!ctx.signal.aborted) out(`${line}\r\n`);
        },
        20 * (i + 1),
      );
    }
    out(">>> ");

    const run = (code: string, viaPaste: boolean) => {
      device.executed.push(code);
      if (!viaPaste) out("OK");
      const answer = options.answer(code);
      if (answer.hang) {
        mode = "busy";
        return;
      }
      mode = "busy";
      setTimeout(() => {
        if (ctx.signal.aborted) return;
        out(`${answer.stdout ?? ""}\x04${answer.stderr ?? ""}\x04>`);
        mode = "raw";
      }, answer.delayMs ?? 0);
    };

    const rawByte = (b: number) => {
      if (b === 0x01) {
        line = [];
        out("raw REPL; CTRL-B to exit\r\n>");
      } else if (b === 0x02) {
        mode = "friendly";
        out("\r\n>>> ");
      } else if (b === 0x03) {
        line = [];
      } else if (b === 0x04) {
        if (line.length === 0) {
          device.softResets++;
          out("OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
          return;
        }
        const code = dec.decode(new Uint8Array(line));
        line = [];
        run(code, false);
      } else {
        line.push(b);
        // Ctrl-E 'A' Ctrl-A is the raw-paste request: answered before the Ctrl-A above would reset.
        if (line.length === 2 && line[0] === 0x05 && line[1] === 0x41) pasteHeader = [0x05, 0x41];
      }
    };

    const input = (bytes: Uint8Array) => {
      for (const b of bytes) {
        if (mode === "running" || mode === "busy") {
          if (b === 0x03) {
            interruptsSeen++;
            if (mode === "busy" || interruptsSeen >= 2) {
              if (mode === "busy") out("\x04Traceback (most recent call last):\r\nKeyboardInterrupt: \r\n\x04>");
              else out("\r\nKeyboardInterrupt: \r\n>>> ");
              mode = mode === "busy" ? "raw" : "friendly";
            }
          }
          continue;
        }
        if (mode === "friendly") {
          if (b === 0x04) {
            // Ctrl-D at the friendly prompt: MicroPython's soft reboot runs boot.py and main.py again.
            device.softResets++;
            out("MPY: soft reboot\r\n");
            for (const l of options.bootLines ?? []) out(`${l}\r\n`);
            out(">>> ");
            continue;
          }
          if (b === 0x01) {
            mode = "raw";
            line = [];
            out("\r\nraw REPL; CTRL-B to exit\r\n>");
          }
          continue;
        }
        if (mode === "paste") {
          if (b === 0x04) {
            out("\x04");
            const code = dec.decode(new Uint8Array(line));
            line = [];
            run(code, true);
            continue;
          }
          if (windowLeft === 0) device.windowOverruns++;
          else windowLeft--;
          line.push(b);
          consumedSinceGrant++;
          if (consumedSinceGrant === increment) {
            consumedSinceGrant = 0;
            windowLeft += increment;
            out(new Uint8Array([0x01]));
          }
          continue;
        }
        // raw mode
        if (b === 0x01 && pasteHeader.length === 2) {
          pasteHeader = [];
          line = [];
          if (options.rawPaste) {
            mode = "paste";
            windowLeft = increment;
            consumedSinceGrant = 0;
            out(new Uint8Array([0x52, 0x01, increment & 0xff, increment >> 8]));
          } else {
            // Firmware without raw-paste: Ctrl-A re-enters raw mode and reprints the banner.
            out("raw REPL; CTRL-B to exit\r\n>");
          }
          continue;
        }
        rawByte(b);
      }
    };
    return { input, stop: () => undefined };
  };
  return device;
}
