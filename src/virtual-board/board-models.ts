import type { ChipFamily } from "../core/image/chips";
import type { VirtualSecurityEfuses } from "./security-efuses";
import type { ConnectionProfile } from "./usb-connectors";

/** A board the portal can offer to simulate: the chip, its flash and how the host reaches it. */
export interface VirtualBoardModel {
  /** Stable id, e.g. for a URL parameter or a remembered choice. */
  id: string;
  /** What the UI calls it: names the chip and the flash. */
  label: string;
  chip: ChipFamily;
  flashSize: number;
  /** true: the chip's own USB-Serial-JTAG (no baud rate); false: a CP2102N USB-UART bridge. */
  usbSerialJtag: boolean;
  /** pyDirect products whose builds are made for this board. */
  products: string[];
  /** Flash encryption / secure boot burnt in its eFuses (security-efuses.ts, sources there); none when absent. */
  security?: VirtualSecurityEfuses;
  /** Issue 18: which connectors have a cable, and what the ROM and app make of the native USB (usb-connectors.ts). */
  connection?: Partial<ConnectionProfile>;
  /** Issue 18: false for a board without the DTR/RTS reset transistors (BOOT and RESET by hand). */
  autoReset?: boolean;
  /** Issue 18: another program holds the board's port (open() fails as Chrome's does). */
  heldElsewhere?: boolean;
  /**
   * Issue 17: the board comes with this demo image already flashed (the demo firmware's
   * `firmware/demo/<name>/manifest.json`), as a board flashed elsewhere before would.
   */
  preinstalled?: "upstream";
}

const MB = 1024 * 1024;

/**
 * The boards the virtual board simulates, default first (the ESP32-S3 with 8 MB, pyDirect's generic
 * product). The P4 talks through its USB-Serial-JTAG as on the P4 dev boards' "USB" port.
 */
export const VIRTUAL_BOARD_MODELS: readonly VirtualBoardModel[] = [
  {
    id: "esp32s3",
    label: "Virtual ESP32-S3 (8 MB)",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: false,
    products: ["ESP32_S3"],
  },
  {
    id: "esp32s3-16mb",
    label: "Virtual ESP32-S3 (16 MB)",
    chip: "ESP32-S3",
    flashSize: 16 * MB,
    usbSerialJtag: false,
    products: ["ESP32_S3_16MB", "ESP32_S3", "RetroVMS_Mini"],
  },
  {
    id: "esp32p4",
    label: "Virtual ESP32-P4 (16 MB, USB-Serial-JTAG)",
    chip: "ESP32-P4",
    flashSize: 16 * MB,
    usbSerialJtag: true,
    products: ["ESP32_P4"],
  },
  {
    id: "esp32c3",
    label: "Virtual ESP32-C3 (4 MB)",
    chip: "ESP32-C3",
    flashSize: 4 * MB,
    usbSerialJtag: false,
    products: [],
  },
  { id: "esp32", label: "Virtual ESP32 (4 MB)", chip: "ESP32", flashSize: 4 * MB, usbSerialJtag: false, products: [] },
  // Issue 17: a board already flashed with upstream pyDirect's image, as jetpax/pyDirect ships it
  // (setup mode on, ESP-IDF log lines, HTTPS signaling only). The scripts are our look-alikes
  // (test/fixtures/upstream-device), never upstream's.
  {
    id: "esp32s3-upstream",
    label: "Virtual ESP32-S3 (8 MB) flashed with upstream pyDirect (jetpax/pyDirect look-alike, in setup mode)",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: false,
    products: ["ESP32_S3"],
    preinstalled: "upstream",
  },
  // Locked chips (issue 18): the portal must read these eFuses at connect and refuse to write or erase.
  {
    id: "esp32s3-flash-encrypted",
    label: "Virtual ESP32-S3 (8 MB), flash encryption on (development mode)",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: false,
    products: ["ESP32_S3"],
    security: { flashEncryption: "development" },
  },
  {
    id: "esp32s3-encrypted-release",
    label: "Virtual ESP32-S3 (8 MB), flash encryption on (release mode)",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: false,
    products: ["ESP32_S3"],
    security: { flashEncryption: "release" },
  },
  {
    id: "esp32c3-secure-boot",
    label: "Virtual ESP32-C3 (4 MB), secure boot v2 on",
    chip: "ESP32-C3",
    flashSize: 4 * MB,
    usbSerialJtag: false,
    products: [],
    security: { secureBoot: true },
  },
  {
    id: "esp32-flash-encrypted",
    label: "Virtual ESP32 (4 MB), flash encryption on (read from eFuses)",
    chip: "ESP32",
    flashSize: 4 * MB,
    usbSerialJtag: false,
    products: [],
    security: { flashEncryption: "development" },
  },
  {
    id: "esp32s3-secure-download",
    label: "Virtual ESP32-S3 (8 MB), flash encryption (release) with secure download mode",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: false,
    products: ["ESP32_S3"],
    security: { flashEncryption: "release", secureDownloadMode: true },
  },
  // Issue 18: the ways a real board attaches (usb-connectors.ts gives the source of each behaviour).
  {
    id: "esp32s3-tinyusb",
    label: "Virtual ESP32-S3 (8 MB), native USB only (app on TinyUSB CDC: comes back as another USB device)",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: true,
    products: [],
    connection: { cables: ["native"], appUsb: "usb-cdc" },
  },
  {
    id: "esp32s3-native-host",
    label:
      "Virtual ESP32-S3 DevKitC (8 MB), cable in the native USB connector (pyDirect builds put the console on UART)",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: true,
    products: ["ESP32_S3"],
    connection: { cables: ["native"], appUsb: "host" },
  },
  {
    id: "esp32s3-dual",
    label: "Virtual ESP32-S3 DevKitC (8 MB), cables in both connectors (two ports)",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: true,
    products: ["ESP32_S3"],
    connection: { cables: ["native", "uart"], appUsb: "host" },
  },
  {
    id: "esp32c3-usj",
    label: "Virtual ESP32-C3 (4 MB), native USB-Serial-JTAG (console stays on it)",
    chip: "ESP32-C3",
    flashSize: 4 * MB,
    usbSerialJtag: true,
    products: [],
    connection: { cables: ["native"], appUsb: "usb-serial-jtag" },
  },
  {
    id: "esp32s3-otg",
    // USB_PHY_SEL burnt: the internal PHY belongs to USB-OTG, so there is no USB-Serial-JTAG and a
    // blank chip shows no USB device until BOOT and RESET by hand (ESP-IDF "USB OTG Console").
    label: "Virtual ESP32-S3 (8 MB), USB PHY on USB-OTG: loader over USB-OTG (blank: no port until BOOT+RST)",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: true,
    products: [],
    connection: { cables: ["native"], romUsb: "usb-otg", appUsb: "usb-cdc" },
  },
  {
    id: "esp32-no-autoreset",
    label: "Virtual ESP32 (4 MB) without auto-reset (hold BOOT, tap EN)",
    chip: "ESP32",
    flashSize: 4 * MB,
    usbSerialJtag: false,
    products: [],
    autoReset: false,
  },
  {
    id: "esp32s3-busy",
    label: "Virtual ESP32-S3 (8 MB) whose port another program holds",
    chip: "ESP32-S3",
    flashSize: 8 * MB,
    usbSerialJtag: false,
    products: ["ESP32_S3"],
    heldElsewhere: true,
  },
];

export function virtualBoardModel(id: string): VirtualBoardModel | undefined {
  return VIRTUAL_BOARD_MODELS.find((m) => m.id === id);
}
