/**
 * Contracts between the virtual board's parts. The board shell (virtual-board.ts) owns the link and
 * the reset lines; the ROM/stub protocol, the boot check and the application runtime plug in here.
 */

import type { ChipFamily } from "../core/image/chips";

// The chip-family type belongs to the core (what a build targets); the board re-exports it for its parts.
export type { ChipFamily };

/** Where the board is in its life: held in reset, in the serial bootloader, or running an app. */
export type BoardMode = "reset" | "download" | "app" | "boot-failed" | "unplugged";

/** Byte sink towards the host (board → USB/UART → browser). */
export type HostSink = (bytes: Uint8Array) => void;

/**
 * One session of the serial bootloader (ROM, then the flasher stub once uploaded). Created by the
 * board on each reset into download mode and dropped on the next reset.
 */
export interface DownloadModeSession {
  /** Bytes the host sent while the board is in download mode. */
  receive(bytes: Uint8Array): void;
  /** The board is leaving download mode (reset, unplug); pending flash work stops where it is. */
  dispose(): void;
}

/** What the boot ROM and second-stage bootloader found in flash (see boot.ts). */
export interface BootOutcome {
  ok: boolean;
  /** Console text as the real chip prints it, ROM banner included. */
  log: string;
  /** When not ok: printed again on every (simulated) reboot of the boot loop. */
  loopLog?: string;
  app?: BootedApp;
}

export interface BootedApp {
  /** Flash offset of the app partition that was booted. */
  offset: number;
  projectName: string;
  version: string;
  idfVersion: string;
}

/** Handed to the application runtime when a valid app boots. */
export interface AppContext {
  board: BoardIdentity;
  /** The board's flash array; a runtime may keep its filesystem in a data partition there. */
  flash: Uint8Array;
  app: BootedApp;
  /** Write to the console (board → host). */
  write: HostSink;
  /** Aborted when the app stops running (reset, power off, unplug). */
  signal: AbortSignal;
  /** Why the chip started this time (machine.reset_cause()). */
  resetCause: "power-on" | "software" | "watchdog";
  /** Restart the whole chip as esp_restart() does: this app stops, the ROM boots again. */
  restart?(): void;
}

/** A running application: it consumes console input until stopped. */
export interface AppRuntime {
  input(bytes: Uint8Array): void;
  stop(): Promise<void> | void;
}

export type AppRuntimeFactory = (ctx: AppContext) => AppRuntime | Promise<AppRuntime>;

export interface BoardIdentity {
  chip: ChipFamily;
  /** Factory MAC, 6 bytes, as eFuse holds it. */
  mac: Uint8Array;
  flashSize: number;
  /** true when the host talks to the chip's own USB-Serial-JTAG (no UART baud rate applies). */
  usbSerialJtag: boolean;
}

/** Deliberate faults on the host → board direction of the link, for tests. */
export interface LinkFaults {
  /** Flip one bit in the byte at this index (counting every byte the host sends from now). */
  corruptByteAt?: number;
  /** Drop the byte at this index. */
  dropByteAt?: number;
  /** Unplug the board once this many bytes have been sent by the host. */
  disconnectAfterBytes?: number;
  /** Reset the chip (as a brown-out would) once this many bytes have been sent by the host. */
  resetAfterBytes?: number;
  /**
   * From this many bytes on, the bridge carries only up to `maxBaud` (a marginal cable, or a bridge
   * that copes with short exchanges at a high rate but not with a long write).
   */
  bridgeMaxBaudAfterBytes?: { bytes: number; maxBaud: number };
}
