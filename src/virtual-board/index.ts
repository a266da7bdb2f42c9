export { VirtualBoard, type VirtualBoardOptions } from "./virtual-board";
export { VirtualSerialPort } from "./virtual-serial-port";
export type * from "./types";
export { VIRTUAL_BOARD_MODELS, virtualBoardModel, type VirtualBoardModel } from "./board-models";
