/**
 * Which chip and flash size each pyDirect product is built for. Upstream names its release assets
 * `pyDirect-{product}-merged.bin` after the MicroPython board directory the image was built from.
 */
import { isChipFamily, type ChipFamily } from "../image/chips";
import type { ConsoleConnector } from "../manifest/types";

const MB = 1024 * 1024;

export interface ProductFacts {
  chipFamily: ChipFamily;
  flashSize: number | null;
  /** Where the app's REPL answers (known products only): see `upstreamConsole`. */
  console?: ConsoleConnector[];
  /** "table": known product; "product-name": chip read from the name; "assumed": neither, S3 assumed. */
  source: "table" | "product-name" | "assumed";
}

/**
 * Facts from upstream (jetpax/pyDirect at 362a8cc): `.github/build-matrix.json` maps each release
 * product (`artifact_name`) to the MicroPython board it is built from and a board manifest;
 * `boards/<board>/sdkconfig.board` sets the flash size (CONFIG_ESPTOOLPY_FLASHSIZE_*), and
 * `boards/manifests/*.json` name the chip (generic_esp32s3 also says flash_size "8MB").
 *   ESP32_S3            board ESP32_S3, esp32s3, 8 MB
 *   ESP32_S3_16MB       board ESP32_S3_16MB, esp32s3, 16 MB
 *   ESP32_P4            board ESP32_P4, esp32p4 (ESP32-C6 as Wi-Fi co-processor), 16 MB
 *   RetroVMS_Mini       board ESP32_S3_16MB + manifest retrovms_mini (chip ESP32-S3), 16 MB
 *   Waveshare_LCD_1.46/1.69  board ESP32_S3_16MB (N16R8 modules), 16 MB
 */
const PRODUCTS: Partial<Record<string, Omit<ProductFacts, "source">>> = {
  ESP32_S3: { chipFamily: "ESP32-S3", flashSize: 8 * MB },
  ESP32_S3_16MB: { chipFamily: "ESP32-S3", flashSize: 16 * MB },
  ESP32_P4: { chipFamily: "ESP32-P4", flashSize: 16 * MB },
  RetroVMS_Mini: { chipFamily: "ESP32-S3", flashSize: 16 * MB },
  "Waveshare_LCD_1.46": { chipFamily: "ESP32-S3", flashSize: 16 * MB },
  "Waveshare_LCD_1.69": { chipFamily: "ESP32-S3", flashSize: 16 * MB },
};

/**
 * Where each upstream product's REPL answers, from upstream (362a8cc): `boards/ESP32_S3` and
 * `boards/ESP32_P4` `sdkconfig.board` set CONFIG_ESP_CONSOLE_UART_DEFAULT=y with
 * CONFIG_ESP_CONSOLE_USB_CDC / _USB_SERIAL_JTAG off, TinyUSB off and CONFIG_USB_OTG_SUPPORTED=y
 * ("free USB-OTG for host mode"); their and `boards/ESP32_S3_16MB`'s `mpconfigboard.h` set
 * MICROPY_HW_ENABLE_UART_REPL 1 and MICROPY_HW_ENABLE_USBDEV / MICROPY_HW_USB_CDC 0. So every
 * product keeps its console on UART0 (the bridge connector) and the native USB is a host port:
 * after an install through the native connector the board is gone from that port.
 */
const UPSTREAM_CONSOLE: Partial<Record<string, ConsoleConnector[]>> = {
  ESP32_S3: ["uart"],
  ESP32_S3_16MB: ["uart"],
  ESP32_P4: ["uart"],
  RetroVMS_Mini: ["uart"],
  "Waveshare_LCD_1.46": ["uart"],
  "Waveshare_LCD_1.69": ["uart"],
};

/**
 * MicroPython-style board names: "ESP32_GENERIC_C6", "SCRIPTO_P4" → the chip token; "ESP8266…";
 * plain "ESP32…" → ESP32. A "16MB" or "N16R8" token gives the flash size.
 */
function fromName(product: string): Omit<ProductFacts, "source"> | null {
  const tokens = product.toUpperCase().split(/[_\-\s]+/);
  const variant = tokens.map((t) => /^(?:ESP32)?(S2|S3|C2|C3|C5|C6|C61|H2|P4)$/.exec(t)?.[1]).find(Boolean);
  const family = tokens.some((t) => t.startsWith("ESP8266"))
    ? "ESP8266"
    : variant
      ? `ESP32-${variant}`
      : tokens.includes("ESP32")
        ? "ESP32"
        : null;
  if (!isChipFamily(family)) return null;
  const mb = tokens.map((t) => /^(?:(\d{1,2})MB|N(\d{1,2})(?:R\d+)?)$/.exec(t)).find(Boolean);
  const size = mb ? Number(mb.at(1) ?? mb.at(2)) : null;
  return { chipFamily: family, flashSize: size && [2, 4, 8, 16, 32].includes(size) ? size * MB : null };
}

/**
 * The chip family and flash size of a product. Products neither in the table nor naming a chip are
 * taken as ESP32-S3, as upstream's own flasher does; `source` says so, and the image checks refuse
 * the install on another chip anyway (its header names the chip).
 */
export function pydirectProductFacts(product: string): ProductFacts {
  const known = PRODUCTS[product];
  if (known) return { ...known, console: UPSTREAM_CONSOLE[product], source: "table" };
  const named = fromName(product);
  if (named) return { ...named, source: "product-name" };
  return { chipFamily: "ESP32-S3", flashSize: null, source: "assumed" };
}
