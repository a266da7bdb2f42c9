import { describe, expect, it } from "vitest";
import { ClassicReset, UsbJtagSerialReset } from "esptool-js";
import { SerialPortTransport } from "../../src/core/port/esptool-transport";
import { VirtualBoard } from "../../src/virtual-board";
import type { BoardMode } from "../../src/virtual-board/types";

async function afterSequence(board: VirtualBoard, sequence: "classic" | "usb-jtag"): Promise<BoardMode[]> {
  // Let the power-on boot finish first, so only the sequence's effect is observed.
  await new Promise((r) => setTimeout(r, 20));
  const transport = new SerialPortTransport(board.port);
  await transport.connect(115200);
  const modes: BoardMode[] = [];
  board.onModeChange((m) => modes.push(m));
  const strategy = sequence === "classic" ? new ClassicReset(transport, 50) : new UsbJtagSerialReset(transport);
  await strategy.reset();
  await new Promise((r) => setTimeout(r, 20));
  await transport.disconnect();
  return modes;
}

describe("reset lines", () => {
  it("the classic DTR/RTS sequence puts a USB-UART board into download mode", async () => {
    const board = new VirtualBoard({ chip: "ESP32" });
    const modes = await afterSequence(board, "classic");
    expect(modes).toEqual(["reset", "download"]);
  });

  it("the USB-Serial-JTAG sequence puts a native-USB board into download mode", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true });
    const modes = await afterSequence(board, "usb-jtag");
    expect(modes.at(-1)).toBe("download");
  });

  it("the USB-Serial-JTAG sequence on a USB-UART board only reboots its firmware", async () => {
    const classicBoard = new VirtualBoard({ chip: "ESP32-S3" });
    const modes = await afterSequence(classicBoard, "usb-jtag");
    expect(modes).toContain("reset");
    expect(modes).not.toContain("download");
  });

  it("a board without the auto-reset transistors ignores the lines", async () => {
    const board = new VirtualBoard({ chip: "ESP32", autoReset: false });
    await board.waitForMode("boot-failed").catch(() => board.waitForMode("app"));
    expect(await afterSequence(board, "classic")).toEqual([]);
  });

  it("console text arrives intact at 115200 and garbled at another baud rate (USB-Serial-JTAG ignores baud)", async () => {
    for (const [usbSerialJtag, baud, intact] of [
      [false, 115200, true],
      [false, 9600, false],
      [true, 9600, true],
    ] as const) {
      const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag });
      await board.port.open({ baudRate: baud });
      const reader = board.port.readable!.getReader();
      let text = "";
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done || !value) return;
          text += new TextDecoder("latin1").decode(value);
        }
      })();
      board.print("hello from the app\r\n");
      await new Promise((r) => setTimeout(r, 50));
      expect(text.length).toBeGreaterThanOrEqual(20);
      expect(text.includes("hello from the app")).toBe(intact);
      await reader.cancel();
      reader.releaseLock();
      await board.port.close();
    }
  });
});
