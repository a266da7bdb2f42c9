export { VirtualBoard, type VirtualBoardOptions } from "./virtual-board";
export { VirtualSerialPort } from "./virtual-serial-port";
export type * from "./types";
