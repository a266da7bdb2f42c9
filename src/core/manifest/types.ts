import type { ChipFamily } from "../image/chips";

export type SerialType = "cdc" | "uart";

/**
 * Ours: where the installed firmware's console (the REPL the portal provisions through) answers.
 * "uart": UART0, reached through the board's USB-UART bridge connector; "usb-serial-jtag": the
 * chip's own USB-Serial-JTAG (Espressif 303a:1001, the same USB device as the ROM loader);
 * "usb-cdc": TinyUSB CDC on the chip's USB-OTG (a different USB device from the ROM loader's).
 */
export type ConsoleConnector = "uart" | "usb-serial-jtag" | "usb-cdc";
export const CONSOLE_CONNECTORS: readonly ConsoleConnector[] = ["uart", "usb-serial-jtag", "usb-cdc"];
export type ReleaseChannel = "stable" | "beta";

/** One file to write. `offset` is always a number once parsed, whatever form the JSON used. */
export interface ManifestPart {
  path: string;
  offset: number;
  /** Ours: expected SHA-256 of the file, hex. */
  sha256?: string;
  /** Ours: expected size in bytes. */
  size?: number;
  [unknownField: string]: unknown;
}

export interface ManifestBuild {
  chipFamily: ChipFamily;
  /** Which USB path the build is for; a build without it is the fallback for its family. */
  serialType?: SerialType;
  parts: ManifestPart[];
  /** Ours: minimum chip revision as major*100+minor ("v3.0" in JSON → 300). */
  minChipRevision?: number;
  /** Ours: flash size the build needs, in bytes ("4MB" in JSON → 4194304). */
  flashSize?: number;
  /** Ours: where the app's console answers, first the one to use ("uart" in JSON → ["uart"]). */
  console?: ConsoleConnector[];
  [unknownField: string]: unknown;
}

/** Ours: one firmware/version a user may choose, when a manifest offers several. */
export interface FirmwareChoice {
  name: string;
  version: string;
  channel: ReleaseChannel;
  releaseNotes?: string;
  builds: ManifestBuild[];
  [unknownField: string]: unknown;
}

/** An ESP Web Tools manifest as parsed: ESP Web Tools fields, our extensions, unknown fields kept. */
export interface FirmwareManifest {
  name: string;
  version?: string;
  home_assistant_domain?: string;
  funding_url?: string;
  new_install_prompt_erase?: boolean;
  /** Deprecated in ESP Web Tools; still honoured. */
  new_install_skip_erase?: boolean;
  /** Seconds to wait for Improv after flashing (ESP Web Tools default 10). */
  new_install_improv_wait_time?: number;
  channel?: ReleaseChannel;
  release_notes?: string;
  /**
   * Ours: the images boot only on the portal's virtual board (the demo firmware), never on a real
   * chip; the portal does not offer them for a real port and refuses to install them on one.
   */
  virtual_board_only?: boolean;
  builds: ManifestBuild[];
  /** Every firmware a user may pick: `firmwares[]` when present, else the manifest itself. */
  choices: FirmwareChoice[];
  [unknownField: string]: unknown;
}

export interface ManifestIssue {
  /** JSON-pointer-like path to the field, e.g. "/builds/0/parts/1/offset". */
  path: string;
  message: string;
  severity: "error" | "warning";
}
