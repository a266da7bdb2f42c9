import type { ChipFamily } from "../image/chips";
import { ManifestError } from "./errors";
import type { FirmwareChoice, FirmwareManifest, ManifestBuild, ReleaseChannel, SerialType } from "./types";

/** What the portal knows about the board when it picks a build. */
export interface ChipForSelection {
  family: ChipFamily;
  /** true when the port is the chip's own USB-Serial-JTAG/CDC: a "cdc" build is preferred. */
  usbSerialJtag?: boolean;
  /** major*100+minor; null when unknown. */
  revision?: number | null;
  /** bytes; null when unknown. */
  flashSize?: number | null;
}

export interface ChoiceFilter {
  /** Pick this version (from `firmwares[]`); default: the first choice on the channel. */
  version?: string;
  /** Default "stable"; "beta" also offers stable choices. */
  channel?: ReleaseChannel;
}

/** The firmware choices on a channel, in manifest order. */
export function firmwareChoices(manifest: FirmwareManifest, channel: ReleaseChannel = "stable"): FirmwareChoice[] {
  return manifest.choices.filter((c) => channel === "beta" || c.channel === "stable");
}

export function selectFirmware(manifest: FirmwareManifest, filter: ChoiceFilter = {}): FirmwareChoice {
  const choices = firmwareChoices(manifest, filter.channel);
  const choice = filter.version === undefined ? choices[0] : choices.find((c) => c.version === filter.version);
  if (!choice) {
    const offered = manifest.choices.map((c) => `${c.version || "(unversioned)"} (${c.channel})`).join(", ");
    throw new ManifestError(
      "manifest-no-firmware",
      filter.version === undefined
        ? `The manifest offers no ${filter.channel ?? "stable"} firmware (it has: ${offered}).`
        : `Version ${filter.version} is not in the manifest (it has: ${offered}).`,
    );
  }
  return choice;
}

function formatRevision(rev: number): string {
  return `v${Math.floor(rev / 100)}.${rev % 100}`;
}

/**
 * The build ESP Web Tools would pick for this chip: same family, a build for this serial type
 * before the family's fallback (no serialType); then our own checks of chip revision and flash size.
 */
export function selectBuild(choice: FirmwareChoice, chip: ChipForSelection): ManifestBuild {
  const wanted: SerialType = chip.usbSerialJtag ? "cdc" : "uart";
  const family = choice.builds.filter((b) => b.chipFamily === chip.family);
  const build = family.find((b) => b.serialType === wanted) ?? family.find((b) => b.serialType === undefined);
  if (!build) {
    const offered = [
      ...new Set(choice.builds.map((b) => (b.serialType ? `${b.chipFamily} (${b.serialType})` : b.chipFamily))),
    ].join(", ");
    const detail = family.length > 0 ? ` over ${wanted === "cdc" ? "native USB (CDC)" : "a USB-UART bridge"}` : "";
    throw new ManifestError(
      "manifest-no-build",
      `${choice.name} has no build for ${chip.family}${detail}; it supports ${offered}. Pick firmware made for this board.`,
    );
  }
  if (
    build.minChipRevision !== undefined &&
    chip.revision !== null &&
    chip.revision !== undefined &&
    chip.revision < build.minChipRevision
  ) {
    throw new ManifestError(
      "manifest-no-build",
      `${choice.name} for ${chip.family} needs chip revision ${formatRevision(build.minChipRevision)} or newer; this board is ${formatRevision(chip.revision)}.`,
    );
  }
  if (build.flashSize !== undefined && chip.flashSize && chip.flashSize < build.flashSize) {
    throw new ManifestError(
      "manifest-no-build",
      `${choice.name} for ${chip.family} needs ${build.flashSize / 1048576} MB of flash; this board has ${chip.flashSize / 1048576} MB.`,
    );
  }
  return build;
}

/**
 * Where a part is fetched from: relative to the manifest's URL, or to the page when the manifest
 * itself came from a blob: or data: URL (those cannot be a base for relative paths).
 */
export function resolvePartUrl(path: string, manifestUrl: string, pageUrl?: string): string {
  const page = pageUrl ?? (typeof document !== "undefined" ? document.baseURI : undefined);
  const opaque = /^(blob|data):/i.test(manifestUrl);
  let base: string | undefined;
  try {
    // A manifest URL like "/firmware/manifest.json" is itself relative to the page.
    base = opaque ? page : new URL(manifestUrl, page).href;
    return new URL(path, base).href;
  } catch (err) {
    throw new ManifestError(
      "manifest-invalid",
      `The part path ${JSON.stringify(path)} cannot be resolved against ${base ?? "the page"}; use a full URL for it.`,
      { cause: err },
    );
  }
}
