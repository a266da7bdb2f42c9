/**
 * The firmware-sources core wired for the session: one fetch for everything (tests in Node pass
 * their own), the core loaded on first use so the first paint carries none of it.
 */
import { improvPolicy } from "./provisioning-choice";
import type { FirmwareManifest } from "../manifest/types";
import type { FirmwareSourceJobs } from "./jobs";
import type { FirmwareOffer } from "./session-types";
import type { LoadedFirmware } from "../firmware-sources/types";

export function createFirmwareSourceJobs(doFetch: typeof fetch): FirmwareSourceJobs {
  const core = () => import("../firmware-sources");
  return {
    async listPydirectReleases(options, signal) {
      return (await core()).listPydirectReleases({ ...options, fetch: doFetch, signal });
    },
    async pydirectReleaseFirmware(release, product, options, signal) {
      return (await core()).pydirectReleaseFirmware(release, product, { ...options, fetch: doFetch, signal });
    },
    async loadPortalReleaseIndex(indexUrl, signal) {
      return (await core()).loadPortalReleaseIndex(indexUrl, { fetch: doFetch, signal });
    },
    async portalReleaseFirmware(index, version, signal) {
      return (await core()).portalReleaseFirmware(index, version, { fetch: doFetch, signal });
    },
    async loadManifestUrl(url, signal) {
      return (await core()).loadManifestUrl(url, { fetch: doFetch, signal });
    },
    async analyzeLocalFiles(files) {
      return (await core()).analyzeLocalFiles(files);
    },
    async localFirmware(files, analysis, offsets) {
      return (await core()).localFirmware(files, analysis, offsets);
    },
  };
}

/** The manifest's `virtual_board_only` extension: the demo image, for the in-page virtual board only. */
export function isVirtualBoardOnly(manifest: FirmwareManifest): boolean {
  return (manifest as { virtual_board_only?: unknown }).virtual_board_only === true;
}

/** Every firmware/version a loaded firmware offers, first the default, as the session shows them. */
export function offersOf(firmware: LoadedFirmware): FirmwareOffer[] {
  const { manifest, manifestUrl, origin } = firmware;
  return manifest.choices.map((choice): FirmwareOffer => ({
    manifestUrl,
    name: choice.name,
    version: choice.version,
    channel: choice.channel,
    releaseNotes: choice.releaseNotes ?? null,
    chipFamilies: [...new Set(choice.builds.map((b) => b.chipFamily))],
    promptErase: manifest.new_install_prompt_erase === true,
    skipErase: manifest.new_install_skip_erase === true,
    virtualBoardOnly: isVirtualBoardOnly(manifest),
    origin,
    improv: improvPolicy(manifest, choice.builds),
    consoleByChip: Object.fromEntries(
      choice.builds.flatMap((b) => (b.console ? [[b.chipFamily, b.console] as const] : [])),
    ),
  }));
}
