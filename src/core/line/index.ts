export { ProductionLine, DEFAULT_MAX_BOARDS, type LinePort, type ProductionLineOptions } from "./production-line";
export { LineError, type LineErrorCode } from "./line-errors";
export { runLineBoard, lineBoardRecord } from "./board-run";
export { BoardProgress } from "./board-progress";
export * from "./line-types";
