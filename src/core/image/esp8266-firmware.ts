/**
 * ESP8266 builds checked by ESP8266 rules. An ESP8266 has no ESP-IDF partition table in most
 * builds: what sits at 0x8000 of a complete image is code or padding, not a table. The layouts
 * real toolchains produce:
 *
 * - NONOS SDK without OTA: eagle.flash.bin (v1 image, loaded by the ROM) at 0x0 and the raw irom0
 *   block (eagle.irom0text.bin) at 0x10000 (0x40000 in older SDKs): nothing to check in the block.
 * - NONOS SDK with OTA: boot.bin (v1) at 0x0, user1.bin (v2, magic 0xEA) at 0x1000.
 * - Arduino core, and ESPHome (which builds ESP8266 firmware with the Arduino core): eboot (v1) at 0x0
 *   padded to 0x1000, the sketch (v1 whose first segment is irom0 mapped at 0x40201010) at 0x1000,
 *   and the core's flash CRC in the first two irom0 words (elf2bin.py writes it after the checksum).
 * - ESP8266_RTOS_SDK 3.x: ESP-IDF style, with a partition table at 0x8000 (magic 0xAA50).
 */
import { ImageError, imageErrorCollector } from "./errors";
import { hex, view } from "./bytes";
import type { CheckedPart, ChipContext, PartToCheck } from "./firmware-check-types";
import { PARTITION_TABLE_OFFSET } from "./chips";
import { readPartitionTable } from "./partition-table";
import {
  arduinoFlashCrc,
  ESP8266_IROM_MAP_START,
  ESP8266_V1_MAGIC,
  ESP8266_V2_MAGIC,
  readEsp8266Image,
  readEsp8266V2Image,
  type Esp8266ImageInfo,
} from "./esp8266-image";

/** Where boot.bin (NONOS) and eboot (Arduino) find the app. */
const APP_AFTER_BOOT_LOADER = 0x1000;
/** boot.bin's second slot (user2.bin) for the SDK's 512+512 KB and 1024+1024 KB layouts. */
const NONOS_USER2_OFFSETS = [0x81000, 0x101000];

export interface Esp8266LayoutResult {
  errors: ImageError[];
  warnings: string[];
}

/** Runs the ESP8266 rules over parts whose common checks (hashes, sizes, overlaps) already ran. */
export function checkEsp8266Layout(
  parts: PartToCheck[],
  checked: CheckedPart[],
  chip: ChipContext,
): Esp8266LayoutResult {
  const errors: ImageError[] = [];
  const warnings: string[] = [];
  const attempt = imageErrorCollector(errors);
  const covering = (offset: number): { index: number; bytes: Uint8Array } | null => {
    const index = parts.findIndex((p) => offset >= p.offset && offset < p.offset + p.data.length);
    if (index < 0) return null;
    const p = parts[index];
    return { index, bytes: p.data.subarray(offset - p.offset) };
  };
  const labelAt = (index: number, offset: number) => {
    const p = parts[index];
    return p.offset === offset ? p.name : `${p.name} (image at ${hex(offset)})`;
  };
  const flashSize = chip.flashSize ?? null;

  // The ROM loads what is at 0x0 into RAM and checks its checksum.
  const boot = covering(0);
  let bootImage: Esp8266ImageInfo | undefined;
  if (boot) {
    const p = parts[boot.index];
    if (boot.bytes[0] === ESP8266_V2_MAGIC) {
      errors.push(
        new ImageError(
          "wrong-offset",
          `${p.name} is an OTA app image (user1.bin, magic 0xea) at 0x0; the ESP8266 ROM cannot start it. Write boot.bin at 0x0 and this image at ${hex(APP_AFTER_BOOT_LOADER)}.`,
          { part: p.name },
        ),
      );
    } else {
      bootImage = attempt(() =>
        readEsp8266Image(boot.bytes, { part: p.name, flashOffset: 0, flashSize, romLoaded: true }),
      );
      if (bootImage) checked[boot.index].image = bootImage;
    }
  }

  // The app a boot loader starts from 0x1000: Arduino's sketch (0xE9) or NONOS's user1.bin (0xEA).
  const app = covering(APP_AFTER_BOOT_LOADER);
  let appImage: Esp8266ImageInfo | undefined;
  let arduinoCrcChecked = false as boolean; // set by a callback, which the compiler does not follow
  if (app && (app.bytes[0] === ESP8266_V1_MAGIC || app.bytes[0] === ESP8266_V2_MAGIC)) {
    const label = labelAt(app.index, APP_AFTER_BOOT_LOADER);
    if (app.bytes[0] === ESP8266_V2_MAGIC) {
      appImage = attempt(() => readEsp8266V2Image(app.bytes, { part: label, flashSize }));
    } else {
      appImage = attempt(() => readArduinoApp(app.bytes, label, flashSize, parts, () => (arduinoCrcChecked = true)));
    }
    if (appImage) {
      const c = checked[app.index];
      if (parts[app.index].offset === APP_AFTER_BOOT_LOADER) {
        c.kind = "app";
        c.image = appImage;
      }
    }
  }
  // With an app after it, the image at 0x0 is a boot loader; alone (NONOS without OTA) it is the app.
  if (boot && bootImage) checked[boot.index].kind = appImage ? "bootloader" : "app";

  const describe = (image: Esp8266ImageInfo, offset: number) =>
    `${image.format === "esp8266-v2" ? "v2 (0xea)" : "v1 (0xe9)"} image at ${hex(offset)}, ${image.segmentCount} segments, ${image.flashMode} ${image.flashFreq} ${image.flashSize / 1048576}MB, checksum ok${image.format === "esp8266-v2" ? ", CRC-32 ok" : ""}`;
  const layout = !bootImage
    ? null
    : !appImage
      ? "NONOS SDK image loaded by the ROM"
      : appImage.format === "esp8266-v2"
        ? "NONOS SDK boot.bin + user1.bin"
        : arduinoCrcChecked
          ? "Arduino/ESPHome: eboot + sketch"
          : "boot loader + app";
  if (boot && bootImage) {
    const inside =
      app && appImage && app.index === boot.index
        ? `; ${describe(appImage, APP_AFTER_BOOT_LOADER)}${arduinoCrcChecked ? ", flash CRC ok" : ""}`
        : "";
    checked[boot.index].summary = `ESP8266 ${layout}: ${describe(bootImage, 0)}${inside}`;
  }
  if (app && appImage && app.index !== (boot?.index ?? -1)) {
    checked[app.index].summary =
      `ESP8266 ${appImage.format === "esp8266-v2" ? "OTA app (user1.bin)" : "app"}: ${describe(appImage, APP_AFTER_BOOT_LOADER)}${arduinoCrcChecked ? ", flash CRC ok" : ""}`;
  }

  // NONOS OTA's second slot, when a merged image or a part fills it.
  for (const offset of NONOS_USER2_OFFSETS) {
    const found = covering(offset);
    if (!found || found.bytes[0] !== ESP8266_V2_MAGIC) continue;
    const label = labelAt(found.index, offset);
    const image = attempt(() => readEsp8266V2Image(found.bytes, { part: label, flashSize }));
    if (image && parts[found.index].offset === offset) {
      checked[found.index].kind = "app";
      checked[found.index].image = image;
      checked[found.index].summary = `ESP8266 OTA app (user2.bin): ${describe(image, offset)}`;
    }
  }

  // ESP8266_RTOS_SDK 3.x keeps an ESP-IDF partition table at 0x8000; everything else has code or
  // padding there, which is not a table and must not be read as one.
  const table = covering(PARTITION_TABLE_OFFSET);
  if (table && table.bytes[0] === 0xaa && table.bytes[1] === 0x50) {
    const p = parts[table.index];
    const parsed = attempt(() => readPartitionTable(table.bytes.subarray(0, 0x1000), { flashSize, part: p.name }));
    if (parsed) {
      const c = checked[table.index];
      if (c.kind === "data") c.kind = "partition-table";
      c.partitionTable = parsed;
      warnings.push(
        `${p.name} is an ESP8266_RTOS_SDK build (partition table at 0x8000); its app images are not checked beyond the boot loader.`,
      );
    }
  }

  // An image part anywhere else is written where nothing will start it.
  parts.forEach((p) => {
    const known = p.offset === 0 || p.offset === APP_AFTER_BOOT_LOADER || NONOS_USER2_OFFSETS.includes(p.offset);
    if (!known && p.data[0] === ESP8266_V2_MAGIC) {
      errors.push(
        new ImageError(
          "wrong-offset",
          `${p.name} is an OTA app image (user1/user2.bin) at ${hex(p.offset)}; boot.bin starts them from ${[APP_AFTER_BOOT_LOADER, ...NONOS_USER2_OFFSETS].map((o) => hex(o)).join(" or ")}.`,
          { part: p.name },
        ),
      );
    }
  });
  if (!boot)
    warnings.push(
      "No part is written at 0x0, where the ESP8266 ROM looks for its first image; the board keeps the boot loader it has.",
    );
  return { errors, warnings };
}

/**
 * An Arduino sketch image at 0x1000: v1 with irom0 first, mapped at 0x40201010. Cores since 2.6
 * (elf2bin.py) write the checksum first and then store the flash CRC in irom0's first two words
 * (__crc_len, __crc_val), so with a CRC those two words count as zero in the checksum, and the CRC
 * covers flash from 0x0 to the recorded length, which is the whole file. Older cores (esptool-ck)
 * have code in those words and no CRC.
 */
function readArduinoApp(
  bytes: Uint8Array,
  label: string,
  flashSize: number | null,
  parts: PartToCheck[],
  onCrcChecked: () => void,
): Esp8266ImageInfo {
  const options = { part: label, flashOffset: APP_AFTER_BOOT_LOADER, flashSize };
  const firstLoad = bytes.length >= 16 ? view(bytes).getUint32(8, true) : 0;
  if (firstLoad !== ESP8266_IROM_MAP_START + APP_AFTER_BOOT_LOADER + 16 || bytes.length < 24)
    return readEsp8266Image(bytes, options);
  let image: Esp8266ImageInfo;
  let crcWordsZeroed = false;
  let plainError: ImageError | undefined;
  try {
    image = readEsp8266Image(bytes, options);
  } catch (err) {
    if (!(err instanceof ImageError) || err.code !== "image-checksum") throw err;
    plainError = err;
    try {
      image = readEsp8266Image(bytes, { ...options, zeroedForChecksum: { offset: 16, length: 8 } });
    } catch {
      throw err;
    }
    crcWordsZeroed = true;
  }
  const dv = view(bytes);
  const crcLength = dv.getUint32(16, true);
  const crcValue = dv.getUint32(20, true);
  if (crcLength !== APP_AFTER_BOOT_LOADER + image.length) {
    if (crcWordsZeroed && plainError) throw plainError;
    return image;
  }
  const flash = assemble(parts, crcLength);
  if (!flash) {
    throw new ImageError(
      "image-truncated",
      `${label} records a flash CRC over ${crcLength} bytes from 0x0, but the parts end earlier; the file is cut short.`,
      { part: label },
    );
  }
  const crcWordsAt = APP_AFTER_BOOT_LOADER + 16;
  flash.fill(0, crcWordsAt, crcWordsAt + 8);
  const computed = arduinoFlashCrc(flash);
  if (computed !== crcValue) {
    throw new ImageError(
      "image-checksum",
      `${label} fails the Arduino core's flash CRC (stored ${hex(crcValue, 8)}, computed ${hex(computed, 8)}): the file is corrupt.`,
      { part: label },
    );
  }
  onCrcChecked();
  return image;
}

/** Flash bytes 0..length as the parts would leave them, or null when a byte is not covered. */
function assemble(parts: PartToCheck[], length: number): Uint8Array | null {
  const flash = new Uint8Array(length);
  const filled = new Uint8Array(length);
  for (const p of parts) {
    if (p.offset >= length) continue;
    const n = Math.min(p.data.length, length - p.offset);
    flash.set(p.data.subarray(0, n), p.offset);
    filled.fill(1, p.offset, p.offset + n);
  }
  return filled.every((b) => b === 1) ? flash : null;
}
