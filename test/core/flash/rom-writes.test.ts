import { describe, expect, it } from "vitest";
import { flashParts, md5Hex } from "../../../src/core/flash";
import { VirtualBoard } from "../../../src/virtual-board";
import { collect, threePartImage } from "./helpers";

describe("small writes through the ROM loader", () => {
  it("writes a changed sector without uploading the stub, and leaves the sectors around it alone", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const parts = threePartImage(81);
    await flashParts(board.port, { parts });
    const changed = parts.map((p) => ({ ...p, data: p.data.slice() }));
    changed[2].data[100_000] ^= 0x5a;
    const before = board.flash.slice();
    const { events, onEvent } = collect();
    const report = await flashParts(board.port, { parts: changed, fastBaud: true }, onEvent);
    expect(report.bytesWritten).toBe(4096);
    expect(events.some((e) => e.state === "stub-running" || e.state === "baud")).toBe(false);
    // Everything but the changed byte is as it was, the neighbouring sectors included.
    const diffs = [...board.flash].flatMap((b, i) => (b !== before[i] ? [i] : []));
    expect(diffs).toEqual([0x10000 + 100_000]);
    expect(report.parts[2].md5).toBe(md5Hex(changed[2].data));
  });

  it("starts the stub for anything larger, and on chips whose ROM wants another begin packet", async () => {
    const board = new VirtualBoard({ chip: "ESP32-P4", usbSerialJtag: true });
    const parts = threePartImage(82).map((p) => (p.name === "bootloader" ? { ...p, offset: 0x2000 } : p));
    await flashParts(board.port, { parts });
    const changed = parts.map((p) => ({ ...p, data: p.data.slice() }));
    changed[2].data[100_000] ^= 0x5a;
    const { events, onEvent } = collect();
    await flashParts(board.port, { parts: changed }, onEvent);
    expect(events.some((e) => e.state === "stub-running")).toBe(true);

    const s3 = new VirtualBoard({ chip: "ESP32-S3" });
    const big = collect();
    await flashParts(s3.port, { parts: threePartImage(83) }, big.onEvent);
    expect(big.events.some((e) => e.state === "stub-running")).toBe(true);
  });
});
