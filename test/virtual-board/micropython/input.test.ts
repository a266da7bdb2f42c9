/**
 * input() on the virtual board: where the console can make it cooperative (module level, async
 * functions) it waits for the host's line without CPU and Ctrl-C ends the wait; inside a plain
 * function it takes a line already typed, or says why it cannot wait, instead of hanging the
 * interpreter in the wasm port's spin loop.
 */
import { afterEach, describe, expect, it } from "vitest";
import { makeSleepsCooperative } from "../../../src/virtual-board/micropython/cooperative-source";
import { enterRaw, startBoard, type BoardUnderTest } from "./board-harness";

let bt: BoardUnderTest | undefined;
afterEach(() => {
  bt?.term.close();
  bt?.board.unplug();
  bt = undefined;
});

describe("input() on the virtual board", () => {
  it("waits for the host's line without CPU, echoes it, and returns it", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    await term.send("name = input('name? ')\nprint('hello', name)\x04");
    await term.until("OK");
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    await new Promise((r) => setTimeout(r, 1500));
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)).toBeLessThan(0.15);
    await term.send(new TextEncoder().encode("Zoë O'Brien\r\n"));
    // The terminal shows bytes one char each: ë is its two UTF-8 bytes.
    expect(await term.until("\x04")).toBe("name? Zo\xc3\xab O'Brien\r\nhello Zo\xc3\xab O'Brien\r\n\x04");
    expect(await term.until("\x04")).toBe("\x04");
  });

  it("ends the wait on Ctrl-C with KeyboardInterrupt", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    await term.send("input()\x04");
    await term.until("OK");
    await new Promise((r) => setTimeout(r, 300));
    await term.send("\x03");
    expect(await term.until("\x04")).toBe("\x04");
    const traceback = await term.until("\x04");
    expect(traceback).toMatch(/KeyboardInterrupt: \r\n\x04$/);
    // input() is native code on the chip: its stand-in leaves no frame.
    expect(traceback).not.toContain("<string>");
    expect(await term.rawExec("print(1 + 1)")).toEqual(["2\r\n", ""]);
  });

  it("inside a function: takes a line typed beforehand, else raises EOFError instead of hanging", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    await term.rawExec("def ask():\n    return input('> ')");
    expect(await term.rawExec("try:\n    ask()\nexcept EOFError as e:\n    print('EOFError:', e)")).toEqual([
      "> EOFError: input() inside a function on the virtual board needs its line typed beforehand\r\n",
      "",
    ]);
    // The line follows the code in the same write, so it is waiting when ask() runs.
    await term.send("import time\ntime.sleep(0.2)\nprint(repr(ask()))\x04typed ahead\r");
    await term.until("OK");
    expect(await term.until("\x04")).toBe("> typed ahead\r\n'typed ahead'\r\n\x04");
  });

  it("is rewritten only where await is legal and the code has no input of its own", () => {
    expect(makeSleepsCooperative("x = input('a')\n")).toBe("x = await __vb_input('a')\n");
    expect(makeSleepsCooperative("def f():\n    return input()\n")).toBe("def f():\n    return input()\n");
    expect(makeSleepsCooperative("async def f():\n    return input()\n")).toBe(
      "async def f():\n    return await __vb_input()\n",
    );
    expect(makeSleepsCooperative("def input(p):\n    return p\nx = input('a')\n")).toBe(
      "def input(p):\n    return p\nx = input('a')\n",
    );
    expect(makeSleepsCooperative("ui.input('a')\n")).toBe("ui.input('a')\n");
  });
});
