import { describe, expect, it } from "vitest";
import { flashParts } from "../../../src/core/flash";
import { VirtualBoard } from "../../../src/virtual-board";
import { collect, expectedFlash, firstDifference, threePartImage } from "./helpers";

const blank = (board: VirtualBoard) => new Uint8Array(board.flash.length).fill(0xff);

describe("flashParts when things go wrong", () => {
  it("reports a port held by another program as port-busy", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    board.port.busy = true;
    const err = await flashParts(board.port, { parts: threePartImage() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "port-busy", action: "close-other-app" });
    expect((err as Error).message).toMatch(/Serial Monitor.*screen.*ModemManager/);
  });

  it("tells the user to hold BOOT when the board never answers, and works once they do", async () => {
    const board = new VirtualBoard({ chip: "ESP32", autoReset: false });
    const parts = threePartImage();
    await board.waitForMode("boot-failed");
    const err = await flashParts(board.port, { parts }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "no-response", action: "hold-boot" });
    expect((err as Error).message).toMatch(/BOOT/);

    board.reset("download"); // BOOT held while RESET is pressed
    await flashParts(board.port, { parts, reset: false });
    expect(firstDifference(board.flash, expectedFlash(blank(board), parts))).toBe(-1);
  }, 120_000);

  it("gives a typed error when the cable is pulled mid-write; replugged, the board enters download mode and flashes", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const parts = threePartImage(21);
    const { events, onEvent } = collect();
    // The stub upload and handshake take ~20 KB; 120 KB in, the app part is being written.
    board.injectFaults({ disconnectAfterBytes: 120_000 });
    const err = await flashParts(board.port, { parts }, onEvent).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "disconnected" });
    expect(events.some((e) => e.state === "writing" && e.written > 0 && e.written < e.total)).toBe(true);
    expect(board.mode).toBe("unplugged");

    const port = board.plug();
    const modes: string[] = [];
    board.onModeChange((m) => modes.push(m));
    await flashParts(port, { parts });
    expect(modes).toContain("download");
    expect(firstDifference(board.flash, expectedFlash(blank(board), parts))).toBe(-1);
  });

  it("recovers from a corrupted byte in a data block (the stub rejects the checksum, the block is resent)", async () => {
    const parts = threePartImage(31);
    const clean = new VirtualBoard({ chip: "ESP32-S3" });
    await flashParts(clean.port, { parts });
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    board.injectFaults({ corruptByteAt: 90_000 });
    const report = await flashParts(board.port, { parts });
    expect(firstDifference(board.flash, expectedFlash(blank(board), parts))).toBe(-1);
    expect(report.parts.every((p) => p.md5.length === 32)).toBe(true);
    // The same job on a clean link sends the same bytes, less the block that had to go twice.
    expect(board.linkStats.toBoard - clean.linkStats.toBoard).toBeGreaterThan(1000);
  });

  it("recovers from a dropped byte on the link", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3" });
    const parts = threePartImage(41);
    board.injectFaults({ dropByteAt: 60_000 });
    await flashParts(board.port, { parts });
    expect(firstDifference(board.flash, expectedFlash(blank(board), parts))).toBe(-1);
  }, 60_000);

  it("reports a write failure when the chip resets mid-write, and the next attempt succeeds", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const parts = threePartImage(51);
    board.injectFaults({ resetAfterBytes: 100_000 });
    const err = await flashParts(board.port, { parts }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "write-failed" });
    expect((err as Error).message).toMatch(/at 0x/);
    await flashParts(board.port, { parts });
    expect(firstDifference(board.flash, expectedFlash(blank(board), parts))).toBe(-1);
  }, 120_000);

  it("stops with 'cancelled' when aborted", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const controller = new AbortController();
    const err = await flashParts(board.port, { parts: threePartImage(), signal: controller.signal }, (e) => {
      if (e.state === "writing" && e.written > 50_000) controller.abort();
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "cancelled" });
    expect(board.port.isOpen).toBe(false);
  });
});
