/** Firmware sources (issue 12): each gives a LoadedFirmware that planInstall checks like any manifest. */
export * from "./types";
export { FirmwareSourceError, type FirmwareSourceErrorCode } from "./errors";
export {
  listPydirectReleases,
  pydirectReleaseFirmware,
  pydirectProductFacts,
  mirrorUrlFor,
  DEFAULT_PYDIRECT_REPO,
  DEFAULT_PYDIRECT_MIRROR,
  DEFAULT_GITHUB_API,
  type PydirectFirmwareOptions,
} from "./pydirect-releases";
export type { ProductFacts } from "./pydirect-products";
export {
  loadPortalReleaseIndex,
  portalReleaseFirmware,
  type ResolvedPortalReleaseIndex,
  type ResolvedPortalReleaseVersion,
} from "./portal-releases";
export { analyzeLocalFiles, localFirmware, LOCAL_FILES_URL } from "./local-files";
export { loadManifestUrl, type ManifestUrlOptions } from "./manifest-url";
export {
  MemoryFirmwareChoiceMemory,
  StorageFirmwareChoiceMemory,
  CHOICE_STORAGE_KEY,
  rememberedChoiceFor,
} from "./choice-memory";
