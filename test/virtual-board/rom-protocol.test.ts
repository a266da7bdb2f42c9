import { afterEach, describe, expect, it } from "vitest";
import { md5 } from "@noble/hashes/legacy.js";
import { VirtualBoard } from "../../src/virtual-board";
import { Op, RomError, StubError } from "../../src/virtual-board/rom/protocol";
import { RawLoader, checksum, dataPayload, words } from "./helpers/raw-loader";
import { STUB_FILE, shippedStub, uploadStub } from "./helpers/stub-upload";

const SYNC = new Uint8Array([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
const text = new TextDecoder();

let open: RawLoader | undefined;
afterEach(async () => {
  await open?.close().catch(() => undefined);
  open = undefined;
});

let openChip: keyof typeof STUB_FILE = "ESP32-S3";

async function inDownloadMode(
  chip: "ESP32" | "ESP32-S3" | "ESP32-C3" = "ESP32-S3",
): Promise<{ board: VirtualBoard; raw: RawLoader }> {
  openChip = chip;
  const board = new VirtualBoard({ chip, flashSize: 4 << 20 });
  const raw = new RawLoader(board);
  open = raw;
  await raw.open();
  await raw.enterDownloadMode();
  return { board, raw };
}

/** Load esptool-js's stub for the chip to RAM and jump into it, as esptool-js does. */
async function startStub(raw: RawLoader): Promise<void> {
  expect(await uploadStub(raw, shippedStub(STUB_FILE[openChip]))).toEqual([0, 0, 0, 0]);
  expect(text.decode(await raw.nextFrame())).toBe("OHAI");
  raw.statusLength = 2;
}

describe("the virtual board's serial bootloader", () => {
  it("prints the ROM's download banner and answers SYNC eight times with a non-zero value", async () => {
    const { board, raw } = await inDownloadMode();
    expect(board.consoleText).toContain("waiting for download");
    const first = await raw.command(Op.SYNC, SYNC);
    expect(first).toMatchObject({ op: Op.SYNC, status: [0, 0, 0, 0] });
    expect(first.value).not.toBe(0);
    for (let i = 0; i < 7; i++) await raw.nextFrame();
    await expect(raw.nextFrame(200)).rejects.toThrow();
  });

  it("reads the chip-detect magic and eFuse MAC words", async () => {
    const { raw } = await inDownloadMode("ESP32");
    expect((await raw.command(Op.READ_REG, words(0x40001000))).value).toBe(0x00f01d83);
    expect((await raw.command(Op.READ_REG, words(0x3ff5a004))).value).toBe(0x285a3c01);
    expect((await raw.command(Op.READ_REG, words(0x3ff5a008))).value & 0xffff).toBe(0x246f);
  });

  it("answers GET_SECURITY_INFO with the chip id on the S3, and 'invalid message' on the ESP32 ROM", async () => {
    const s3 = await inDownloadMode("ESP32-S3");
    const info = await s3.raw.command(Op.GET_SECURITY_INFO);
    expect(info.body.length).toBe(24);
    expect(new DataView(info.body.buffer, info.body.byteOffset).getUint32(12, true)).toBe(9);
    await s3.raw.close();
    const esp32 = await inDownloadMode("ESP32");
    expect((await esp32.raw.command(Op.GET_SECURITY_INFO)).status).toEqual([1, RomError.INVALID_MESSAGE, 0, 0]);
  });

  it("rejects a bad checksum, a wrong data length and an unknown command, ROM and stub codes each", async () => {
    const { raw } = await inDownloadMode();
    const code = new Uint8Array(32).fill(0x42);
    await raw.command(Op.MEM_BEGIN, words(32, 1, 0x1800, 0x40378000));
    expect((await raw.command(Op.MEM_DATA, dataPayload(code, 0), checksum(code) ^ 1)).status).toEqual([
      1,
      RomError.INVALID_CRC,
      0,
      0,
    ]);
    expect((await raw.command(Op.READ_REG, words(0x40001000), 0, 8)).status).toEqual([
      1,
      RomError.INVALID_MESSAGE,
      0,
      0,
    ]);
    expect((await raw.command(Op.ERASE_FLASH)).status).toEqual([1, RomError.INVALID_MESSAGE, 0, 0]);

    await startStub(raw);
    // The stub sends its error code first, then a status byte (stub_flasher.c cmd_loop); its MEM_DATA
    // checks neither checksum nor length word, only that the words fit what MEM_BEGIN announced.
    await raw.command(Op.MEM_BEGIN, words(32, 1, 0x1800, 0x3fc90000));
    expect((await raw.command(Op.MEM_DATA, dataPayload(code.subarray(0, 30), 0))).status).toEqual([
      StubError.BAD_DATA_LEN,
      0,
    ]);
    expect((await raw.command(Op.MEM_DATA, dataPayload(new Uint8Array(36), 0))).status).toEqual([
      StubError.TOO_MUCH_DATA,
      0,
    ]);
    expect((await raw.command(Op.MEM_DATA, dataPayload(code, 0), checksum(code) ^ 1)).status).toEqual([0, 0]);
    expect((await raw.command(0x77)).status).toEqual([StubError.CMD_NOT_IMPLEMENTED, 0]);
    expect((await raw.command(Op.FLASH_DATA, dataPayload(code, 0), checksum(code))).status).toEqual([
      StubError.NOT_IN_FLASH_MODE,
      0,
    ]);
  });

  it("refuses flash ranges beyond the chip's flash in the ROM (the stub's wrap is in strict-loader.test.ts)", async () => {
    const { raw } = await inDownloadMode();
    expect((await raw.command(Op.SPI_ATTACH, words(0, 0))).status).toEqual([0, 0, 0, 0]);
    expect((await raw.command(Op.FLASH_BEGIN, words(0x2000, 2, 0x1000, 0x3ff000, 0))).status).toEqual([
      1,
      RomError.FAILED_TO_ACT,
      0,
      0,
    ]);
  });

  it("takes SPI_ATTACH / SPI_SET_PARAMS, and erases regions and the whole chip once the stub runs", async () => {
    const { board, raw } = await inDownloadMode();
    expect((await raw.command(Op.SPI_ATTACH, words(0, 0))).status).toEqual([0, 0, 0, 0]);
    expect((await raw.command(Op.SPI_SET_PARAMS, words(0, 4 << 20, 0x10000, 0x1000, 0x100, 0xffff))).status).toEqual([
      0, 0, 0, 0,
    ]);
    expect((await raw.command(Op.SPI_SET_PARAMS, words(0, 4 << 20))).status).toEqual([
      1,
      RomError.INVALID_MESSAGE,
      0,
      0,
    ]);
    await startStub(raw);
    board.flash.fill(0x00, 0, 0x30000);
    expect((await raw.command(Op.ERASE_REGION, words(0x1000, 0x2000))).status).toEqual([0, 0]);
    expect(board.flash[0xfff]).toBe(0);
    expect(board.flash.subarray(0x1000, 0x3000).every((b) => b === 0xff)).toBe(true);
    expect(board.flash[0x3000]).toBe(0);
    // handle_flash_erase's 0x32 goes out as 1: `verify_data_len(...) || handle_flash_erase(...)`.
    expect((await raw.command(Op.ERASE_REGION, words(0x1001, 0x1000))).status).toEqual([1, 0]);
    expect((await raw.command(Op.ERASE_FLASH)).status).toEqual([0, 0]);
    expect(board.flash.every((b) => b === 0xff)).toBe(true);
  });

  it("does not answer when asked to run code from memory nothing was loaded to", async () => {
    const { raw } = await inDownloadMode();
    await raw.command(Op.MEM_BEGIN, words(16, 1, 0x1800, 0x40378000));
    expect((await raw.command(Op.MEM_END, words(0, 0x40000000))).status).toEqual([0, 0, 0, 0]);
    await expect(raw.nextFrame(200)).rejects.toThrow();
    await raw.send(Op.SYNC, SYNC);
    await expect(raw.nextFrame(200)).rejects.toThrow();
  });

  it("carries 0xC0 and 0xDB through SLIP escapes both ways, and the stub writes them to flash verbatim", async () => {
    const { board, raw } = await inDownloadMode();
    await raw.command(Op.WRITE_REG, words(0x60002058, 0xc0dbc0db, 0xffffffff, 0));
    expect((await raw.command(Op.READ_REG, words(0x60002058))).value).toBe(0xc0dbc0db);
    expect(raw.raw).toEqual(expect.arrayContaining([0xdb, 0xdc, 0xdb, 0xdd]));

    await startStub(raw);
    const data = new Uint8Array(0x1000);
    for (let i = 0; i < data.length; i++) data[i] = [0xc0, 0xdb, 0xdc, 0xdd, i & 0xff][i % 5]!;
    expect((await raw.command(Op.FLASH_BEGIN, words(data.length, 1, 0x1000, 0x20000))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DATA, dataPayload(data, 0), checksum(data))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_END, words(1))).status).toEqual([0, 0]);
    expect(board.flash.subarray(0x20000, 0x21000)).toEqual(data);
    const digest = await raw.command(Op.SPI_FLASH_MD5, words(0x20000, 0x1000, 0, 0));
    expect(digest.body.subarray(0, 16)).toEqual(md5(data));
  });

  it("returns MD5 as 32 hex characters from the ROM and 16 raw bytes from the stub", async () => {
    const { board, raw } = await inDownloadMode();
    board.flash.fill(0x33, 0, 0x1000);
    const expected = Array.from(md5(board.flash.subarray(0, 0x1000)), (b) => b.toString(16).padStart(2, "0")).join("");
    await raw.command(Op.SPI_ATTACH, words(0, 0));
    const rom = await raw.command(Op.SPI_FLASH_MD5, words(0, 0x1000, 0, 0));
    expect(text.decode(rom.body.subarray(0, 32))).toBe(expected);
    expect(rom.body.length).toBe(36);
    await startStub(raw);
    const stub = await raw.command(Op.SPI_FLASH_MD5, words(0, 0x1000, 0, 0));
    expect(stub.body.length).toBe(18);
  });

  it("streams READ_FLASH in acknowledged packets followed by the MD5", async () => {
    const { board, raw } = await inDownloadMode();
    for (let i = 0; i < 0x3000; i++) board.flash[0x1000 + i] = (i * 7) & 0xff;
    await startStub(raw);
    expect((await raw.command(Op.READ_FLASH, words(0x1000, 0x3000, 0x1000, 2))).status).toEqual([0, 0]);
    const got: number[] = [];
    while (got.length < 0x3000) {
      const packet = await raw.nextFrame();
      got.push(...packet);
      await raw.sendRaw(new Uint8Array([0xc0, ...words(got.length), 0xc0]));
    }
    expect(new Uint8Array(got)).toEqual(board.flash.subarray(0x1000, 0x4000));
    expect(await raw.nextFrame()).toEqual(md5(board.flash.subarray(0x1000, 0x4000)));
  });

  it("inflates FLASH_DEFL_DATA and refuses to end before all promised bytes arrived", async () => {
    const { deflate } = await import("pako");
    const { board, raw } = await inDownloadMode();
    await startStub(raw);
    const data = new Uint8Array(10_000).map((_, i) => (i * 13) % 251);
    const packed = deflate(data);
    expect((await raw.command(Op.FLASH_DEFL_BEGIN, words(data.length, 1, 0x4000, 0x30000))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DEFL_DATA, dataPayload(packed, 0), checksum(packed))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DEFL_END, words(1))).status).toEqual([0, 0]);
    expect(board.flash.subarray(0x30000, 0x30000 + data.length)).toEqual(data);

    const half = packed.subarray(0, packed.length >> 1);
    await raw.command(Op.FLASH_DEFL_BEGIN, words(data.length, 1, 0x4000, 0x40000));
    await raw.command(Op.FLASH_DEFL_DATA, dataPayload(half, 0), checksum(half));
    expect((await raw.command(Op.FLASH_DEFL_END, words(1))).status).toEqual([StubError.NOT_ENOUGH_DATA, 0]);
  });

  it("garbles replies once the chip's UART and the host's disagree on the baud rate", async () => {
    const { board, raw } = await inDownloadMode();
    await startStub(raw);
    expect((await raw.command(Op.CHANGE_BAUDRATE, words(460_800, 115_200))).status).toEqual([0, 0]);
    // The stub scales the divider the ROM's autobaud locked (on the CP2102N's 24 MHz / 208) by 460800 / 115200.
    expect(board.uartBaud / 460_800).toBeCloseTo(1, 2);
    await raw.send(Op.READ_REG, words(0x40001000));
    await expect(raw.nextFrame(300)).rejects.toThrow();
    // Reopened at the chip's new rate, the conversation resumes.
    await raw.close();
    await raw.open(460_800);
    expect((await raw.command(Op.READ_REG, words(0x40001000))).value).toBe(9);
  });
});
