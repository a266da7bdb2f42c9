import { describe, expect, it } from "vitest";
import { VirtualBoard } from "../../src/virtual-board";
import { Op } from "../../src/virtual-board/rom/protocol";
import { NOR_TIMING } from "../../src/virtual-board/rom/spi-flash";
import { RawLoader, checksum, dataPayload, words } from "./helpers/raw-loader";
import { shippedStub, uploadStub } from "./helpers/stub-upload";

// Only lower bounds are asserted: a loaded machine can make things slower, never faster.
describe("the paced board's flash timing model", () => {
  it("the ROM erases the whole region before answering FLASH_BEGIN", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true, paced: true });
    const raw = new RawLoader(board);
    await raw.open();
    await raw.enterDownloadMode();
    await raw.command(Op.SPI_ATTACH, words(0, 0));
    const t = performance.now();
    expect((await raw.command(Op.FLASH_BEGIN, words(0x20000, 8, 0x4000, 0x100000, 0))).status).toEqual([0, 0, 0, 0]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(2 * NOR_TIMING.blockEraseMs - 1);
    await raw.close();
  });

  it("the stub acknowledges a block on receipt and programs it while the next arrives", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true, paced: true });
    const raw = new RawLoader(board);
    await raw.open();
    await raw.enterDownloadMode();
    await uploadStub(raw, shippedStub("esp32s3.json"));
    await raw.nextFrame(); // OHAI
    raw.statusLength = 2;

    const block = new Uint8Array(0x4000).fill(0x3c);
    const tBegin = performance.now();
    await raw.command(Op.FLASH_BEGIN, words(0x10000, 4, 0x4000, 0x100000));
    const t0 = performance.now();
    await raw.command(Op.FLASH_DATA, dataPayload(block, 0), checksum(block));
    const ack1 = performance.now();
    await raw.command(Op.FLASH_DATA, dataPayload(block, 1), checksum(block));
    const ack2 = performance.now();
    await raw.command(Op.FLASH_END, words(1));
    const end = performance.now();
    const programBlockMs = (0x4000 / 256) * NOR_TIMING.pageProgramMs;
    const block0Work = NOR_TIMING.blockEraseMs + programBlockMs;
    // Block 0 needed a 64 KiB erase (started once the stub took block 0 up: it erases nothing while
    // it waits for the UART) plus programming; block 1's ack waited for that work...
    expect(ack2 - tBegin).toBeGreaterThanOrEqual(block0Work - 2);
    // ...while block 0's own ack did not (16 KiB cross USB in ~16 ms; its work takes ~195 ms).
    expect(ack1 - t0).toBeLessThan(block0Work);
    // FLASH_END answers once the last block is programmed too.
    expect(end - tBegin).toBeGreaterThanOrEqual(block0Work + programBlockMs - 2);
    expect(board.flash.subarray(0x100000, 0x108000).every((b) => b === 0x3c)).toBe(true);
    await raw.close();
  });
});
