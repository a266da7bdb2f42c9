export { flashParts, partsForChips } from "./flash-job";
export { BaudStepper, FAST_BAUD_RATES, describeBaud, type FastBaudOptions } from "./fast-baud";
export {
  InMemoryBaudMemory,
  StorageBaudMemory,
  defaultBaudMemory,
  type BaudMemory,
  type KeyValueStorage,
} from "./baud-memory";
export { FlashSession, DEFAULT_FLASH_BAUD, type OpenSessionOptions } from "./flash-session";
export { FlashError, isFlashError, type FlashErrorCode } from "./errors";
export { findDifferingRuns, md5Hex, skipErasedStretches, type WriteRun } from "./skip-identical";
export type {
  BaudEvent,
  BaudRefusal,
  ChipFamily,
  DetectedChip,
  FlashEvent,
  FlashPart,
  FlashReport,
  FlashRequest,
  PartResult,
} from "./types";
