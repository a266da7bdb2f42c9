import type { ChipFamily } from "../image/chips";
import type { PortalError } from "../errors";
import type { FlashError } from "./errors";
import type { SecurityState } from "./security-state";
import type { BaudMemory } from "./baud-memory";

export type { ChipFamily };

export interface FlashPart {
  name: string;
  offset: number;
  data: Uint8Array;
}

/** What the site learns about a board once connected. */
export interface DetectedChip {
  family: ChipFamily;
  /** esptool's description, e.g. "ESP32-S3 (QFN56) (revision v0.2)". */
  description: string;
  /** major * 100 + minor (ESP-IDF's convention), null when the chip does not report it. */
  revision: number | null;
  /** "aa:bb:cc:dd:ee:ff" */
  mac: string;
  /** Bytes, from the flash chip's JEDEC id; null when the flash did not answer. */
  flashSize: number | null;
  features: string[];
  /** Connected through the chip's own USB-Serial-JTAG rather than a USB-UART bridge. */
  usbSerialJtag: boolean;
  /** Flash encryption, secure boot, download-mode restrictions, as read at connect (security-state.ts). */
  security?: SecurityState;
}

export interface PartResult {
  name: string;
  index: number;
  offset: number;
  size: number;
  /** MD5 of the part as the board computed it after writing (lower-case hex). */
  md5: string;
  /** Bytes of this part actually sent and programmed (the rest were already identical). */
  bytesWritten: number;
  /** The whole part was already on flash. */
  skipped: boolean;
}

export interface FlashReport {
  chip: DetectedChip;
  /** Baud rate the parts were written at. */
  baudRate: number;
  parts: PartResult[];
  bytesWritten: number;
  bytesSkipped: number;
  durationMs: number;
}

/** Why a rate was given up. */
export type BaudRefusal = "link-check-failed" | "write-failed";

/**
 * The flash job's decisions about the link's rate (with `fastBaud`): each rate tried, refused and
 * the one settled on, with the USB device it goes through ("2,000,000 baud (CP210x)").
 */
export type BaudEvent = {
  state: "baud";
  /** "10c4:ea60", or null when the port has no USB ids. */
  usbId: string | null;
  /** The bridge's name when its ids are well known ("CP210x", "CH340"), else null. */
  device: string | null;
} & (
  | { decision: "trying"; baudRate: number; remembered: boolean }
  | { decision: "refused"; baudRate: number; reason: BaudRefusal }
  | { decision: "settled"; baudRate: number }
  /** USB-Serial-JTAG moves data at USB speed; the rate is left as it is. */
  | { decision: "native-usb"; baudRate: number }
);

export type FlashEvent =
  | { state: "connecting" }
  | BaudEvent
  | { state: "connected"; chip: DetectedChip }
  | { state: "stub-running"; baudRate: number }
  | { state: "preparing" }
  | { state: "comparing"; part: string; index: number }
  | { state: "erasing" }
  /** `written` counts bytes of the part that are settled (written or found identical); `skippedBytes` those found identical. */
  | { state: "writing"; part: string; index: number; written: number; total: number; skippedBytes: number }
  | { state: "verifying"; part: string; index: number }
  | { state: "verified"; part: string; index: number; md5: string; skipped: boolean }
  | { state: "resetting" }
  | { state: "done"; report: FlashReport }
  /** A FlashError, or the PortalError a parts callback threw (reported as-is). */
  | { state: "error"; error: FlashError | PortalError };

export interface FlashRequest {
  /** "no_reset": the user put the chip in its loader by hand (manual-boot.ts); sync only, once. */
  resetMode?: "default_reset" | "no_reset";
  connectAttempts?: number;
  /** The parts, or a callback that chooses and checks them for the detected chip (throwing aborts before any write). */
  parts: FlashPart[] | ((chip: DetectedChip) => FlashPart[] | Promise<FlashPart[]>);
  /** Baud rate the ROM loader is switched to (the stub starts at it); default 921600, stepping down when the link refuses it. */
  baudRate?: number;
  /**
   * After the stub starts, go faster than `baudRate` where the link carries it (checked before
   * writing, stepping down on errors, also in the middle of a write), remembering per USB identity
   * what worked. `true` uses the default rates and no memory.
   */
  fastBaud?: boolean | FastBaudOptions;
  /** Erase the whole flash first ("new install"). */
  eraseAll?: boolean;
  /** Compare with what is on flash and write only what differs; default true. */
  skipIdentical?: boolean;
  /** Hard reset into the app at the end; default true. */
  reset?: boolean;
  signal?: AbortSignal;
}

export interface FastBaudOptions {
  /** Rates to try above the ROM's rate, in any order (fastest is tried first); default `FAST_BAUD_RATES`. */
  rates?: readonly number[];
  /** Where the rate that worked is kept per USB identity; without it every board probes afresh. */
  memory?: BaudMemory;
}
