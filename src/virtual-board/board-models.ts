import type { ChipFamily } from "../core/image/chips";
import type { VirtualSecurityEfuses } from "./security-efuses";

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
];

export function virtualBoardModel(id: string): VirtualBoardModel | undefined {
  return VIRTUAL_BOARD_MODELS.find((m) => m.id === id);
}
