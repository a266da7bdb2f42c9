import type { BoardIdentity } from "../types";
import { RomError, StubError } from "./protocol";

/** Why the loader refuses a request; each maps to the ROM's or the stub's own error code. */
export type Failure =
  | "invalid"
  | "checksum"
  | "length"
  | "not-in-flash-mode"
  | "range"
  | "inflate"
  | "too-much"
  | "not-enough"
  | "unsupported"
  /** The stub's FLASH_BEGIN with a block size above MAX_WRITE_BLOCK (stub_flasher.c cmd_loop). */
  | "block-size"
  /** A stub check written `verify_data_len(...) || handler(...)`: C's `||` sends 1, not the code. */
  | "failed"
  /** The ROM asked for flash work before SPI_ATTACH (see download-session.ts). */
  | "not-attached";

const STUB_CODES: Record<Failure, number> = {
  invalid: StubError.BAD_DATA_LEN,
  length: StubError.BAD_DATA_LEN,
  checksum: StubError.BAD_DATA_CHECKSUM,
  "not-in-flash-mode": StubError.NOT_IN_FLASH_MODE,
  range: StubError.FAILED_SPI_OP,
  inflate: StubError.INFLATE_ERROR,
  "too-much": StubError.TOO_MUCH_DATA,
  "not-enough": StubError.NOT_ENOUGH_DATA,
  unsupported: StubError.CMD_NOT_IMPLEMENTED,
  "block-size": StubError.BAD_BLOCKSIZE,
  failed: 1,
  "not-attached": StubError.FAILED_SPI_OP,
};

/** The ROM has far fewer codes: most malformed requests are "invalid message". */
const ROM_CODES: Record<Failure, number> = {
  invalid: RomError.INVALID_MESSAGE,
  length: RomError.INVALID_MESSAGE,
  checksum: RomError.INVALID_CRC,
  "not-in-flash-mode": RomError.FAILED_TO_ACT,
  range: RomError.FAILED_TO_ACT,
  inflate: RomError.DEFLATE,
  "too-much": RomError.FAILED_TO_ACT,
  "not-enough": RomError.FAILED_TO_ACT,
  unsupported: RomError.INVALID_MESSAGE,
  "block-size": RomError.INVALID_MESSAGE,
  failed: RomError.FAILED_TO_ACT,
  "not-attached": RomError.FAILED_TO_ACT,
};

export function errorCode(failure: Failure, stub: boolean): number {
  return (stub ? STUB_CODES : ROM_CODES)[failure];
}

/** What the ROM prints when the strapping pins select the serial bootloader. */
export function downloadBanner(board: BoardIdentity): string {
  if (board.chip === "ESP32") {
    return (
      "ets Jul 29 2019 12:21:46\r\n\r\n" +
      "rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n" +
      "waiting for download\r\n"
    );
  }
  if (board.chip === "ESP32-P4") {
    // A v1.x P4's ROM (ECO2) with GPIO35 strapped low, as boards print it over USB-Serial-JTAG and a UART bridge alike.
    return "ESP-ROM:esp32p4-eco2-20240710\r\nBuild:Jul 10 2024\r\nrst:0x1 (POWERON),boot:0x307 (DOWNLOAD(USB/UART0/SPI))\r\nwaiting for download\r\n";
  }
  const rom = board.chip === "ESP32-S3" ? "esp32s3-20210327" : "esp32c3-api1-20210207";
  const source = board.usbSerialJtag ? "DOWNLOAD(USB/UART0)" : "DOWNLOAD(USB/UART0/1)";
  return `ESP-ROM:${rom}\r\nBuild:Mar 27 2021\r\nrst:0x1 (POWERON),boot:0x0 (${source})\r\nwaiting for download\r\n`;
}
