/** Firmware sources (issue 12): each gives a LoadedFirmware that planInstall checks like any manifest. */
export * from "./types";
export { FirmwareSourceError, type FirmwareSourceErrorCode } from "./errors";
export { listPydirectReleases, pydirectReleaseFirmware, pydirectProductFacts, DEFAULT_PYDIRECT_REPO, DEFAULT_PYDIRECT_MIRROR } from "./pydirect-releases";
export { loadPortalReleaseIndex, portalReleaseFirmware } from "./portal-releases";
export { analyzeLocalFiles, localFirmware } from "./local-files";
export { loadManifestUrl } from "./manifest-url";
export { MemoryFirmwareChoiceMemory, StorageFirmwareChoiceMemory } from "./choice-memory";
