import { describe, expect, it } from "vitest";
import { flashParts, partsForChips, type FlashEvent } from "../../../src/core/flash";
import { PortalError } from "../../../src/core/errors";
import { VirtualBoard } from "../../../src/virtual-board";
import { collect, expectedFlash, firstDifference, threePartImage, waitUntil } from "./helpers";

describe("flashParts against the virtual board", () => {
  it("writes a multi-part image so the flash matches it at every offset, with progress and verify events", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const parts = threePartImage();
    const want = expectedFlash(board.flash, parts);
    const { events, onEvent } = collect();
    const report = await flashParts(board.port, { parts }, onEvent);

    expect(firstDifference(board.flash, want)).toBe(-1);
    expect(report.chip.family).toBe("ESP32-S3");
    expect(report.chip.mac).toBe("24:6f:28:5a:3c:01");
    expect(report.chip.flashSize).toBe(8 << 20);
    expect(report.baudRate).toBe(921600);
    expect(report.parts.map((p) => p.name)).toEqual(["bootloader", "partition-table", "app"]);
    expect(report.bytesWritten + report.bytesSkipped).toBe(parts.reduce((s, p) => s + p.data.length, 0));

    const states = events.map((e) => e.state);
    expect(states.slice(0, 3)).toEqual(["connecting", "connected", "preparing"]);
    expect(states.indexOf("stub-running")).toBeLessThan(states.indexOf("writing"));
    expect(states.at(-2)).toBe("resetting");
    expect(states.at(-1)).toBe("done");
    for (const [index, part] of parts.entries()) {
      const writing = events.filter(
        (e): e is Extract<FlashEvent, { state: "writing" }> => e.state === "writing" && e.index === index,
      );
      expect(writing.length).toBeGreaterThan(0);
      const written = writing.map((e) => e.written);
      expect([...written].sort((a, b) => a - b)).toEqual(written);
      expect(written.at(-1)).toBe(part.data.length);
      expect(writing.every((e) => e.total === part.data.length)).toBe(true);
      const verified = events.find((e) => e.state === "verified" && e.index === index);
      expect(verified).toMatchObject({ md5: report.parts[index].md5 });
    }
    // Reset out of download mode afterwards (into the app, or the boot check's verdict on this
    // synthetic image), and the port is closed for the console to take over.
    await waitUntil(() => board.mode === "app" || board.mode === "boot-failed");
    expect(board.port.isOpen).toBe(false);
  });

  it("refuses a board of the wrong chip before writing anything, and leaves its firmware running", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3" });
    const parts = threePartImage();
    board.flash.set(parts[2].data.subarray(0, 1000), 0x10000); // some old firmware
    const before = board.flash.slice();
    const { events, onEvent } = collect();
    const err = await flashParts(board.port, { parts: partsForChips(["ESP32-S3"], parts) }, onEvent).catch(
      (e: unknown) => e,
    );

    expect(err).toMatchObject({ code: "wrong-chip", action: "choose-another-firmware" });
    expect((err as Error).message).toContain("ESP32-C3");
    expect(events.some((e) => e.state === "writing" || e.state === "erasing")).toBe(false);
    expect(events.at(-1)).toMatchObject({ state: "error" });
    expect(firstDifference(board.flash, before)).toBe(-1);
    expect(board.port.isOpen).toBe(false);
    await waitUntil(() => board.mode === "app" || board.mode === "boot-failed");
  });

  it("re-flashing an identical image writes nothing, and a one-sector change writes one sector", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const parts = threePartImage(11);
    await flashParts(board.port, { parts });

    const identical = collect();
    const again = await flashParts(board.port, { parts }, identical.onEvent);
    expect(again.bytesWritten).toBe(0);
    expect(again.parts.every((p) => p.skipped)).toBe(true);
    // Nothing to write: the ROM's MD5 answered everything and the stub was never uploaded.
    expect(identical.events.some((e) => e.state === "stub-running")).toBe(false);

    const changed = parts.map((p) => ({ ...p, data: p.data.slice() }));
    changed[2].data[150_000] ^= 0xff;
    changed[2].data[150_001] ^= 0x0f;
    const { events, onEvent } = collect();
    const once = await flashParts(board.port, { parts: changed }, onEvent);
    expect(once.bytesWritten).toBe(4096);
    expect(once.parts.map((p) => p.skipped)).toEqual([true, true, false]);
    expect(firstDifference(board.flash.subarray(0x10000, 0x10000 + changed[2].data.length), changed[2].data)).toBe(-1);
    const lastWriting = events.filter((e) => e.state === "writing").at(-1);
    expect(lastWriting).toMatchObject({
      written: changed[2].data.length,
      skippedBytes: changed[2].data.length - 4096,
    });
  });

  it("passes a parts callback's own PortalError through as it is, and names a plain error's message", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const imageError = new PortalError("image-corrupt", "The app image is damaged: download it again.", {
      action: "retry",
    });
    const { events, onEvent } = collect();
    const err = await flashParts(board.port, { parts: () => Promise.reject(imageError) }, onEvent).catch(
      (e: unknown) => e,
    );
    expect(err).toBe(imageError);
    expect(events.at(-1)).toEqual({ state: "error", error: imageError });
    const plain = await flashParts(board.port, {
      parts: () => {
        throw new Error("no build for this board");
      },
    }).catch((e: unknown) => e);
    expect(plain).toMatchObject({ code: "invalid-parts" });
    expect((plain as Error).message).toContain("no build for this board");
    expect(board.flash.every((b) => b === 0xff)).toBe(true);
  });

  it("erases the whole chip first when asked (new install)", async () => {
    const board = new VirtualBoard({ chip: "ESP32" });
    board.flash.fill(0x5a);
    const parts = [{ name: "app", offset: 0x10000, data: threePartImage()[2].data }];
    const { events, onEvent } = collect();
    await flashParts(board.port, { parts, eraseAll: true }, onEvent);
    expect(events.some((e) => e.state === "erasing")).toBe(true);
    expect(firstDifference(board.flash, expectedFlash(new Uint8Array(board.flash.length).fill(0xff), parts))).toBe(-1);
  });

  it("steps down to a baud rate the USB-UART bridge manages", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", linkMaxBaud: 460_800 });
    const parts = threePartImage(3);
    const { events, onEvent } = collect();
    const report = await flashParts(board.port, { parts }, onEvent);
    expect(report.baudRate).toBe(460_800);
    expect(events.find((e) => e.state === "stub-running")).toEqual({ state: "stub-running", baudRate: 460_800 });
    expect(firstDifference(board.flash, expectedFlash(new Uint8Array(board.flash.length).fill(0xff), parts))).toBe(-1);
  });

  it("flashes an ESP32-C3 over its USB-Serial-JTAG without a baud change", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3", usbSerialJtag: true });
    const parts = threePartImage(5);
    const report = await flashParts(board.port, { parts, baudRate: 921_600 });
    expect(report.chip).toMatchObject({ family: "ESP32-C3", usbSerialJtag: true, revision: 4, flashSize: 4 << 20 });
    expect(report.baudRate).toBe(115_200);
    expect(firstDifference(board.flash, expectedFlash(new Uint8Array(board.flash.length).fill(0xff), parts))).toBe(-1);
  });

  it("rejects parts that are misaligned, overlapping or larger than the flash, before writing", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3" });
    const data = new Uint8Array(5000).fill(1);
    const cases = [
      [{ name: "app", offset: 0x10010, data }],
      [
        { name: "a", offset: 0x10000, data },
        { name: "b", offset: 0x11000, data },
      ],
      [{ name: "huge", offset: 0x3ff000, data }],
    ];
    for (const parts of cases) {
      const err = await flashParts(board.port, { parts }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "invalid-parts" });
    }
    expect(board.flash.every((b) => b === 0xff)).toBe(true);
  });
});
