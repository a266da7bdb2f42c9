export { flashParts, partsForChips } from "./flash-job";
export { FlashSession, DEFAULT_FLASH_BAUD, type OpenSessionOptions } from "./flash-session";
export { FlashError, isFlashError, type FlashErrorCode } from "./errors";
export { findDifferingRuns, md5Hex, type WriteRun } from "./skip-identical";
export type { ChipFamily, DetectedChip, FlashEvent, FlashPart, FlashReport, FlashRequest, PartResult } from "./types";
