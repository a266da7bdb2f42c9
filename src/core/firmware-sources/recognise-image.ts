/**
 * What a single .bin is, told from its bytes with the image parsers' own knowledge of the formats:
 * an ESP image header (0xE9) and its chip id, the partition table magic (0xAA50), and the app
 * description (esp_app_desc_t) that names an app and its version.
 */
import { chipFacts, chipFamilyForImageId, PARTITION_TABLE_OFFSET, type ChipFamily } from "../image/chips";
import { readAppDescription, type AppDescription } from "../image/app-desc";
import { ESP_IMAGE_MAGIC } from "../image/esp-image";
import { ESP8266_V2_MAGIC } from "../image/esp8266-image";
import { isAppPartition, readPartitionTable, type PartitionEntry } from "../image/partition-table";
import { view } from "../image/bytes";

export type RecognisedImage =
  | {
      kind: "merged";
      chip: ChipFamily | null;
      writeAt: number;
      app: AppDescription | null;
      appPartition: PartitionEntry | null;
    }
  | { kind: "bootloader"; chip: ChipFamily | null }
  | { kind: "app"; chip: ChipFamily | null; app: AppDescription | null }
  | { kind: "partition-table"; entries: PartitionEntry[] | null }
  | { kind: "unknown"; firstWord: number };

/** Second-stage bootloaders end before the partition table, whatever the chip. */
const MAX_BOOTLOADER_SIZE = PARTITION_TABLE_OFFSET;

/** esptool's WP_PIN_DISABLED: byte 8 of every ESP32-family image header (the extended header's start). */
const WP_PIN_DISABLED = 0xee;

/** The ESP8266's DRAM, IRAM and flash-mapped ranges (esptool's ESP8266ROM.MEMORY_MAP). */
function isEsp8266Address(address: number): boolean {
  return (
    (address >= 0x3ffe8000 && address < 0x40000000) ||
    (address >= 0x40100000 && address < 0x40110000) ||
    (address >= 0x40200000 && address < 0x40300000)
  );
}

/**
 * The chip an ESP image at `at` is for. ESP32-family images carry esp_chip_id_t at byte 12 of the
 * extended header (which starts with the WP pin byte, 0xEE); ESP8266 images have no extended
 * header: a v2 image starts with 0xEA, a v1 image's first segment header follows the 8-byte header
 * and loads into ESP8266 memory.
 */
export function imageChip(data: Uint8Array, at = 0): ChipFamily | null {
  if (data[at] === ESP8266_V2_MAGIC) return "ESP8266";
  if (data.length < at + 24 || data[at] !== ESP_IMAGE_MAGIC) return null;
  const dv = view(data);
  const family = chipFamilyForImageId(dv.getUint16(at + 12, true));
  if (family && family !== "ESP8266" && data[at + 8] === WP_PIN_DISABLED) return family;
  if (isEsp8266Address(dv.getUint32(at + 8, true))) return "ESP8266";
  return family && family !== "ESP8266" ? family : null;
}

function isErased(data: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (data[i] !== 0xff) return false;
  return true;
}

function hasTableAt(data: Uint8Array, at: number): boolean {
  return at >= 0 && data.length > at + 32 && data[at] === 0xaa && data[at + 1] === 0x50;
}

/** The table's entries as the bootloader reads them, or null when they do not parse. */
export function tableEntries(data: Uint8Array): PartitionEntry[] | null {
  try {
    return readPartitionTable(data.subarray(0, 0x1000), { layout: false }).entries;
  } catch {
    return null;
  }
}

/** The partition an app goes to: factory first, else the first OTA slot, else the first app. */
export function bootAppPartition(entries: PartitionEntry[] | null): PartitionEntry | null {
  const apps = (entries ?? []).filter(isAppPartition);
  return apps.find((e) => e.subtype === 0x00) ?? apps.find((e) => e.subtype === 0x10) ?? apps.at(0) ?? null;
}

/**
 * A merged image holds the bootloader at the chip's bootloader offset and the table at 0x8000,
 * relative to where it is written. Two layouts occur: written at 0x0 (esptool merge_bin, pyDirect's
 * `-merged.bin`; erased 0xFF bytes below an ESP32's bootloader at 0x1000), and starting with the
 * bootloader itself, written at the bootloader offset (MicroPython's downloads for the ESP32).
 */
function recogniseMerged(data: Uint8Array): RecognisedImage | null {
  for (const start of [0x0, 0x1000, 0x2000]) {
    if (data[start] !== ESP_IMAGE_MAGIC || !isErased(data, 0, start)) continue;
    const chip = imageChip(data, start);
    const bootOffset = chip && chip !== "ESP8266" ? chipFacts(chip).bootloaderOffset : start;
    const writeAt = bootOffset - start;
    if (writeAt < 0 || !hasTableAt(data, PARTITION_TABLE_OFFSET - writeAt)) continue;
    const entries = tableEntries(data.subarray(PARTITION_TABLE_OFFSET - writeAt));
    const appPartition = bootAppPartition(entries);
    const appAt = appPartition ? appPartition.offset - writeAt : -1;
    const app = appAt > 0 && appAt < data.length ? readAppDescription(data.subarray(appAt)) : null;
    return { kind: "merged", chip, writeAt, app, appPartition };
  }
  return null;
}

export function recogniseImage(data: Uint8Array): RecognisedImage {
  if (hasTableAt(data, 0) && data.length <= 0x1000) return { kind: "partition-table", entries: tableEntries(data) };
  const merged = recogniseMerged(data);
  if (merged) return merged;
  // ESP8266: a NONOS v2 app (user1.bin, 0xEA) goes at 0x1000 behind a boot loader; a v1 image the
  // ROM loads sits at 0x0, alone when it fits below 0x1000 (a boot loader), else a complete build.
  if (data[0] === ESP8266_V2_MAGIC) return { kind: "app", chip: "ESP8266", app: null };
  if (data[0] === ESP_IMAGE_MAGIC && imageChip(data) === "ESP8266") {
    return data.length <= 0x1000
      ? { kind: "bootloader", chip: "ESP8266" }
      : { kind: "merged", chip: "ESP8266", writeAt: 0, app: null, appPartition: null };
  }
  if (data[0] === ESP_IMAGE_MAGIC && data.length >= 24) {
    const chip = imageChip(data);
    const app = readAppDescription(data);
    if (app) return { kind: "app", chip, app };
    // No app description: a bootloader when it fits below the table; otherwise an app built
    // without one (Arduino's ESP32 core before IDF 4, hand-made images).
    if (data.length <= MAX_BOOTLOADER_SIZE) return { kind: "bootloader", chip };
    return { kind: "app", chip, app: null };
  }
  return { kind: "unknown", firstWord: data.length >= 4 ? view(data).getUint32(0, false) : 0 };
}
