import type { FetchOptions, LoadedFirmware } from "./types";

/** Fetches and parses a manifest; CORS/network failures and HTML answers get their own errors. */
export async function loadManifestUrl(url: string, options: FetchOptions = {}): Promise<LoadedFirmware> {
  throw new Error(`not implemented yet (${url} ${options.signal ? "" : ""})`);
}
