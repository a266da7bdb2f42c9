import type { ChipFamily } from "../image/chips";
import type { LoadedFirmware, PydirectProduct, PydirectRelease, PydirectReleaseOptions } from "./types";

export const DEFAULT_PYDIRECT_REPO = "jetpax/pyDirect";
export const DEFAULT_PYDIRECT_MIRROR = "https://pydirect.com/firmware/";

export function pydirectProductFacts(product: string): { chipFamily: ChipFamily; flashSize: number | null } {
  throw new Error(`not implemented yet (${product})`);
}

export async function listPydirectReleases(options: PydirectReleaseOptions = {}): Promise<PydirectRelease[]> {
  throw new Error(`not implemented yet (${options.repo ?? DEFAULT_PYDIRECT_REPO})`);
}

/** Synthesized manifest: one build per chip family, one merged part at 0x0 (sha256/size when known). */
export async function pydirectReleaseFirmware(release: PydirectRelease, product: PydirectProduct, options: PydirectReleaseOptions = {}): Promise<LoadedFirmware> {
  throw new Error(`not implemented yet (${release.tag} ${product.product} ${options.repo ?? ""})`);
}
