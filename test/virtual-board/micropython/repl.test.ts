import { afterEach, describe, expect, it } from "vitest";
import { enterRaw, rawPasteExec, startBoard, type BoardUnderTest } from "./board-harness";

let bt: BoardUnderTest | undefined;
afterEach(() => {
  bt?.term.close();
  bt?.board.unplug();
  bt = undefined;
});

describe("friendly REPL", () => {
  it("prints the banner, echoes input and shows expression values", async () => {
    bt = await startBoard();
    const { term } = bt;
    expect(term.text).toContain("MicroPython v1.27.0");
    expect(term.text).toContain('Type "help()" for more information.\r\n>>> ');
    await term.send("6 * 7\r");
    expect(await term.until(">>> ")).toBe("6 * 7\r\n42\r\n>>> ");
    await term.send("x = 'abc'\r");
    expect(await term.until(">>> ")).toBe("x = 'abc'\r\n>>> ");
    await term.send("x\r");
    expect(await term.until(">>> ")).toBe("x\r\n'abc'\r\n>>> ");
  });

  it("continues compound statements with '... ' until a blank line", async () => {
    bt = await startBoard();
    const { term } = bt;
    await term.send("for i in range(3):\r");
    expect(await term.until("... ")).toBe("for i in range(3):\r\n... ");
    // The next line comes pre-indented, as MicroPython's auto-indent does.
    expect(await term.take(4)).toBe("    ");
    await term.send("print(i * 10)\r");
    expect(await term.until("... ")).toBe("print(i * 10)\r\n... ");
    await term.send("\r");
    expect(await term.until(">>> ")).toBe("    \r\n0\r\n10\r\n20\r\n>>> ");
  });

  it("prints a traceback for an error and stays usable; backspace edits the line", async () => {
    bt = await startBoard();
    const { term } = bt;
    await term.send("1/0\r");
    const out = await term.until(">>> ");
    expect(out).toContain(
      'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nZeroDivisionError',
    );
    await term.send("2+x\x7f2\r");
    expect(await term.until(">>> ")).toBe("2+x\b \b2\r\n4\r\n>>> ");
  });

  it("Ctrl-C at the prompt drops the line; Ctrl-E paste mode runs a block", async () => {
    bt = await startBoard();
    const { term } = bt;
    await term.send("print('never')\x03");
    expect(await term.until(">>> ")).toBe("print('never')\r\n>>> ");
    await term.send("\x05");
    await term.until("=== ");
    await term.send("def f(a):\r    return a + 1\r\rprint(f(41))\r\x04");
    const out = await term.until(">>> ");
    expect(out).toContain("42\r\n");
  });

  it("Ctrl-C interrupts a running `while True: time.sleep(1)`", async () => {
    bt = await startBoard();
    const { term } = bt;
    await term.send("import time\r");
    await term.until(">>> ");
    await term.send("while True:\r");
    await term.until("... ");
    await term.send("time.sleep(1)\r");
    await term.until("... ");
    await term.send("\r");
    await new Promise((r) => setTimeout(r, 400));
    // Still running: nothing after the echoed Enter.
    expect(term.text.endsWith("...     \r\n")).toBe(true);
    const sentAt = Date.now();
    await term.send("\x03");
    const out = await term.until(">>> ");
    expect(Date.now() - sentAt).toBeLessThan(900);
    expect(out).toContain("KeyboardInterrupt");
    await term.send("print('alive')\r");
    expect(await term.until(">>> ")).toContain("alive\r\n");
  });
});

describe("raw REPL", () => {
  it("keeps stdout and the traceback apart", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    expect(await term.rawExec("print('hello')\nprint(sum(range(10)))")).toEqual(["hello\r\n45\r\n", ""]);
    const [out, err] = await term.rawExec("print('before')\nraise ValueError('bad value')");
    expect(out).toBe("before\r\n");
    expect(err).toBe(
      'Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\nValueError: bad value\r\n',
    );
    const [, syntax] = await term.rawExec("def broken(:\n  pass");
    expect(syntax).toContain("SyntaxError");
  });

  it("Ctrl-C interrupts a sleeping loop and the raw prompt comes back", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    await term.send("import time\nn = 0\nwhile True:\n    n += 1\n    time.sleep(1)\n\x04");
    await term.until("OK");
    await new Promise((r) => setTimeout(r, 300));
    expect(term.pendingBytes()).toBe(0);
    await term.send("\x03");
    expect(await term.until("\x04")).toBe("\x04");
    const err = await term.until("\x04");
    expect(err).toContain("KeyboardInterrupt");
    await term.until(">");
    expect(await term.rawExec("print(n)")).toEqual(["1\r\n", ""]);
  });

  it("survives garbage bytes: Ctrl-C clears the line and the next exec works", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    const garbage = new Uint8Array(300);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 97 + 13) & 0xff;
    // Keep out the control bytes that mean something (Ctrl-A..E), as line noise on a quiet link would.
    await term.send(garbage.map((b) => (b >= 1 && b <= 5 ? 0x20 : b)));
    await term.send("\x03");
    expect(await term.rawExec("print('clean')")).toEqual(["clean\r\n", ""]);
    // Undecodable bytes inside code run as replacement characters, not a dead console.
    const [out] = await term.rawExec("print(len('\xff\xfe'))");
    expect(out).toBe("2\r\n");
    expect(await term.rawExec("print(2**10)")).toEqual(["1024\r\n", ""]);
  });

  it("recovers from line noise over the whole byte range with mpremote's enter-raw sequence", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    let seed = 0x2545f491;
    const noise = new Uint8Array(3000).map(() => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed & 0xff;
    });
    await term.send(noise);
    await new Promise((r) => setTimeout(r, 1500));
    await term.send("\r\x03\x03");
    await new Promise((r) => setTimeout(r, 300));
    term.skip();
    await term.send("\r\x01");
    await term.until("raw REPL; CTRL-B to exit\r\n>");
    await new Promise((r) => setTimeout(r, 200));
    term.skip();
    expect(await term.rawExec("print('still here')")).toEqual(["still here\r\n", ""]);
  });

  it("Ctrl-B returns to the friendly REPL", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    await term.send("\x02");
    const out = await term.until(">>> ");
    expect(out).toContain("MicroPython v1.27.0");
    expect(bt.app.current?.mode).toBe("friendly");
  });
});

describe("raw-paste mode", () => {
  it("grants the window in \\x01 steps as data arrives and runs the code", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    const lines = Array.from({ length: 40 }, (_, i) => `v${i} = ${i} * 3  # padding to make the source long`);
    const code = `${lines.join("\n")}\nprint(v39)\n`;
    const result = await rawPasteExec(term, code);
    expect(result.window).toBe(128);
    expect(result).toMatchObject({ stdout: "117\r\n", stderr: "" });
    // One grant up front, then one per window of bytes received.
    expect(result.grants).toBe(1 + Math.floor(code.length / 128));
  });

  it("sends no grant until a whole window has arrived", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    await term.send("\x05A\x01");
    expect(await term.take(5)).toBe("R\x01\x80\x00\x01");
    await term.send("#".repeat(127));
    await new Promise((r) => setTimeout(r, 200));
    expect(term.pendingBytes()).toBe(0);
    await term.send("\n");
    expect(await term.take(1)).toBe("\x01");
    await term.send("print('pasted')\x04");
    expect(await term.until("\x04")).toBe("\x04");
    expect(await term.until("\x04")).toBe("pasted\r\n\x04");
    expect(await term.until(">")).toBe("\x04>");
  });

  it("answers R\\x00 when the firmware lacks raw-paste, and plain raw REPL still works", async () => {
    bt = await startBoard({ rawPaste: false });
    const { term } = bt;
    await enterRaw(term);
    await term.send("\x05A\x01");
    expect(await term.take(2)).toBe("R\x00");
    expect(await term.rawExec("print('fallback')")).toEqual(["fallback\r\n", ""]);
  });
});
