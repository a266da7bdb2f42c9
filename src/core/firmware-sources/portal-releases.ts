import type { FetchOptions, LoadedFirmware, PortalReleaseIndex, PortalReleaseVersion } from "./types";

/** Reads public/firmware/index.json; null when there is none (404). */
export async function loadPortalReleaseIndex(indexUrl: string, options: FetchOptions = {}): Promise<PortalReleaseIndex | null> {
  throw new Error(`not implemented yet (${indexUrl} ${options.signal ? "" : ""})`);
}

/** The manifest of one listed version, loaded like a typed manifest URL. */
export async function portalReleaseFirmware(indexUrl: string, version: PortalReleaseVersion, options: FetchOptions = {}): Promise<LoadedFirmware> {
  throw new Error(`not implemented yet (${indexUrl} ${version.version} ${options.signal ? "" : ""})`);
}
