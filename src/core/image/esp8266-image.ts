/**
 * ESP8266 image formats, read the way the chip's ROM, Espressif's boot.bin and esptool read them
 * (esptool's bin_image.py: ESP8266ROMFirmwareImage and ESP8266V2FirmwareImage; the esp8266/Arduino
 * core's elf2bin.py for Arduino builds):
 *
 * - v1 (magic 0xE9): 8-byte header (magic, segment count, flash mode, size/frequency byte, entry),
 *   segments (load address, length, data), zero padding so that the XOR checksum (seed 0xEF) over
 *   the segment data is the last byte of a 16-byte block. No extended header, no chip id, no digest.
 * - v2 (magic 0xEA, NONOS SDK user1.bin/user2.bin booted by boot.bin): a first header whose segment
 *   byte is 4 by convention, the irom0 block as one segment with load address 0 (mapped, not
 *   checksummed), then a complete v1 image, then a CRC-32 of everything before it in the SDK's
 *   variant (zlib CRC-32; when bit 31 is set, inverted, otherwise plus one).
 */
import { ImageError, type ImageErrorCode } from "./errors";
import { hex, view } from "./bytes";
import type { EspImageInfo, FlashMode, ImageSegment } from "./esp-image";

export const ESP8266_V1_MAGIC = 0xe9;
export const ESP8266_V2_MAGIC = 0xea;
const CHECKSUM_SEED = 0xef;
/** esptool refuses more than 16 segments for every chip (BaseFirmwareImage.verify). */
const MAX_SEGMENTS = 16;
const FLASH_MODES: FlashMode[] = ["QIO", "QOUT", "DIO", "DOUT"];
/** ESP8266ROM.FLASH_FREQUENCY in esptool (low nibble of header byte 3). */
const FLASH_FREQS: Record<number, string> = { 0x0: "40MHz", 0x1: "26MHz", 0x2: "20MHz", 0xf: "80MHz" };
/** ESP8266ROM.FLASH_SIZES in esptool (high nibble of header byte 3); "-c1" layouts are the same size. */
const FLASH_SIZES: Partial<Record<number, number>> = {
  0: 0x80000,
  1: 0x40000,
  2: 0x100000,
  3: 0x200000,
  4: 0x400000,
  5: 0x200000,
  6: 0x400000,
  8: 0x800000,
  9: 0x1000000,
};

/** ESP8266ROM.MEMORY_MAP in esptool: where segments may load. */
const DRAM = [0x3ffe8000, 0x40000000] as const;
/** IRAM plus the cache area a boot loader may use before the cache is on (eboot loads at 0x4010f000). */
const IRAM = [0x40100000, 0x40110000] as const;
/** Flash mapped at 0x40200000: irom0 code runs from there. */
export const ESP8266_IROM_MAP_START = 0x40200000;
const IROM_MAP_END = 0x40300000;

const within = (addr: number, [lo, hi]: readonly [number, number]) => addr >= lo && addr < hi;

export interface Esp8266ReadOptions {
  part?: string;
  /** Flash offset the image sits at: an irom0 segment must be linked for exactly the address it is mapped to. */
  flashOffset?: number;
  /** Detected flash size in bytes; refused when the header asks for more. */
  flashSize?: number | null;
  /**
   * The ROM loads the image itself (the one at 0x0): every segment must load into RAM.
   * A boot loader (eboot, boot.bin) loads the app and maps irom0 instead.
   */
  romLoaded?: boolean;
  /**
   * Offsets (within the image) of bytes a build tool fills in after writing the checksum, taken as
   * zero when checking it: Arduino's elf2bin.py writes __crc_len/__crc_val into irom0 afterwards.
   */
  zeroedForChecksum?: { offset: number; length: number };
}

export interface Esp8266ImageInfo extends EspImageInfo {
  format: "esp8266-v1" | "esp8266-v2";
  /** The irom0 block: flash-mapped code (v2: the first segment; v1: a segment loading at 0x402xxxxx). */
  irom: ImageSegment | null;
}

function failer(part: string | undefined) {
  return (code: ImageErrorCode, message: string): never => {
    throw new ImageError(code, message, part === undefined ? {} : { part });
  };
}

interface CommonHeader {
  segmentCount: number;
  flashMode: FlashMode;
  flashFreq: string;
  flashSize: number;
  entry: number;
}

function readHeader(
  data: Uint8Array,
  at: number,
  what: string,
  fail: ReturnType<typeof failer>,
  flashSize: number | null | undefined,
): CommonHeader {
  if (at + 8 > data.length) fail("image-truncated", `${what} ends inside its header (${data.length - at} of 8 bytes).`);
  const segmentCount = data[at + 1];
  const modeByte = data[at + 2];
  const sizeFreq = data[at + 3];
  const entry = view(data).getUint32(at + 4, true);
  const flashMode = FLASH_MODES.at(modeByte);
  if (!flashMode)
    fail(
      "image-bad-header",
      `${what} has an unknown flash mode ${hex(modeByte, 2)} in its header (0-3: QIO, QOUT, DIO, DOUT).`,
    );
  const flashFreq = FLASH_FREQS[sizeFreq & 0x0f];
  if (!flashFreq)
    fail(
      "image-bad-header",
      `${what} has an unknown flash frequency code ${hex(sizeFreq & 0x0f)} in its header (ESP8266: 40, 26, 20 or 80 MHz).`,
    );
  const size = FLASH_SIZES[sizeFreq >> 4];
  if (size === undefined)
    fail("image-bad-header", `${what} has an unknown ESP8266 flash size code ${sizeFreq >> 4} in its header.`);
  if (flashSize && size > flashSize) {
    fail(
      "image-flash-size",
      `${what} is built for ${size / 1048576} MB of flash, but this board has ${flashSize / 1048576} MB.`,
    );
  }
  return { segmentCount, flashMode: flashMode, flashFreq: flashFreq, flashSize: size, entry };
}

/** Reads a v1 image (0xE9) starting at `at`; returns it and where its checksum byte was. */
function readV1(
  data: Uint8Array,
  at: number,
  what: string,
  options: Esp8266ReadOptions,
): { header: CommonHeader; segments: ImageSegment[]; checksum: number; end: number; irom: ImageSegment | null } {
  const fail = failer(options.part);
  const header = readHeader(data, at, what, fail, options.flashSize);
  if (header.segmentCount === 0 || header.segmentCount > MAX_SEGMENTS) {
    fail(
      "image-bad-header",
      `${what} declares ${header.segmentCount} segments; an ESP8266 image has 1 to ${MAX_SEGMENTS}.`,
    );
  }
  if (!within(header.entry, IRAM)) {
    fail(
      "image-bad-header",
      `${what} has entry point ${hex(header.entry, 8)}, outside the ESP8266's instruction RAM (0x40100000-0x4010ffff); the chip would crash on start.`,
    );
  }
  const dv = view(data);
  const zero = options.zeroedForChecksum;
  const segments: ImageSegment[] = [];
  let irom: ImageSegment | null = null;
  let xor = CHECKSUM_SEED;
  let offset = at + 8;
  for (let i = 0; i < header.segmentCount; i++) {
    if (offset + 8 > data.length)
      fail(
        "image-truncated",
        `${what} ends before segment ${i + 1} of ${header.segmentCount} (at byte ${offset - at}); the file is cut short.`,
      );
    const loadAddress = dv.getUint32(offset, true);
    const length = dv.getUint32(offset + 4, true);
    const dataOffset = offset + 8;
    if (dataOffset + length > data.length) {
      fail(
        "image-truncated",
        `${what} ends inside segment ${i + 1}: it needs ${length} bytes from byte ${dataOffset - at}, only ${data.length - dataOffset} remain.`,
      );
    }
    const segment = { loadAddress, dataOffset: dataOffset - at, length };
    if (within(loadAddress, [ESP8266_IROM_MAP_START, IROM_MAP_END])) {
      if (options.romLoaded) {
        fail(
          "image-bad-header",
          `${what} has a flash-mapped segment (${hex(loadAddress, 8)}) in the image the ROM loads at 0x0; the ROM copies segments into RAM only. Flash this build at the offset its tools name, after its boot loader.`,
        );
      }
      if (options.flashOffset !== undefined) {
        const mappedAt = ESP8266_IROM_MAP_START + options.flashOffset + (dataOffset - at);
        if (loadAddress !== mappedAt) {
          fail(
            "wrong-offset",
            `${what}'s irom0 code is linked for ${hex(loadAddress, 8)} (flash ${hex(loadAddress - ESP8266_IROM_MAP_START)}), but at ${hex(options.flashOffset)} it would be mapped at ${hex(mappedAt, 8)}; it is written to the wrong offset or built for another layout.`,
          );
        }
      }
      irom = segment;
    } else if (!within(loadAddress, DRAM) && !within(loadAddress, IRAM)) {
      fail(
        "image-bad-header",
        `${what}'s segment ${i + 1} loads at ${hex(loadAddress, 8)}, which is neither ESP8266 RAM nor mapped flash; the file is damaged or not an ESP8266 image.`,
      );
    }
    for (let j = dataOffset; j < dataOffset + length; j++) {
      const rel = j - at;
      xor ^= zero && rel >= zero.offset && rel < zero.offset + zero.length ? 0 : data[j];
    }
    segments.push(segment);
    offset = dataOffset + length;
  }
  const rel = offset - at;
  const checksumAt = offset + (15 - (rel % 16));
  if (checksumAt >= data.length)
    fail("image-truncated", `${what} ends before its checksum byte; the file is cut short.`);
  const checksum = data[checksumAt];
  if (checksum !== xor) {
    fail(
      "image-checksum",
      `${what} fails its segment checksum (stored ${hex(checksum, 2)}, computed ${hex(xor, 2)}): the file is corrupt${options.romLoaded ? '; the ESP8266 ROM would stop with "csum err"' : ""}.`,
    );
  }
  return { header, segments, checksum, end: checksumAt + 1, irom };
}

function info(
  format: Esp8266ImageInfo["format"],
  header: CommonHeader,
  segments: ImageSegment[],
  checksum: number,
  length: number,
  irom: ImageSegment | null,
): Esp8266ImageInfo {
  return {
    format,
    segmentCount: segments.length,
    flashMode: header.flashMode,
    flashFreq: header.flashFreq,
    flashSize: header.flashSize,
    entry: header.entry,
    chip: null, // ESP8266 images name no chip (no extended header)
    chipId: null,
    minChipRevision: 0,
    maxChipRevision: 0xffff,
    segments,
    checksum,
    hashAppended: false,
    digest: null,
    length,
    irom,
  };
}

/** A v1 image (0xE9): the ROM's own format, also Arduino's app format and NONOS's eagle.flash.bin. */
export function readEsp8266Image(data: Uint8Array, options: Esp8266ReadOptions = {}): Esp8266ImageInfo {
  const what = options.part ?? "The image";
  const fail = failer(options.part);
  if (data.length < 1 || data[0] !== ESP8266_V1_MAGIC) {
    fail(
      "image-bad-magic",
      `${what} does not start with the ESP8266 image magic byte 0xe9 (found ${hex(data.at(0) ?? 0, 2)}); it is not an ESP8266 firmware image or it is damaged.`,
    );
  }
  const v1 = readV1(data, 0, what, options);
  return info("esp8266-v1", v1.header, v1.segments, v1.checksum, v1.end, v1.irom);
}

/** CRC-32 as the NONOS SDK's gen_appbin.py and esptool append it to v2 images. */
export function esp8266SdkCrc32(data: Uint8Array): number {
  const crc = crc32(data);
  return (crc & 0x80000000 ? crc ^ 0xffffffff : crc + 1) >>> 0;
}

/** A v2 image (0xEA): NONOS SDK user1.bin / user2.bin, loaded by Espressif's boot.bin. */
export function readEsp8266V2Image(data: Uint8Array, options: Esp8266ReadOptions = {}): Esp8266ImageInfo {
  const what = options.part ?? "The image";
  const fail = failer(options.part);
  if (data.length < 1 || data[0] !== ESP8266_V2_MAGIC) {
    fail(
      "image-bad-magic",
      `${what} does not start with the ESP8266 v2 image magic byte 0xea (found ${hex(data.at(0) ?? 0, 2)}).`,
    );
  }
  const first = readHeader(data, 0, what, fail, options.flashSize);
  if (data.length < 16) fail("image-truncated", `${what} ends before its irom0 block; the file is cut short.`);
  const dv = view(data);
  const iromLength = dv.getUint32(12, true);
  const irom: ImageSegment = { loadAddress: dv.getUint32(8, true), dataOffset: 16, length: iromLength };
  if (16 + iromLength + 8 > data.length) {
    fail(
      "image-truncated",
      `${what} ends inside its irom0 block (${iromLength} bytes from byte 16, ${Math.max(0, data.length - 16)} present); the file is cut short.`,
    );
  }
  const secondAt = 16 + iromLength;
  if (data[secondAt] !== ESP8266_V1_MAGIC) {
    fail(
      "image-bad-header",
      `${what} has no second image header after its ${iromLength}-byte irom0 block (found ${hex(data[secondAt], 2)} where 0xe9 belongs); the file is damaged.`,
    );
  }
  // The irom0 block is mapped, not loaded: the rest is checked as the v1 image boot.bin loads.
  const v1 = readV1(data, secondAt, what, { ...options, romLoaded: false, flashOffset: undefined });
  if (
    v1.header.flashMode !== first.flashMode ||
    v1.header.flashSize !== first.flashSize ||
    v1.header.entry !== first.entry
  ) {
    fail("image-bad-header", `${what}'s two headers disagree (flash mode, size or entry point); the file is damaged.`);
  }
  const crcAt = v1.end;
  if (crcAt + 4 > data.length) fail("image-truncated", `${what} ends before its CRC-32; the file is cut short.`);
  const stored = dv.getUint32(crcAt, true);
  const computed = esp8266SdkCrc32(data.subarray(0, crcAt));
  if (stored !== computed) {
    fail(
      "image-checksum",
      `${what} fails its CRC-32 (stored ${hex(stored, 8)}, computed ${hex(computed, 8)}): the file is corrupt; boot.bin would refuse it.`,
    );
  }
  const segments = [irom, ...v1.segments.map((s) => ({ ...s, dataOffset: s.dataOffset + secondAt }))];
  return info("esp8266-v2", v1.header, segments, v1.checksum, crcAt + 4, irom);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib's CRC-32 (reflected, poly 0xEDB88320). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The Arduino core's flash CRC (elf2bin.py's crc8266, ESP.checkFlashCRC()): CRC-32 with poly
 * 0x04C11DB7 shifted MSB first, initial value 0xFFFFFFFF, no final inversion.
 */
export function arduinoFlashCrc(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    for (let bit = 0x80; bit; bit >>= 1) {
      const top = (crc & 0x80000000) !== 0;
      const feed = top !== ((byte & bit) !== 0);
      crc = (crc << 1) >>> 0;
      if (feed) crc = (crc ^ 0x04c11db7) >>> 0;
    }
  }
  return crc >>> 0;
}
