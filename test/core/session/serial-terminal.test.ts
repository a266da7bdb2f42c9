import { afterEach, describe, expect, it } from "vitest";
import { demoParts } from "../../../scripts/lib/demo-firmware";
import { pasteBytes, SerialTerminal } from "../../../src/core/session/serial-terminal";
import { VirtualBoard } from "../../../src/virtual-board";
import { createMicroPythonApp } from "../../../src/virtual-board/micropython";

// The serial console's core against the virtual board running the demo firmware's MicroPython:
// what the xterm on the page shows and sends, minus the DOM.

describe("pasteBytes", () => {
  it("types a single line as it is, with Enter as CR", () => {
    expect(pasteBytes("print(1)", true)).toBe("print(1)");
    expect(pasteBytes("print(1)\n", true)).toBe("print(1)\r");
    expect(pasteBytes("print(1)\r\n", false)).toBe("print(1)\r");
  });

  it("sends a block through MicroPython's paste mode (Ctrl-E … Ctrl-D), line endings as CR", () => {
    expect(pasteBytes("for i in range(2):\r\n    print(i)\n\n", true)).toBe(
      "\x05for i in range(2):\r    print(i)\r\x04",
    );
  });

  it("leaves a block alone on a board without a MicroPython REPL", () => {
    expect(pasteBytes("a\nb\n", false)).toBe("a\rb\r");
  });
});

let board: VirtualBoard | null = null;
let terminal: SerialTerminal | null = null;
afterEach(async () => {
  await terminal?.close();
  board?.unplug();
  board = terminal = null;
});

async function pyDirectBoard(): Promise<VirtualBoard> {
  const b = new VirtualBoard({ chip: "ESP32-S3", app: createMicroPythonApp({ accessPoints: [] }) });
  for (const part of demoParts("ESP32-S3")) b.flash.set(part.data, part.offset);
  await b.waitForMode("app", 10_000);
  return b;
}

/** Output as the terminal received it, with a wait for a marker. */
function collector() {
  let text = "";
  const waiters = new Set<() => void>();
  return {
    onOutput: (chunk: string) => {
      text += chunk;
      for (const w of waiters) w();
    },
    get text() {
      return text;
    },
    until(marker: string, from = 0, timeoutMs = 30_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const at = text.indexOf(marker, from);
          if (at < 0) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(text.slice(from, at + marker.length));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${JSON.stringify(marker)} in ${JSON.stringify(text.slice(from))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

describe("SerialTerminal on the virtual board", () => {
  it("resets the board through EN and shows it boot, runs typed lines, interrupts with Ctrl-C, runs a pasted block", async () => {
    board = await pyDirectBoard();
    const out = collector();
    const ended: string[] = [];
    terminal = await SerialTerminal.open(board.port, { onOutput: out.onOutput, onEnded: (r) => ended.push(r) });

    await terminal.reset();
    // The ROM's banner after EN (an EN reset reads as power-on on the S3), then MicroPython's prompt.
    // Read from that banner on: the first boot may still have been printing its prompt when the
    // terminal opened (the board is in "app" mode before MicroPython's banner is out).
    await out.until("ESP-ROM:esp32s3");
    const boot = await out.until(">>> ", out.text.lastIndexOf("ESP-ROM:esp32s3"));
    expect(boot).toContain("ESP-ROM:esp32s3");
    expect(boot).toContain("rst:0x1 (POWERON)");
    expect(boot).toContain("MicroPython");

    let from = out.text.length;
    await terminal.send("print(6*7)\r");
    expect(await out.until(">>> ", from)).toBe("print(6*7)\r\n42\r\n>>> ");

    from = out.text.length;
    await terminal.send("import time; time.sleep(30)\r");
    await out.until("time.sleep(30)\r\n", from);
    await terminal.send("\x03");
    expect(await out.until(">>> ", from)).toContain("KeyboardInterrupt");

    from = out.text.length;
    await terminal.send(pasteBytes("total = 0\nfor i in range(4):\n    total += i\nprint('total', total)\n", true));
    const pasted = await out.until("total 6\r\n", from);
    expect(pasted).toContain("paste mode; Ctrl-C to cancel, Ctrl-D to finish");
    expect(out.text.slice(from)).not.toContain("IndentationError");
    expect(ended).toEqual([]);
  });

  it("says when the board goes away, and lets go of the port on close", async () => {
    board = await pyDirectBoard();
    const out = collector();
    const ended: string[] = [];
    terminal = await SerialTerminal.open(board.port, { onOutput: out.onOutput, onEnded: (r) => ended.push(r) });
    expect(terminal.isOpen).toBe(true);
    await terminal.close();
    expect(terminal.isOpen).toBe(false);
    // Closed here: no "ended" report, and the port is free for the next job.
    expect(ended).toEqual([]);
    expect(board.port.readable).toBeNull();

    terminal = await SerialTerminal.open(board.port, { onOutput: out.onOutput, onEnded: (r) => ended.push(r) });
    board.unplug();
    await expect.poll(() => ended.length).toBe(1);
    expect(ended[0]).toMatch(/disconnected/i);
    await expect(terminal.send("x")).rejects.toThrow(/disconnected/);
  });
});
