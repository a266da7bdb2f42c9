/** Every chip family ESP Web Tools' manifests name (`chipFamily`), as esptool-js reports them. */
export type ChipFamily =
  | "ESP32"
  | "ESP32-C2"
  | "ESP32-C3"
  | "ESP32-C5"
  | "ESP32-C6"
  | "ESP32-C61"
  | "ESP32-H2"
  | "ESP32-P4"
  | "ESP32-S2"
  | "ESP32-S3"
  | "ESP8266";

/** Facts about each chip family that decide whether an image fits it. */
export interface ChipImageFacts {
  family: ChipFamily;
  /** `chip_id` in the image's extended header (esp_chip_id_t); null for ESP8266, whose images have none. */
  imageChipId: number | null;
  /** Where the ROM looks for the second-stage bootloader. */
  bootloaderOffset: number;
  /** ROM name as the chip prints it in its boot banner. */
  romName: string;
}

// Values of esp_chip_id_t in ESP-IDF's esp_app_format.h; the ROM refuses a bootloader whose id differs.
const TABLE: ChipImageFacts[] = [
  { family: "ESP32", imageChipId: 0x0000, bootloaderOffset: 0x1000, romName: "esp32" },
  { family: "ESP32-S2", imageChipId: 0x0002, bootloaderOffset: 0x1000, romName: "esp32s2" },
  { family: "ESP32-C3", imageChipId: 0x0005, bootloaderOffset: 0x0, romName: "esp32c3" },
  { family: "ESP32-S3", imageChipId: 0x0009, bootloaderOffset: 0x0, romName: "esp32s3" },
  { family: "ESP32-C2", imageChipId: 0x000c, bootloaderOffset: 0x0, romName: "esp32c2" },
  { family: "ESP32-C6", imageChipId: 0x000d, bootloaderOffset: 0x0, romName: "esp32c6" },
  { family: "ESP32-H2", imageChipId: 0x0010, bootloaderOffset: 0x0, romName: "esp32h2" },
  { family: "ESP32-P4", imageChipId: 0x0012, bootloaderOffset: 0x2000, romName: "esp32p4" },
  { family: "ESP32-C61", imageChipId: 0x0014, bootloaderOffset: 0x0, romName: "esp32c61" },
  { family: "ESP32-C5", imageChipId: 0x0017, bootloaderOffset: 0x2000, romName: "esp32c5" },
  { family: "ESP8266", imageChipId: null, bootloaderOffset: 0x0, romName: "esp8266" },
];

export const CHIP_FAMILIES: readonly ChipFamily[] = TABLE.map((c) => c.family);

export function chipFacts(family: ChipFamily): ChipImageFacts {
  const facts = TABLE.find((c) => c.family === family);
  if (!facts) throw new Error(`unknown chip family ${family}`);
  return facts;
}

export function chipFamilyForImageId(id: number): ChipFamily | null {
  return TABLE.find((c) => c.imageChipId === id)?.family ?? null;
}

export function isChipFamily(value: unknown): value is ChipFamily {
  return typeof value === "string" && (CHIP_FAMILIES as readonly string[]).includes(value);
}

/** The partition table sits at 0x8000 on every chip whose bootloader fits below it. */
export const PARTITION_TABLE_OFFSET = 0x8000;
