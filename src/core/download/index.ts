export {
  downloadPart,
  downloadParts,
  DownloadError,
  type DownloadErrorCode,
  type DownloadEvent,
  type PartRequest,
  type DownloadOptions,
  type DownloadedPart,
} from "./download";
export { MemoryPartCache, CacheStoragePartCache, defaultPartCache, type PartCache } from "./part-cache";
