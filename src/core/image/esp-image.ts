import { chipFacts, chipFamilyForImageId, type ChipFamily } from "./chips";
import { ImageError } from "./errors";
import { hex, sha256Hex, toHex, view } from "./bytes";
import { sha256 } from "@noble/hashes/sha2.js";

export const ESP_IMAGE_MAGIC = 0xe9;
export const IMAGE_HEADER_SIZE = 8;
export const EXTENDED_HEADER_SIZE = 16;
export const SEGMENT_HEADER_SIZE = 8;
/** ESP_IMAGE_MAX_SEGMENTS in ESP-IDF: the bootloader refuses images with more. */
export const MAX_SEGMENTS = 16;
const CHECKSUM_SEED = 0xef;

export type FlashMode = "QIO" | "QOUT" | "DIO" | "DOUT";
const FLASH_MODES: FlashMode[] = ["QIO", "QOUT", "DIO", "DOUT"];
const FLASH_FREQS: Record<number, string> = { 0x0: "40MHz", 0x1: "26MHz", 0x2: "20MHz", 0xf: "80MHz" };

export interface ImageSegment {
  loadAddress: number;
  /** Offset of the segment's data within the image. */
  dataOffset: number;
  length: number;
}

export interface EspImageInfo {
  segmentCount: number;
  flashMode: FlashMode;
  flashFreq: string;
  /** Flash size the image was built for, in bytes. */
  flashSize: number;
  entry: number;
  /** null for ESP8266 images, which have no extended header. */
  chip: ChipFamily | null;
  chipId: number | null;
  /** Minimum chip revision as major*100+minor (min_chip_rev_full). */
  minChipRevision: number;
  maxChipRevision: number;
  segments: ImageSegment[];
  checksum: number;
  hashAppended: boolean;
  /** SHA-256 appended by the build, hex; null when the image has none. */
  digest: string | null;
  /** Bytes the image occupies, digest included; anything after it is padding. */
  length: number;
}

export interface ReadImageOptions {
  /** The chip it is meant for: an image whose header names another chip is refused. */
  chip?: ChipFamily;
  /** Detected chip revision (major*100+minor); refused when below the image's minimum. */
  chipRevision?: number | null;
  /** Detected flash size in bytes; refused when the image expects more. */
  flashSize?: number | null;
  part?: string;
}

/**
 * Reads and checks an ESP image the way the ROM and bootloader will: header, segment table,
 * XOR checksum and appended SHA-256. Throws the ImageError the chip would have tripped over.
 */
export function readEspImage(data: Uint8Array, options: ReadImageOptions = {}): EspImageInfo {
  const part = options.part;
  const fail = (code: ConstructorParameters<typeof ImageError>[0], message: string): never => {
    throw new ImageError(code, message, part === undefined ? {} : { part });
  };
  const what = part ? part : "The image";
  if (data.length < IMAGE_HEADER_SIZE)
    fail("image-truncated", `${what} is only ${data.length} bytes: too short to be an ESP image.`);
  if (data[0] !== ESP_IMAGE_MAGIC) {
    const word = view(data).getUint32(0, true);
    fail(
      "image-bad-magic",
      `${what} does not start with the ESP image magic byte 0xe9 (found ${hex(word, 8)}); it is not an ESP firmware image or it is damaged.`,
    );
  }
  const dv = view(data);
  const segmentCount = data[1];
  const modeByte = data[2];
  const speedSize = data[3];
  const entry = dv.getUint32(4, true);
  if (segmentCount === 0 || segmentCount > MAX_SEGMENTS) {
    fail("image-bad-header", `${what} declares ${segmentCount} segments; an ESP image has 1 to ${MAX_SEGMENTS}.`);
  }
  const flashMode = FLASH_MODES.at(modeByte);
  if (!flashMode)
    return fail("image-bad-header", `${what} has an unknown flash mode ${hex(modeByte, 2)} in its header.`);
  const freq = FLASH_FREQS[speedSize & 0x0f];
  if (!freq) fail("image-bad-header", `${what} has an unknown flash frequency ${hex(speedSize & 0x0f)} in its header.`);
  const sizeCode = speedSize >> 4;
  if (sizeCode > 7) fail("image-bad-header", `${what} has an unknown flash size code ${sizeCode} in its header.`);
  const flashSize = (1 << sizeCode) * 1024 * 1024;

  const isEsp8266 = options.chip === "ESP8266";
  let offset = IMAGE_HEADER_SIZE;
  let chipId: number | null = null;
  let chip: ChipFamily | null = null;
  let minChipRevision = 0;
  let maxChipRevision = 0xffff;
  let hashAppended = false;
  if (!isEsp8266) {
    if (data.length < IMAGE_HEADER_SIZE + EXTENDED_HEADER_SIZE)
      fail("image-truncated", `${what} ends inside its header.`);
    chipId = dv.getUint16(12, true);
    minChipRevision = dv.getUint16(15, true);
    maxChipRevision = dv.getUint16(17, true);
    hashAppended = data[23] === 1;
    chip = chipFamilyForImageId(chipId);
    offset += EXTENDED_HEADER_SIZE;
    if (options.chip) {
      const expected = chipFacts(options.chip).imageChipId;
      if (chipId !== expected) {
        fail(
          "image-wrong-chip",
          `${what} is built for ${chip ?? `an unknown chip (id ${chipId})`}, but this board is an ${options.chip}. Pick the firmware build for ${options.chip}.`,
        );
      }
    }
    const revision = options.chipRevision;
    if (revision !== null && revision !== undefined && revision < minChipRevision) {
      fail(
        "image-chip-revision",
        `${what} needs chip revision v${Math.floor(minChipRevision / 100)}.${minChipRevision % 100} or newer; this board is v${Math.floor(revision / 100)}.${revision % 100}.`,
      );
    }
  }
  if (options.flashSize && flashSize > options.flashSize) {
    fail(
      "image-flash-size",
      `${what} is built for ${flashSize / 1048576} MB of flash, but this board has ${options.flashSize / 1048576} MB.`,
    );
  }

  const segments: ImageSegment[] = [];
  let xor = CHECKSUM_SEED;
  for (let i = 0; i < segmentCount; i++) {
    if (offset + SEGMENT_HEADER_SIZE > data.length)
      fail(
        "image-truncated",
        `${what} ends before segment ${i} of ${segmentCount} (at byte ${offset}); the file is cut short.`,
      );
    const loadAddress = dv.getUint32(offset, true);
    const length = dv.getUint32(offset + 4, true);
    const dataOffset = offset + SEGMENT_HEADER_SIZE;
    if (dataOffset + length > data.length)
      fail(
        "image-truncated",
        `${what} ends inside segment ${i}: it needs ${length} bytes from byte ${dataOffset}, only ${data.length - dataOffset} remain.`,
      );
    for (let j = dataOffset; j < dataOffset + length; j++) xor ^= data[j];
    segments.push({ loadAddress, dataOffset, length });
    offset = dataOffset + length;
  }
  // The checksum byte sits at the last byte of the next 16-byte block.
  const checksumAt = offset + (15 - (offset % 16));
  if (checksumAt >= data.length)
    fail("image-truncated", `${what} ends before its checksum byte; the file is cut short.`);
  const checksum = data[checksumAt];
  if (checksum !== xor) {
    fail(
      "image-checksum",
      `${what} fails its segment checksum (stored ${hex(checksum, 2)}, computed ${hex(xor, 2)}): the file is corrupt.`,
    );
  }
  let length = checksumAt + 1;
  let digest: string | null = null;
  if (hashAppended) {
    if (length + 32 > data.length)
      fail("image-truncated", `${what} ends before its appended SHA-256 digest; the file is cut short.`);
    const stored = toHex(data.subarray(length, length + 32));
    const computed = sha256Hex(data.subarray(0, length));
    if (stored !== computed) fail("image-digest", `${what} fails its appended SHA-256 digest: the file is corrupt.`);
    digest = stored;
    length += 32;
  }
  return {
    segmentCount,
    flashMode: flashMode,
    flashFreq: freq,
    flashSize,
    entry,
    chip,
    chipId,
    minChipRevision,
    maxChipRevision,
    segments,
    checksum,
    hashAppended,
    digest,
    length,
  };
}

export interface ImageSpec {
  chip: ChipFamily;
  entry: number;
  segments: { loadAddress: number; data: Uint8Array }[];
  flashMode?: FlashMode;
  /** Header frequency nibble: 0 = 40 MHz, 0xf = 80 MHz. */
  flashFreqCode?: number;
  flashSizeBytes?: number;
  minChipRevision?: number;
  appendDigest?: boolean;
}

/** Writes an ESP image as esptool's elf2image would lay it out. Deterministic for a given spec. */
export function writeEspImage(spec: ImageSpec): Uint8Array {
  const esp8266 = spec.chip === "ESP8266";
  const headerSize = IMAGE_HEADER_SIZE + (esp8266 ? 0 : EXTENDED_HEADER_SIZE);
  const body = spec.segments.reduce((n, s) => n + SEGMENT_HEADER_SIZE + s.data.length, 0);
  const beforeChecksum = headerSize + body;
  const checksumAt = beforeChecksum + (15 - (beforeChecksum % 16));
  const digest = !esp8266 && (spec.appendDigest ?? true);
  const out = new Uint8Array(checksumAt + 1 + (digest ? 32 : 0));
  const dv = view(out);
  out[0] = ESP_IMAGE_MAGIC;
  out[1] = spec.segments.length;
  out[2] = FLASH_MODES.indexOf(spec.flashMode ?? "DIO");
  const sizeCode = Math.log2((spec.flashSizeBytes ?? 4 * 1048576) / 1048576);
  out[3] = (sizeCode << 4) | (spec.flashFreqCode ?? 0);
  dv.setUint32(4, spec.entry, true);
  if (!esp8266) {
    out[8] = 0xee; // wp_pin: "not used"
    dv.setUint16(12, chipFacts(spec.chip).imageChipId ?? 0, true);
    const minRev = spec.minChipRevision ?? 0;
    out[14] = Math.floor(minRev / 100);
    dv.setUint16(15, minRev, true);
    dv.setUint16(17, 0xffff, true);
    out[23] = digest ? 1 : 0;
  }
  let offset = headerSize;
  let xor = CHECKSUM_SEED;
  for (const seg of spec.segments) {
    dv.setUint32(offset, seg.loadAddress, true);
    dv.setUint32(offset + 4, seg.data.length, true);
    out.set(seg.data, offset + SEGMENT_HEADER_SIZE);
    for (const b of seg.data) xor ^= b;
    offset += SEGMENT_HEADER_SIZE + seg.data.length;
  }
  out[checksumAt] = xor;
  if (digest) out.set(sha256(out.subarray(0, checksumAt + 1)), checksumAt + 1);
  return out;
}
