/** Command opcodes of the ESP serial bootloader (ROM and flasher stub). */
export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  /** ESP32 ROM only (esptool targets/esp32.py read_flash_slow); later ROMs and the stub lack it. */
  READ_FLASH_SLOW: 0x0e,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

/** Error codes the ROM loader puts after the status byte. */
export const RomError = {
  INVALID_MESSAGE: 0x05,
  FAILED_TO_ACT: 0x06,
  INVALID_CRC: 0x07,
  FLASH_WRITE: 0x08,
  FLASH_READ: 0x09,
  FLASH_READ_LENGTH: 0x0a,
  DEFLATE: 0x0b,
} as const;

/** Error codes of the flasher stub (esptool's stub_flasher.h numbering). */
export const StubError = {
  BAD_DATA_LEN: 0xc0,
  BAD_DATA_CHECKSUM: 0xc1,
  BAD_BLOCKSIZE: 0xc2,
  INVALID_COMMAND: 0xc3,
  FAILED_SPI_OP: 0xc4,
  FAILED_SPI_UNLOCK: 0xc5,
  NOT_IN_FLASH_MODE: 0xc6,
  INFLATE_ERROR: 0xc7,
  NOT_ENOUGH_DATA: 0xc8,
  TOO_MUCH_DATA: 0xc9,
  CMD_NOT_IMPLEMENTED: 0xff,
} as const;

export const CHECKSUM_SEED = 0xef;

export function xorChecksum(data: Uint8Array): number {
  let state = CHECKSUM_SEED;
  for (const b of data) state ^= b;
  return state;
}

export interface CommandPacket {
  op: number;
  /** Length the header claims; may disagree with `data.length` in a malformed packet. */
  declaredLength: number;
  checksum: number;
  data: Uint8Array;
}

/** Parses a request; `null` when it is not one (wrong direction byte or shorter than a header). */
export function parseCommand(payload: Uint8Array): CommandPacket | null {
  if (payload.length < 8 || payload[0] !== 0x00) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    op: payload[1],
    declaredLength: view.getUint16(2, true),
    checksum: view.getUint32(4, true),
    data: payload.subarray(8),
  };
}

export function responsePacket(op: number, value: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  const view = new DataView(out.buffer);
  out[0] = 0x01;
  out[1] = op;
  view.setUint16(2, body.length, true);
  view.setUint32(4, value >>> 0, true);
  out.set(body, 8);
  return out;
}

export function u32(data: Uint8Array, index: number): number {
  const o = index * 4;
  return (data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24)) >>> 0;
}
