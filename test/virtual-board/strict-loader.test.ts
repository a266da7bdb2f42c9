import { afterEach, describe, expect, it } from "vitest";
import { md5 } from "@noble/hashes/legacy.js";
import { deflate } from "pako";
import { VirtualBoard } from "../../src/virtual-board";
import { Op, RomError, StubError } from "../../src/virtual-board/rom/protocol";
import { RawLoader, checksum, dataPayload, words } from "./helpers/raw-loader";
import { STUB_FILE, shippedStub, uploadStub } from "./helpers/stub-upload";

// Each refusal of the real ROM and flasher stub (esptool-legacy-flasher-stub: stub_flasher.c,
// stub_commands.c, stub_write_flash.c), reproduced on the virtual chip.

const SYNC = new Uint8Array([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
const text = new TextDecoder();
type Chip = keyof typeof STUB_FILE;

let open: RawLoader | undefined;
afterEach(async () => {
  await open?.close().catch(() => undefined);
  open = undefined;
});

async function rom(chip: Chip = "ESP32-S3", flashSize = 4 << 20): Promise<{ board: VirtualBoard; raw: RawLoader }> {
  const board = new VirtualBoard({ chip, flashSize });
  const raw = new RawLoader(board);
  open = raw;
  await raw.open();
  await raw.enterDownloadMode();
  return { board, raw };
}

async function stub(chip: Chip = "ESP32-S3", flashSize = 4 << 20): Promise<{ board: VirtualBoard; raw: RawLoader }> {
  const loaded = await rom(chip, flashSize);
  expect(await uploadStub(loaded.raw, shippedStub(STUB_FILE[chip]))).toEqual([0, 0, 0, 0]);
  expect(text.decode(await loaded.raw.nextFrame())).toBe("OHAI");
  loaded.raw.statusLength = 2;
  return loaded;
}

/** After MEM_END into something that is not this chip's stub: silence, then a watchdog reset and its banner. */
async function expectCrash(board: VirtualBoard, raw: RawLoader, banner: RegExp): Promise<void> {
  const before = board.consoleText.length;
  await expect(raw.nextFrame(300)).rejects.toThrow();
  await raw.send(Op.SYNC, SYNC);
  await expect(raw.nextFrame(300)).rejects.toThrow();
  expect(board.mode).toBe("download");
  await board.waitForMode("boot-failed", 3000).catch(() => board.waitForMode("app", 1));
  expect(board.consoleText.slice(before)).toMatch(banner);
}

describe("a loaded stub runs only on the chip (and revision) it was built for", () => {
  it("runs esptool-js's own stub on every simulated chip", async () => {
    for (const chip of Object.keys(STUB_FILE) as Chip[]) {
      const { raw } = await stub(chip, 4 << 20);
      expect((await raw.command(Op.READ_REG, words(0x40001000))).status).toEqual([0, 0]);
      await raw.close();
      open = undefined;
    }
  });

  it("crashes on the RISC-V C3 stub loaded into an Xtensa S3: silence, then an RTC watchdog reset", async () => {
    const { board, raw } = await rom("ESP32-S3");
    expect(await uploadStub(raw, shippedStub("esp32c3.json"))).toEqual([0, 0, 0, 0]);
    await expectCrash(board, raw, /ESP-ROM:esp32s3[^]*rst:0x10 \(RTCWDT_RTC_RST\)/);
  });

  it("crashes on the P4 stub built for revision v3 on a v1.0 P4", async () => {
    const { board, raw } = await rom("ESP32-P4");
    expect(await uploadStub(raw, shippedStub("esp32p4.json"))).toEqual([0, 0, 0, 0]);
    await expectCrash(board, raw, /rst:0x10 \(RTCWDT_RTC_RST\)/);
  });

  it("crashes on a stub with one byte changed (the ESP32's ROM names the reset RTCWDT_RTC_RESET)", async () => {
    const { board, raw } = await rom("ESP32");
    const image = shippedStub("esp32.json");
    image.text[100] ^= 0x01;
    expect(await uploadStub(raw, image)).toEqual([0, 0, 0, 0]);
    await expectCrash(board, raw, /rst:0x10 \(RTCWDT_RTC_RESET\)/);
  });
});

describe("the stub's transfer limits", () => {
  it("answers a FLASH_BEGIN with 32 KiB blocks with ESP_BAD_BLOCKSIZE", async () => {
    const { raw } = await stub();
    expect((await raw.command(Op.FLASH_BEGIN, words(0x8000, 1, 0x8000, 0x10000))).status).toEqual([
      StubError.BAD_BLOCKSIZE,
      0,
    ]);
  });

  it("answers a 32 KiB FLASH_DATA frame with ESP_BAD_DATA_LEN, 0xEE, and writes nothing", async () => {
    const { board, raw } = await stub();
    expect((await raw.command(Op.FLASH_BEGIN, words(0x8000, 1, 0x4000, 0x10000))).status).toEqual([0, 0]);
    const block = new Uint8Array(0x8000).fill(0x00);
    const reply = await raw.command(Op.FLASH_DATA, dataPayload(block, 0), checksum(block));
    expect(reply).toMatchObject({ op: Op.FLASH_DATA, status: [StubError.BAD_DATA_LEN, 0xee] });
    expect(board.flash.subarray(0x10000, 0x18000).every((b) => b === 0xff)).toBe(true);
  });

  it("answers READ_FLASH with 8 KiB packets and then sends nothing (handle_flash_read's 4 KiB buffer)", async () => {
    const { raw } = await stub();
    expect((await raw.command(Op.READ_FLASH, words(0, 0x4000, 0x2000, 0x2000))).status).toEqual([0, 0]);
    await expect(raw.nextFrame(300)).rejects.toThrow();
  });

  it("keeps no more than max_in_flight BYTES unacknowledged in READ_FLASH", async () => {
    const { raw } = await stub();
    expect((await raw.command(Op.READ_FLASH, words(0, 0x3000, 0x1000, 64))).status).toEqual([0, 0]);
    expect((await raw.nextFrame()).length).toBe(0x1000);
    await expect(raw.nextFrame(200)).rejects.toThrow();
  });

  it("takes SPI_ATTACH with 4 bytes only (8 is the ROM's form) and answers 1 through verify_data_len(...) || ...", async () => {
    const { raw } = await stub();
    expect((await raw.command(Op.SPI_ATTACH, words(0, 0))).status).toEqual([1, 0]);
    expect((await raw.command(Op.SPI_ATTACH, words(0))).status).toEqual([0, 0]);
  });
});

describe("write errors, reported one command late as stub_write_flash.c does", () => {
  it("acknowledges a corrupt deflate block, then answers the next block and FLASH_END with ESP_INFLATE_ERROR", async () => {
    const { raw } = await stub();
    const bad = new Uint8Array(512).fill(0xff);
    expect((await raw.command(Op.FLASH_DEFL_BEGIN, words(0x2000, 2, 0x4000, 0x20000))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DEFL_DATA, dataPayload(bad, 0), checksum(bad))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DEFL_DATA, dataPayload(bad, 1), checksum(bad))).status).toEqual([
      StubError.INFLATE_ERROR,
      0,
    ]);
  });

  it("reports a write past the chip size SPI_SET_PARAMS gave on the next block (ESP_FAILED_SPI_OP)", async () => {
    const { raw } = await stub("ESP32-C3");
    expect((await raw.command(Op.SPI_SET_PARAMS, words(0, 4 << 20, 0x10000, 0x1000, 0x100, 0xffff))).status).toEqual([
      0, 0,
    ]);
    const data = new Uint8Array(0x1000).fill(0x5a);
    expect((await raw.command(Op.FLASH_BEGIN, words(0x2000, 2, 0x1000, (4 << 20) - 0x1000))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DATA, dataPayload(data, 0), checksum(data))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DATA, dataPayload(data, 1), checksum(data))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_END, words(1))).status).toEqual([StubError.FAILED_SPI_OP, 0]);
  });
});

describe("SPI set-up and bounds", () => {
  it("refuses ROM flash work before SPI_ATTACH, and takes it after", async () => {
    const { raw } = await rom();
    expect((await raw.command(Op.FLASH_BEGIN, words(0x1000, 1, 0x400, 0x10000, 0))).status).toEqual([
      1,
      RomError.FAILED_TO_ACT,
      0,
      0,
    ]);
    expect((await raw.command(Op.SPI_FLASH_MD5, words(0, 0x1000, 0, 0))).status).toEqual([
      1,
      RomError.FAILED_TO_ACT,
      0,
      0,
    ]);
    expect((await raw.command(Op.SPI_ATTACH, words(0))).status).toEqual([1, RomError.INVALID_MESSAGE, 0, 0]);
    expect((await raw.command(Op.SPI_ATTACH, words(0, 0))).status).toEqual([0, 0, 0, 0]);
    expect((await raw.command(Op.FLASH_BEGIN, words(0x1000, 1, 0x400, 0x10000, 0))).status).toEqual([0, 0, 0, 0]);
  });

  it("lets the stub write past the physical size (up to its 16 MB): the flash wraps it, and the MD5 reads the same wrap", async () => {
    const { board, raw } = await stub("ESP32-C3", 1 << 20);
    const image = new Uint8Array(0x2000).map((_, i) => (i * 31) & 0xff);
    const at = (1 << 20) + 0x30000; // 1 MB past the start of a 1 MB chip: lands at 0x30000
    expect((await raw.command(Op.FLASH_BEGIN, words(image.length, 1, 0x2000, at))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DATA, dataPayload(image, 0), checksum(image))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_END, words(1))).status).toEqual([0, 0]);
    expect(board.flash.subarray(0x30000, 0x32000)).toEqual(image);
    const digest = await raw.command(Op.SPI_FLASH_MD5, words(at, image.length, 0, 0));
    expect(digest.body.subarray(0, 16)).toEqual(md5(image));
    // Past FLASH_MAX_SIZE the ROM's SPIRead refuses: 0x63, sent as 1.
    expect((await raw.command(Op.SPI_FLASH_MD5, words(16 << 20, 0x1000, 0, 0))).status).toEqual([1, 0]);
  });

  it("wraps a compressed image larger than the flash onto its own start", async () => {
    const { board, raw } = await stub("ESP32", 1 << 20);
    const image = new Uint8Array((1 << 20) + 0x1000).fill(0x11);
    image.fill(0x22, 1 << 20);
    const packed = deflate(image);
    expect((await raw.command(Op.FLASH_DEFL_BEGIN, words(image.length, 1, 0x4000, 0))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DEFL_DATA, dataPayload(packed, 0), checksum(packed))).status).toEqual([0, 0]);
    expect((await raw.command(Op.FLASH_DEFL_END, words(1))).status).toEqual([0, 0]);
    // The last 4 KiB went to 0x0: the stub erased the wrapped sector and wrote it over the image's start.
    expect(board.flash.subarray(0, 0x1000).every((b) => b === 0x22)).toBe(true);
    expect(board.flash.subarray(0x1000, 1 << 20).every((b) => b === 0x11)).toBe(true);
  });
});

describe("command sets per ROM", () => {
  it("reads 64-byte blocks with READ_FLASH_SLOW on the ESP32 ROM only, as esptool's read_flash_slow does", async () => {
    const esp32 = await rom("ESP32");
    esp32.board.flash.fill(0x3c, 0x100, 0x140);
    await esp32.raw.command(Op.SPI_ATTACH, words(0, 0));
    const block = await esp32.raw.command(Op.READ_FLASH_SLOW, words(0x100, 64));
    expect(block.status).toEqual([0, 0, 0, 0]);
    expect(block.body.subarray(0, 64).every((b) => b === 0x3c)).toBe(true);
    expect((await esp32.raw.command(Op.READ_FLASH_SLOW, words(0x100, 65))).status[0]).toBe(1);
    await esp32.raw.close();
    const s3 = await rom("ESP32-S3");
    expect((await s3.raw.command(Op.READ_FLASH_SLOW, words(0x100, 64))).status).toEqual([
      1,
      RomError.INVALID_MESSAGE,
      0,
      0,
    ]);
  });
});

describe("SYNC and baud rates", () => {
  it("lets a host reconnect to a running stub: SYNC answered eight times with value 0", async () => {
    const { raw } = await stub();
    const first = await raw.command(Op.SYNC, SYNC);
    expect(first).toMatchObject({ op: Op.SYNC, value: 0, status: [0, 0] });
    for (let i = 0; i < 7; i++) expect((await raw.nextFrame())[1]).toBe(Op.SYNC);
    await expect(raw.nextFrame(200)).rejects.toThrow();
  });

  it("takes 0 as the ESP32 ROM's 'old baud' (esptool's change_baud) and switches", async () => {
    const { board, raw } = await rom("ESP32");
    expect((await raw.command(Op.CHANGE_BAUDRATE, words(460_800, 0))).status).toEqual([0, 0, 0, 0]);
    await new Promise((r) => setTimeout(r, 20));
    expect(board.uartBaud).toBe(460_800);
  });

  it("scales the stub's divider by the old rate it is told, so a wrong one gives a wrong rate", async () => {
    const { board, raw } = await stub("ESP32");
    expect((await raw.command(Op.CHANGE_BAUDRATE, words(460_800, 230_400))).status).toEqual([0, 0]);
    await new Promise((r) => setTimeout(r, 20));
    // Scaled from the divider the ROM's autobaud locked, which is within a fraction of a per cent of 115200.
    expect(board.uartBaud / 230_400).toBeCloseTo(1, 2);
  });
});
