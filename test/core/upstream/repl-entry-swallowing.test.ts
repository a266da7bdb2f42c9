/**
 * Entering the raw REPL of a board whose main.py catches KeyboardInterrupt and carries on (upstream
 * pyDirect's main() restarts its event loop, device-scripts/main.py:330-345, and system_root()
 * catches it too, :205-211; our look-alike does the same, test/fixtures/upstream-device/main.py),
 * and of boards whose programs do stop on Ctrl-C, printing meanwhile or taking their time: those
 * are never reset.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RawRepl } from "../../../src/core/repl";
import type { VirtualBoard } from "../../../src/virtual-board";
import { upstreamBoard } from "./upstream-board";

let board: VirtualBoard | undefined;
let repl: RawRepl | undefined;
afterEach(async () => {
  await repl?.close().catch(() => undefined);
  repl = undefined;
  board?.unplug();
  board = undefined;
});

const boots = (console: string) => console.split("ESP-ROM:").length - 1;

describe("entering the raw REPL", () => {
  it("resets and interrupts boot.py at once when the running program prints on past Ctrl-C, without waiting the entry timeout out", async () => {
    const started = await upstreamBoard();
    board = started.board;
    expect(boots(started.console())).toBe(1);
    const enterTimeoutMs = 8000;
    const t0 = Date.now();
    repl = await RawRepl.open(board.port, { interruptAtBoot: true, enterTimeoutMs });
    const elapsed = Date.now() - t0;
    expect((await repl.exec("print(6*7)")).stdout).toBe("42\r\n");
    // The way in was the reset: a second boot, interrupted at its greeting (main.py never ran).
    expect(boots(started.console())).toBe(2);
    expect((await repl.exec("print('_serve' in globals())")).stdout).toBe("False\r\n");
    // The board answered both Ctrl-C by printing (its restart): no wait for silence.
    expect(elapsed).toBeLessThan(enterTimeoutMs);
    console.log(`REPL entry, upstream look-alike: ${elapsed} ms (enterTimeoutMs ${enterTimeoutMs})`);
  }, 60_000);

  it("still waits out a program that swallows Ctrl-C silently, then resets (nothing tells it from a long call)", async () => {
    const started = await upstreamBoard({
      frozenFiles: {
        "/boot.py": 'print("System booting...")\nimport time\ntime.sleep_ms(150)\n',
        "/main.py": [
          "import time",
          "while True:",
          "    try:",
          "        time.sleep_ms(100)",
          "    except KeyboardInterrupt:",
          "        pass",
          "",
        ].join("\n"),
      },
    });
    board = started.board;
    const enterTimeoutMs = 1000;
    const t0 = Date.now();
    repl = await RawRepl.open(board.port, { interruptAtBoot: true, enterTimeoutMs });
    const elapsed = Date.now() - t0;
    expect((await repl.exec("print(1)")).stdout).toBe("1\r\n");
    expect(boots(started.console())).toBe(2);
    // First attempt: idle 1 s; the retry: idle 1 s again (min(1000, 1500)).
    expect(elapsed).toBeGreaterThanOrEqual(2 * enterTimeoutMs);
  }, 60_000);

  it("does not reset a board whose program prints all the time and stops on Ctrl-C", async () => {
    const started = await upstreamBoard({
      frozenFiles: {
        "/boot.py": 'print("System booting...")\n',
        "/main.py": [
          "import time",
          "n = 0",
          "while True:",
          "    n += 1",
          '    print("tick", n)',
          "    time.sleep_ms(5)",
          "",
        ].join("\n"),
      },
    });
    board = started.board;
    repl = await RawRepl.open(board.port, { interruptAtBoot: true });
    expect((await repl.exec("print(n > 0)")).stdout).toBe("True\r\n");
    expect(boots(started.console())).toBe(1);
  }, 60_000);

  it("does not reset a board whose program prints while it winds down after Ctrl-C before it stops", async () => {
    const started = await upstreamBoard({
      frozenFiles: {
        "/boot.py": 'print("System booting...")\n',
        "/main.py": [
          "import time",
          "try:",
          "    while True:",
          "        time.sleep_ms(50)",
          "except KeyboardInterrupt:",
          "    for i in range(8):",
          '        print("closing", i)',
          "        time.sleep_ms(100)",
          "    raise",
          "",
        ].join("\n"),
      },
    });
    board = started.board;
    repl = await RawRepl.open(board.port, { interruptAtBoot: true });
    expect((await repl.exec("print('here')")).stdout).toBe("here\r\n");
    expect(boots(started.console())).toBe(1);
    // The handler ran (it printed "closing 0" at least) and the board stopped without a reset.
    expect((await repl.exec("print(i >= 0)")).stdout).toBe("True\r\n");
  }, 60_000);
});
