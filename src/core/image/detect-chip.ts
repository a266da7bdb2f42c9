import { view } from "./bytes";
import { chipFacts, chipFamilyForImageId, type ChipFamily } from "./chips";
import { ESP_IMAGE_MAGIC } from "./esp-image";
import { ESP8266_V2_MAGIC } from "./esp8266-image";

/** esptool's ESP32FirmwareImage.WP_PIN_DISABLED: every ESP32-family image header carries it at byte 8. */
const WP_PIN_DISABLED = 0xee;

/**
 * Which chip a complete image written at 0x0 is built for, from its own headers: ESP32-family
 * bootloaders name their chip (extended header chip id; at 0x1000 on the ESP32 and ESP32-S2, 0x2000
 * on the P4 and C5, 0x0 elsewhere); ESP8266 images have no extended header, so the ROM's v2 magic or
 * a first segment loading into ESP8266 RAM names them. Null when the bytes say nothing certain.
 */
export function detectImageChip(data: Uint8Array): ChipFamily | null {
  if (data[0] === ESP8266_V2_MAGIC) return "ESP8266";
  for (const offset of [0x0, 0x1000, 0x2000]) {
    if (data.length < offset + 24 || data[offset] !== ESP_IMAGE_MAGIC) continue;
    const dv = view(data);
    const family = chipFamilyForImageId(dv.getUint16(offset + 12, true));
    // A bootloader for this chip family sits exactly where that chip's ROM looks for it.
    if (family && data[offset + 8] === WP_PIN_DISABLED && chipFacts(family).bootloaderOffset === offset) return family;
    if (offset === 0 && isEsp8266Segment(dv.getUint32(8, true))) return "ESP8266";
  }
  return null;
}

/** The ESP8266's DRAM, IRAM and flash-mapped ranges (esptool's ESP8266ROM.MEMORY_MAP). */
function isEsp8266Segment(address: number): boolean {
  return (
    (address >= 0x3ffe8000 && address < 0x40000000) ||
    (address >= 0x40100000 && address < 0x40110000) ||
    (address >= 0x40200000 && address < 0x40300000)
  );
}
