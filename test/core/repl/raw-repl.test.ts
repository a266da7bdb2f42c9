import { afterEach, describe, expect, it } from "vitest";
import { RawRepl, ReplError } from "../../../src/core/repl";
import type { VirtualBoard } from "../../../src/virtual-board";
import { bootedBoard } from "./board-fixture";
import { scriptedReplDevice, type ScriptedAnswer } from "./scripted-repl-device";

let repl: RawRepl | undefined;
afterEach(async () => {
  await repl?.close().catch(() => undefined);
  repl = undefined;
});

async function setup(opts: Parameters<typeof scriptedReplDevice>[0], boardOpts: { paced?: boolean } = {}) {
  const device = scriptedReplDevice(opts);
  const board: VirtualBoard = await bootedBoard({ app: device.factory, ...boardOpts });
  return { device, board };
}

const echo = (code: string): ScriptedAnswer => ({ stdout: `ran ${code.length} bytes`, stderr: "" });

describe("RawRepl against a scripted MicroPython console", () => {
  it("enters raw REPL, runs code by raw-paste within the granted window, keeps stdout and stderr apart", async () => {
    const { device, board } = await setup({
      rawPaste: true,
      window: 16,
      answer: (code) =>
        code.includes("boom") ? { stdout: "partial", stderr: "Traceback\r\nValueError: boom\r\n" } : echo(code),
    });
    repl = await RawRepl.open(board.port);
    const code = "x = 1\n" + "y = 'a long line that needs several windows'\n".repeat(5);
    const ok = await repl.exec(code);
    expect(ok).toMatchObject({ stdout: `ran ${new TextEncoder().encode(code).length} bytes`, stderr: "" });
    expect(repl.rawPasteSupported).toBe(true);
    expect(device.executed).toEqual([code]);
    expect(device.windowOverruns).toBe(0);
    const failed = await repl.exec("boom()");
    expect(failed.stdout).toBe("partial");
    expect(failed.stderr).toContain("ValueError: boom");
    await expect(repl.execOrThrow("boom()")).rejects.toMatchObject({
      code: "device-exception",
      message: expect.stringContaining("ValueError: boom"),
    });
  });

  it("falls back to plain raw REPL on firmware without raw-paste, and remembers it", async () => {
    const { device, board } = await setup({ rawPaste: false, answer: echo });
    repl = await RawRepl.open(board.port);
    const code = "z = 2\n".repeat(100); // > 256 bytes: several paced plain chunks
    expect((await repl.exec(code)).stdout).toBe(`ran ${code.length} bytes`);
    expect(repl.rawPasteSupported).toBe(false);
    expect((await repl.exec("print(1)")).stdout).toBe("ran 8 bytes");
    // The raw-paste probe bytes never reach the compiler.
    expect(device.executed).toEqual([code, "print(1)"]);
  });

  it("interrupts a running program that swallows the first Ctrl-C", async () => {
    const { device, board } = await setup({ runningProgram: true, rawPaste: true, answer: echo });
    repl = await RawRepl.open(board.port);
    expect((await repl.exec("a=1")).stdout).toBe("ran 3 bytes");
    expect(device.executed).toEqual(["a=1"]);
  });

  it("soft-resets from raw mode and is ready again", async () => {
    const { device, board } = await setup({ rawPaste: true, answer: echo });
    repl = await RawRepl.open(board.port, { softReset: true });
    expect(device.softResets).toBe(1);
    await repl.softReset();
    expect(device.softResets).toBe(2);
    expect((await repl.exec("b=2")).stdout).toBe("ran 3 bytes");
  });

  it("times out on a hung command with a ReplError and recovers with Ctrl-C on the next call", async () => {
    const { board } = await setup({
      rawPaste: true,
      answer: (code) => (code === "while True: pass" ? { hang: true } : echo(code)),
    });
    repl = await RawRepl.open(board.port);
    const err = await repl.exec("while True: pass", { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplError);
    expect(err).toMatchObject({ code: "timeout" });
    expect((await repl.exec("c=3")).stdout).toBe("ran 3 bytes");
  });

  it("survives noise the board prints between commands (boot messages, stray status lines)", async () => {
    const { device, board } = await setup({ rawPaste: true, answer: echo });
    repl = await RawRepl.open(board.port);
    device.write!('\x00\xffgarbage >>> OK \x04 raw REPL\r\nPYDIRECT {"event":"wifi"}\r\n>');
    await new Promise((r) => setTimeout(r, 20));
    expect((await repl.exec("d=4")).stdout).toBe("ran 3 bytes");
  });

  it("reports a board that offers no REPL as no-repl", async () => {
    const board = await bootedBoard({ app: () => ({ input: () => undefined, stop: () => undefined }) });
    const err = await RawRepl.open(board.port, { enterTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "no-repl", action: "retry" });
    // The port was released: it can be opened again.
    await board.port.open({ baudRate: 115200 });
    await board.port.close();
  });

  it("gives up on a boot-looping board that never stops printing", async () => {
    const { VirtualBoard } = await import("../../../src/virtual-board");
    const board = new VirtualBoard({ chip: "ESP32-S3" }); // blank flash: the ROM prints its complaint every 400 ms
    await board.waitForMode("boot-failed");
    const started = Date.now();
    const err = await RawRepl.open(board.port, { enterTimeoutMs: 600 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "no-repl" });
    expect(Date.now() - started).toBeLessThan(5000);
    board.unplug();
  });

  it("reports an unplug mid-command as disconnected", async () => {
    const { board } = await setup({ rawPaste: true, answer: (c) => ({ ...echo(c), delayMs: 200 }) });
    repl = await RawRepl.open(board.port);
    const pending = repl.exec("e=5");
    setTimeout(() => board.unplug(), 50);
    await expect(pending).rejects.toMatchObject({ code: "disconnected" });
  });

  it("works over a paced 115200 link", async () => {
    const { device, board } = await setup({ rawPaste: true, window: 128, answer: echo }, { paced: true });
    repl = await RawRepl.open(board.port);
    const code = "q = 'x'\n".repeat(200);
    expect((await repl.exec(code)).stdout).toBe(`ran ${code.length} bytes`);
    expect(device.windowOverruns).toBe(0);
  });
});
