/**
 * The board's SPI NOR flash: erase sets bytes to 0xFF, programming can only clear bits, and each
 * operation reports how long a typical part (GD25Q / W25Q datasheet figures) would be busy.
 */
export const SECTOR_SIZE = 0x1000;
export const BLOCK_SIZE = 0x10000;
export const PAGE_SIZE = 0x100;

/** Erase and program times of a NOR part, milliseconds. */
export interface NorTiming {
  sectorEraseMs: number;
  blockEraseMs: number;
  pageProgramMs: number;
}

/** Typical datasheet times, milliseconds. */
export const NOR_TIMING: NorTiming = {
  sectorEraseMs: 45,
  blockEraseMs: 150,
  pageProgramMs: 0.7,
} as const;

/**
 * Worst-case times: the "max" column of Winbond's W25Q128JV data sheet, "AC Electrical
 * Characteristics" (tSE sector erase 4 KB 400 ms, tBE2 block erase 64 KB 2,000 ms, tPP page
 * program 3 ms). A part may take this long and still meet its specification.
 */
export const NOR_TIMING_MAX: NorTiming = {
  sectorEraseMs: 400,
  blockEraseMs: 2000,
  pageProgramMs: 3,
} as const;

/** What the chip's CPU manages on top of the flash itself, bytes per millisecond. */
export const CPU_RATES = {
  /** miniz inflate on a 160–240 MHz core. */
  inflateBytesPerMs: 6_000,
  /** Flash read plus MD5 in ROM code. */
  md5BytesPerMs: 8_000,
} as const;

export class SpiFlash {
  /**
   * A NOR chip decodes only the address bits its capacity needs (sizes are powers of two): an address
   * past the end lands at `address mod size`. W25Q32JV data sheet §8.2 (24-bit addresses, A23..A0, on a
   * 4 MB part whose array spans 000000h-3FFFFFh); the stub sends raw SPI commands with `addr & 0xffffff`
   * (stub_write_flash.c, start_next_erase), so nothing on the chip stops an address past the array.
   */
  private readonly mask: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly timing: NorTiming = NOR_TIMING,
  ) {
    this.mask = bytes.length - 1;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** `length` bytes from `offset` as the chip returns them, the address wrapping at the array's size. */
  read(offset: number, length: number): Uint8Array {
    const start = offset & this.mask;
    if (start + length <= this.size) return this.bytes.slice(start, start + length);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.bytes[(offset + i) & this.mask];
    return out;
  }

  contains(offset: number, length: number): boolean {
    return (
      Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= this.size
    );
  }

  eraseSector(offset: number): number {
    const at = offset & this.mask;
    this.bytes.fill(0xff, at, at + SECTOR_SIZE);
    return this.timing.sectorEraseMs;
  }

  eraseBlock(offset: number): number {
    const at = offset & this.mask;
    this.bytes.fill(0xff, at, at + BLOCK_SIZE);
    return this.timing.blockEraseMs;
  }

  /**
   * Erase [offset, offset + length) (sector-aligned) the way esptool's stub does: 64 KiB block
   * erases where a whole aligned block is covered, 4 KiB sector erases elsewhere.
   */
  eraseRange(offset: number, length: number): number {
    let ms = 0;
    let at = offset;
    const end = offset + length;
    while (at < end) {
      if (at % BLOCK_SIZE === 0 && end - at >= BLOCK_SIZE) {
        ms += this.eraseBlock(at);
        at += BLOCK_SIZE;
      } else {
        ms += this.eraseSector(at);
        at += SECTOR_SIZE;
      }
    }
    return ms;
  }

  /** Page program: NOR cells only go from 1 to 0, so unerased bytes end up ANDed. */
  program(offset: number, data: Uint8Array): number {
    const target = this.bytes;
    for (let i = 0; i < data.length; i++) target[(offset + i) & this.mask] &= data[i];
    return (data.length / PAGE_SIZE) * this.timing.pageProgramMs;
  }

  chipErase(): number {
    this.bytes.fill(0xff);
    return (this.size / BLOCK_SIZE) * this.timing.blockEraseMs;
  }
}
