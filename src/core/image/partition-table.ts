import { ImageError } from "./errors";
import { cString, hex, md5Bytes, toHex, view, writeCString } from "./bytes";
import { PARTITION_TABLE_OFFSET } from "./chips";

export const PARTITION_ENTRY_SIZE = 32;
/** The table partition is 0x1000 bytes but ESP-IDF reads at most 0xC00 of it. */
export const PARTITION_TABLE_MAX_BYTES = 0xc00;
const ENTRY_MAGIC_0 = 0xaa;
const ENTRY_MAGIC_1 = 0x50;
const MD5_MAGIC = 0xeb;
/** App partitions are mapped through the MMU in 64 KB pages. */
const APP_ALIGNMENT = 0x10000;

export const PARTITION_TYPE_APP = 0x00;
export const PARTITION_TYPE_DATA = 0x01;
export const APP_SUBTYPE_FACTORY = 0x00;
export const APP_SUBTYPE_OTA_0 = 0x10;
export const APP_SUBTYPE_TEST = 0x20;
export const DATA_SUBTYPE_OTA = 0x00;
export const DATA_SUBTYPE_PHY = 0x01;
export const DATA_SUBTYPE_NVS = 0x02;
export const DATA_SUBTYPE_FAT = 0x81;

export interface PartitionEntry {
  label: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
  flags: number;
}

export interface PartitionTable {
  entries: PartitionEntry[];
  /** MD5 of the entries as stored in the table, hex; null when the table carries none. */
  md5: string | null;
}

export function isAppPartition(p: PartitionEntry): boolean {
  return p.type === PARTITION_TYPE_APP;
}

/** The usage column of the bootloader's partition listing. */
export function partitionUsage(p: PartitionEntry): string {
  if (p.type === PARTITION_TYPE_APP) {
    if (p.subtype === APP_SUBTYPE_FACTORY) return "factory app";
    if (p.subtype >= APP_SUBTYPE_OTA_0 && p.subtype < APP_SUBTYPE_TEST) return "OTA app";
    if (p.subtype === APP_SUBTYPE_TEST) return "test app";
    return "Unknown app";
  }
  if (p.type === PARTITION_TYPE_DATA) {
    if (p.subtype === DATA_SUBTYPE_OTA) return "OTA data";
    if (p.subtype === DATA_SUBTYPE_PHY) return "RF data";
    if (p.subtype === DATA_SUBTYPE_NVS) return "WiFi data";
  }
  return "Unknown data";
}

export interface ReadPartitionOptions {
  /** Detected flash size; partitions running past it are refused. */
  flashSize?: number | null;
  part?: string;
  /** false: only what the bootloader itself checks (entries, MD5); no alignment/overlap/app checks. */
  layout?: boolean;
}

/**
 * Reads a partition table as the bootloader does (entries until the first non-entry, then the MD5
 * entry when present) and checks it: MD5, alignment, overlaps, flash size, at least one app.
 */
export function readPartitionTable(data: Uint8Array, options: ReadPartitionOptions = {}): PartitionTable {
  const part = options.part;
  const fail = (code: ConstructorParameters<typeof ImageError>[0], message: string): never => {
    throw new ImageError(code, message, part === undefined ? {} : { part });
  };
  const what = part ?? "The partition table";
  const dv = view(data);
  const entries: PartitionEntry[] = [];
  let md5: string | null = null;
  let at = 0;
  for (; at + PARTITION_ENTRY_SIZE <= Math.min(data.length, PARTITION_TABLE_MAX_BYTES); at += PARTITION_ENTRY_SIZE) {
    if (data[at] === ENTRY_MAGIC_0 && data[at + 1] === ENTRY_MAGIC_1) {
      entries.push({
        type: data[at + 2],
        subtype: data[at + 3],
        offset: dv.getUint32(at + 4, true),
        size: dv.getUint32(at + 8, true),
        label: cString(data, at + 12, 16),
        flags: dv.getUint32(at + 28, true),
      });
      continue;
    }
    if (data[at] === MD5_MAGIC && data[at + 1] === MD5_MAGIC) {
      const stored = toHex(data.subarray(at + 16, at + 32));
      const computed = toHex(md5Bytes(data.subarray(0, at)));
      if (stored !== computed)
        fail(
          "partition-md5",
          `${what} fails its MD5 check (stored ${stored}, computed ${computed}): the table is corrupt.`,
        );
      md5 = stored;
    }
    break;
  }
  if (entries.length === 0) {
    if (data.length < PARTITION_ENTRY_SIZE)
      fail("image-truncated", `${what} is only ${data.length} bytes: too short to hold a partition table.`);
    fail(
      "image-bad-magic",
      `${what} does not start with a partition entry (magic 0xaa50, found ${hex(dv.getUint16(0, false), 4)}); it is not a partition table.`,
    );
  }
  if (options.layout === false) return { entries, md5 };
  const tableEnd = PARTITION_TABLE_OFFSET + 0x1000;
  const sorted = [...entries].sort((a, b) => a.offset - b.offset);
  for (const p of entries) {
    const name = `partition "${p.label}"`;
    if (p.size === 0) fail("partition-bad-entry", `${what}: ${name} has size 0.`);
    if (p.offset < tableEnd)
      fail(
        "partition-overlap",
        `${what}: ${name} at ${hex(p.offset)} overlaps the bootloader or the partition table (which end at ${hex(tableEnd)}).`,
      );
    if (p.offset % 0x1000 !== 0)
      fail("partition-bad-entry", `${what}: ${name} at ${hex(p.offset)} is not aligned to a 4 KB flash sector.`);
    if (isAppPartition(p) && p.offset % APP_ALIGNMENT !== 0)
      fail(
        "partition-bad-entry",
        `${what}: app ${name} at ${hex(p.offset)} is not aligned to 64 KB, so the bootloader cannot map it.`,
      );
    if (options.flashSize && p.offset + p.size > options.flashSize) {
      fail(
        "partition-bad-entry",
        `${what}: ${name} ends at ${hex(p.offset + p.size)}, past the end of this board's ${options.flashSize / 1048576} MB flash.`,
      );
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev.offset + prev.size > cur.offset)
      fail(
        "partition-overlap",
        `${what}: partitions "${prev.label}" and "${cur.label}" overlap at ${hex(cur.offset)}.`,
      );
  }
  if (!entries.some(isAppPartition))
    fail("partition-no-app", `${what} has no app partition, so the bootloader has nothing to boot.`);
  return { entries, md5 };
}

/** Writes a binary partition table as gen_esp32part.py does: entries, MD5 entry, 0xFF padding. */
export function writePartitionTable(entries: PartitionEntry[], options: { md5?: boolean } = {}): Uint8Array {
  const out = new Uint8Array(PARTITION_TABLE_MAX_BYTES).fill(0xff);
  const dv = view(out);
  entries.forEach((p, i) => {
    const at = i * PARTITION_ENTRY_SIZE;
    out[at] = ENTRY_MAGIC_0;
    out[at + 1] = ENTRY_MAGIC_1;
    out[at + 2] = p.type;
    out[at + 3] = p.subtype;
    dv.setUint32(at + 4, p.offset, true);
    dv.setUint32(at + 8, p.size, true);
    out.fill(0, at + 12, at + 28);
    writeCString(out, at + 12, 16, p.label);
    dv.setUint32(at + 28, p.flags, true);
  });
  if (options.md5 ?? true) {
    const at = entries.length * PARTITION_ENTRY_SIZE;
    out[at] = MD5_MAGIC;
    out[at + 1] = MD5_MAGIC;
    out.set(md5Bytes(out.subarray(0, at)), at + 16);
  }
  return out;
}
