/**
 * Where firmware can come from (issue 12): pyDirect's published releases, the portal's own
 * releases, files from disk, and a manifest URL typed by the user. Whatever the source, the result
 * is a `LoadedFirmware` that `planInstall` checks exactly as it checks any manifest.
 */
import type { ChipFamily } from "../image/chips";
import type { FirmwareManifest } from "../manifest/types";

/** Everything an install needs, whatever the source. */
export interface LoadedFirmware {
  /** ESP Web Tools shape, parsed by parseManifest (synthesized for releases and local files). */
  manifest: FirmwareManifest;
  /** Base for relative part paths (a pseudo URL for local files). */
  manifestUrl: string;
  /** Part path -> bytes already in memory (local files): these are never downloaded. */
  files?: ReadonlyMap<string, Uint8Array>;
  origin: FirmwareOrigin;
}

export type FirmwareOrigin =
  | { kind: "manifest-url"; url: string }
  | { kind: "pydirect-release"; repo: string; tag: string; product: string }
  | { kind: "portal-release"; indexUrl: string; version: string }
  | { kind: "local-files"; names: string[] };

export interface FetchOptions {
  /** Injected for tests and Node; defaults to the global fetch. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

// ---- a. pyDirect releases from the GitHub releases API ----

export interface PydirectReleaseOptions extends FetchOptions {
  /** owner/name; default the pyDirect upstream repository. */
  repo?: string;
  /** Default https://api.github.com (tests: a 127.0.0.1 fixture server). */
  apiBase?: string;
  /** CORS-enabled copy of the assets; default the project's Pages site + "/firmware/". */
  mirrorBase?: string;
}

export interface PydirectProduct {
  /** "ESP32_S3", "ESP32_S3_16MB", "ESP32_P4", "RetroVMS_Mini", or unknown ones. */
  product: string;
  chipFamily: ChipFamily;
  /** Bytes; null when neither the board manifests nor the table say. */
  flashSize: number | null;
  assetName: string;
  size: number;
  /** Hex, from the asset's "digest" when GitHub gives one. */
  sha256: string | null;
  /** Where the portal downloads it (never a third-party proxy, never the release download URL). */
  mirrorUrl: string;
  /** The release asset's own URL (no CORS): for the user to download by hand. */
  releaseDownloadUrl: string;
}

export interface PydirectRelease {
  tag: string;
  version: string;
  channel: "stable" | "beta";
  publishedAt: string;
  notes: string | null;
  /** The release's page on GitHub (offered when no CORS copy exists). */
  pageUrl: string;
  products: PydirectProduct[];
}

// ---- b. our own releases: public/firmware/index.json written by firmware/build/build-images.py ----

export interface PortalReleaseVersion {
  version: string;
  channel: "stable" | "beta";
  /** Relative to the index. */
  manifest: string;
  chips: ChipFamily[];
}

export interface PortalReleaseIndex {
  versions: PortalReleaseVersion[];
}

// ---- c. local files ----

export interface LocalFile {
  /**
   * The file's name; for a folder (or files dropped from one) its path inside it, as
   * `webkitRelativePath` gives it ("release/esp32s3/bootloader.bin"), so manifest paths match.
   */
  name: string;
  data: Uint8Array;
}

export type LocalPartKind = "manifest" | "merged" | "bootloader" | "partition-table" | "app" | "unknown";

export interface LocalPartProposal {
  name: string;
  kind: LocalPartKind;
  offset: number;
  /** Why this offset was proposed, in a sentence. */
  reason: string;
  size: number;
}

export interface LocalFirmwareAnalysis {
  shape: "manifest" | "merged" | "split";
  /** Proposed offsets, editable by the user. */
  parts: LocalPartProposal[];
  chipFamily: ChipFamily | null;
  appName: string | null;
  appVersion: string | null;
  warnings: string[];
  /** Shape "manifest": the manifest as parsed, keeping only the builds whose parts were all given. */
  manifest?: FirmwareManifest;
  /** Shape "manifest": part path in the manifest -> name of the file that holds it. */
  partFiles?: Record<string, string>;
}

// ---- remembering the last choice (no file contents, no secrets) ----

export interface RememberedChoice {
  sourceKind: FirmwareOrigin["kind"];
  sourceKey: string;
  version: string | null;
}

export interface FirmwareChoiceMemory {
  load(): RememberedChoice | null;
  save(choice: RememberedChoice): void;
}

/** The part of the DOM's Storage that the localStorage-backed memory uses. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
