/**
 * The shapes a firmware check takes and gives back. A leaf module so that check-firmware and the
 * ESP8266 layout check (which check-firmware calls) can both use them without importing each other.
 */
import type { ChipFamily } from "./chips";
import type { ImageError } from "./errors";
import type { EspImageInfo } from "./esp-image";
import type { AppDescription } from "./app-desc";
import type { PartitionEntry, PartitionTable } from "./partition-table";

/** One downloaded part and what the manifest promised about it. */
export interface PartToCheck {
  /** Manifest path or a short name; used in messages. */
  name: string;
  offset: number;
  data: Uint8Array;
  /** Expected SHA-256 (hex) from the manifest, when it gives one. */
  sha256?: string;
  /** Expected size in bytes from the manifest, when it gives one. */
  size?: number;
}

export interface ChipContext {
  family: ChipFamily;
  /** Chip revision as major*100+minor (v3.1 → 301); null when unknown. */
  revision?: number | null;
  /** Detected flash size in bytes; null when unknown. */
  flashSize?: number | null;
}

export type PartKind = "bootloader" | "partition-table" | "app" | "data";

export interface CheckedPart {
  name: string;
  offset: number;
  size: number;
  sha256: string;
  kind: PartKind;
  image?: EspImageInfo;
  partitionTable?: PartitionTable;
  app?: AppDescription;
  /** The partition the part lands in, when the table is known. */
  partition?: PartitionEntry;
  /** ESP8266: what the part holds, in words (layout, images, integrity checks passed). */
  summary?: string;
}

export interface FirmwareCheck {
  parts: CheckedPart[];
  /** Every problem found; empty means every part may be written. */
  errors: ImageError[];
  /** Things worth showing that do not stop the install. */
  warnings: string[];
}
