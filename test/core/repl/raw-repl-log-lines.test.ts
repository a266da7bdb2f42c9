/**
 * The raw REPL on a console where ESP-IDF prints log lines into everything the board writes: the
 * banner, raw-paste's window header and flow-control bytes, the middle of stdout and stderr, the
 * prompt. Every exchange the portal makes (JSON answers, file reads, hashes) still gets its answer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DeviceFiles, RawRepl, sha256Hex } from "../../../src/core/repl";
import { ANSWER_PREFIX } from "../../../src/core/repl/raw-repl";
import type { AppRuntimeFactory } from "../../../src/virtual-board";
import { bootedBoard } from "./board-fixture";
import { scriptedReplDevice, type ScriptedAnswer } from "./scripted-repl-device";

const enc = new TextEncoder();
let counter = 0;
/** A line as ESP-IDF's LOG_FORMAT prints it, coloured every other time (CONFIG_LOG_COLORS). */
function logLine(): Uint8Array {
  counter++;
  const text = `I (${1000 + counter}) wifi:state: run -> auth (b0), count ${counter}`;
  return enc.encode(counter % 2 ? `\x1b[0;32m${text}\x1b[0m\r\n` : `${text}\r\n`);
}

/** Every write the app makes gets a log line in front of it and another in its middle. */
function withLogLines(factory: AppRuntimeFactory): AppRuntimeFactory {
  return (ctx) =>
    factory({
      ...ctx,
      write: (bytes) => {
        const mid = bytes.length >> 1;
        const parts = [logLine(), bytes.subarray(0, mid), logLine(), bytes.subarray(mid)];
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          all.set(p, at);
          at += p.length;
        }
        ctx.write(all);
      },
    });
}

let repl: RawRepl | undefined;
afterEach(async () => {
  await repl?.close().catch(() => undefined);
  repl = undefined;
});

describe("RawRepl with ESP-IDF log lines at every awkward point", () => {
  it("runs code by raw-paste and reads JSON, text and stderr out of the interleaved stream", async () => {
    const fileText = "line one\nline two\n";
    const answer = (code: string): ScriptedAnswer => {
      if (code.includes("json")) return { stdout: `[settings] loaded\r\n${ANSWER_PREFIX}{"ok": true, "n": 42}\r\n` };
      if (code.includes("boom"))
        return { stdout: "", stderr: "Traceback (most recent call last):\r\nValueError: boom\r\n" };
      if (code.includes("b2a_base64")) return { stdout: btoa(fileText) + "\r\n" };
      if (code.includes("hashlib")) return { stdout: sha256Hex(enc.encode(fileText)) + "\r\n" };
      return { stdout: "plain" };
    };
    const device = scriptedReplDevice({ rawPaste: true, window: 16, answer });
    const board = await bootedBoard({ app: withLogLines(device.factory) });
    repl = await RawRepl.open(board.port);
    const logs: string[] = [];
    repl.connection.onLogLine((l) => logs.push(l));

    const code = "import json\n" + "x = 'several raw-paste windows of code'\n".repeat(4);
    expect(await repl.execJson(code)).toEqual({ ok: true, n: 42 });
    expect(device.windowOverruns).toBe(0);
    expect(device.executed).toEqual([code]);
    expect(await repl.execOrThrow("print('x')")).toBe("plain");
    await expect(repl.execOrThrow("boom()")).rejects.toMatchObject({
      code: "device-exception",
      message: "The board reported an error: ValueError: boom",
    });
    const files = new DeviceFiles(repl);
    expect(new TextDecoder().decode(await files.readFile("/a.txt"))).toBe(fileText);
    expect(await files.sha256("/a.txt")).toBe(sha256Hex(enc.encode(fileText)));
    // The lines were seen, clean, by whoever listens for them.
    expect(logs.length).toBeGreaterThan(10);
    expect(logs.every((l) => /^I \(\d+\) wifi:state: run -> auth \(b0\), count \d+$/.test(l))).toBe(true);
  });
});
