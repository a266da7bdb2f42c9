import type { ChipFamily } from "../image/chips";
import { assertFirmware, type CheckedPart } from "../image/check-firmware";
import type { AppDescription } from "../image/app-desc";
import { downloadPart, type DownloadEvent, type DownloadOptions } from "../download/download";
import { resolvePartUrl, selectBuild, selectFirmware, type ChoiceFilter } from "../manifest/select";
import type { FirmwareChoice, FirmwareManifest, ManifestBuild } from "../manifest/types";

/** The fields of the flash job's DetectedChip that choosing and checking firmware needs. */
export interface InstallChip {
  family: ChipFamily;
  /** major*100+minor; null when unknown. */
  revision: number | null;
  flashSize: number | null;
  usbSerialJtag: boolean;
}

/** Same shape as the flash job's FlashPart. */
export interface CheckedFlashPart {
  name: string;
  offset: number;
  data: Uint8Array;
}

export type InstallPrepEvent =
  | {
      state: "selected";
      choice: { name: string; version: string };
      build: { chipFamily: ChipFamily; serialType?: string };
    }
  | DownloadEvent
  | { state: "checked"; parts: CheckedPart[]; app: AppDescription | null; warnings: string[] };

export interface InstallSource {
  manifest: FirmwareManifest;
  /** Where the manifest came from; part paths resolve against it. */
  manifestUrl: string;
  /** Base for blob:/data: manifests; defaults to the document's base URI. */
  pageUrl?: string;
  /**
   * Part path -> bytes already in memory (files from disk). Those parts are not downloaded, but
   * they go through every check a downloaded part does (SHA-256/size when the manifest gives them).
   */
  files?: ReadonlyMap<string, Uint8Array>;
}

export interface InstallPlan {
  choice: FirmwareChoice;
  build: ManifestBuild;
  parts: CheckedFlashPart[];
  checked: CheckedPart[];
  /** The app's own description (name, version, IDF, build date), when the image carries one. */
  app: AppDescription | null;
  warnings: string[];
}

export interface PrepareOptions extends DownloadOptions {
  choice?: ChoiceFilter;
}

/**
 * Picks the build for the detected chip, downloads its parts (cache first when SHA-256 is known),
 * and runs every image check. Throws the first ManifestError/DownloadError/ImageError; nothing has
 * been written when it does.
 */
export async function planInstall(
  source: InstallSource,
  chip: InstallChip,
  options: PrepareOptions = {},
  onEvent?: (e: InstallPrepEvent) => void,
): Promise<InstallPlan> {
  const choice = selectFirmware(source.manifest, options.choice);
  const build = selectBuild(choice, chip);
  onEvent?.({
    state: "selected",
    choice: { name: choice.name, version: choice.version },
    build: { chipFamily: build.chipFamily, ...(build.serialType ? { serialType: build.serialType } : {}) },
  });
  // Parts already in memory (files from disk) skip the download, not the checks below. Downloads
  // stay one after another (they share one link) and keep the part's index in the build.
  const data: Uint8Array[] = [];
  for (const [i, p] of build.parts.entries()) {
    const local = source.files?.get(p.path);
    if (local) {
      data.push(local);
      continue;
    }
    const request = {
      name: p.path,
      url: resolvePartUrl(p.path, source.manifestUrl, source.pageUrl),
      ...(p.sha256 ? { sha256: p.sha256 } : {}),
      ...(p.size ? { size: p.size } : {}),
    };
    data.push((await downloadPart(request, i, options, onEvent)).data);
  }
  const toCheck = build.parts.map((p, i) => ({
    name: p.path,
    offset: p.offset,
    data: data[i],
    ...(p.sha256 ? { sha256: p.sha256 } : {}),
    ...(p.size ? { size: p.size } : {}),
  }));
  const result = assertFirmware(toCheck, { family: chip.family, revision: chip.revision, flashSize: chip.flashSize });
  const app = result.parts.find((p) => p.app)?.app ?? null;
  onEvent?.({ state: "checked", parts: result.parts, app, warnings: result.warnings });
  return {
    choice,
    build,
    parts: toCheck.map((p) => ({ name: p.name, offset: p.offset, data: p.data })),
    checked: result.parts,
    app,
    warnings: result.warnings,
  };
}

/**
 * The flash job's `parts` callback: `flashParts(port, { parts: prepareInstall(source) }, onEvent)`.
 * It runs after the chip is detected and before anything is erased or written.
 */
export function prepareInstall(
  source: InstallSource,
  options: PrepareOptions = {},
  onEvent?: (e: InstallPrepEvent) => void,
): (chip: InstallChip) => Promise<CheckedFlashPart[]> {
  return async (chip) => (await planInstall(source, chip, options, onEvent)).parts;
}
