/**
 * The portal's own releases: public/firmware/index.json, written by firmware/build/build-images.py
 * next to the release folders it lists ({"versions": [{version, channel, manifest, chips}]}).
 */
import { isChipFamily } from "../image/chips";
import { FirmwareSourceError } from "./errors";
import { fetchManifestText, loadManifestUrl, type ManifestUrlOptions } from "./manifest-url";
import { looksLikeHtml } from "./http";
import type { FetchOptions, LoadedFirmware, PortalReleaseIndex, PortalReleaseVersion } from "./types";

/** An index entry with its manifest's absolute URL (resolved against where the index was served). */
export interface ResolvedPortalReleaseVersion extends PortalReleaseVersion {
  manifestUrl: string;
}

export interface ResolvedPortalReleaseIndex extends PortalReleaseIndex {
  versions: ResolvedPortalReleaseVersion[];
  indexUrl: string;
}

function invalid(url: string, why: string): FirmwareSourceError {
  return new FirmwareSourceError(
    "source-failed",
    `The release index at ${url} is damaged (${why}); rebuild it with firmware/build/build-images.py.`,
  );
}

/**
 * Reads the index; null when the site has none (404, or a single-page-app fallback page where the
 * file would be). Versions keep the index's order (newest first as the build script writes them).
 */
export async function loadPortalReleaseIndex(
  indexUrl: string,
  options: FetchOptions & Pick<ManifestUrlOptions, "pageUrl" | "pageOrigin"> = {},
): Promise<ResolvedPortalReleaseIndex | null> {
  let fetched: Awaited<ReturnType<typeof fetchManifestText>>;
  try {
    fetched = await fetchManifestText(indexUrl, options);
  } catch (err) {
    if (err instanceof FirmwareSourceError && err.code === "not-found") return null;
    throw err;
  }
  const { text, finalUrl, response } = fetched;
  if (looksLikeHtml(response, text)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid(finalUrl, "not JSON");
  }
  const list = (raw as { versions?: unknown } | null)?.versions;
  if (!Array.isArray(list)) throw invalid(finalUrl, 'no "versions" list');
  const versions = list.map((v: unknown, i): ResolvedPortalReleaseVersion => {
    const entry = (v ?? {}) as Record<string, unknown>;
    if (typeof entry.version !== "string" || entry.version === "")
      throw invalid(finalUrl, `versions[${i}] has no version`);
    if (typeof entry.manifest !== "string" || entry.manifest === "")
      throw invalid(finalUrl, `versions[${i}] has no manifest path`);
    const channel = entry.channel === "beta" ? "beta" : "stable";
    const chips = Array.isArray(entry.chips) ? entry.chips.filter(isChipFamily) : [];
    return {
      version: entry.version,
      channel,
      manifest: entry.manifest,
      chips,
      manifestUrl: new URL(entry.manifest, finalUrl).href,
    };
  });
  return { versions, indexUrl: finalUrl };
}

/** One listed version as an install source (its manifest loaded like a typed URL). */
export async function portalReleaseFirmware(
  index: ResolvedPortalReleaseIndex,
  version: ResolvedPortalReleaseVersion,
  options: FetchOptions = {},
): Promise<LoadedFirmware> {
  const loaded = await loadManifestUrl(version.manifestUrl, options);
  return { ...loaded, origin: { kind: "portal-release", indexUrl: index.indexUrl, version: version.version } };
}
