export { VirtualBoard, type VirtualBoardOptions } from "./virtual-board";
export { VirtualSerialPort } from "./virtual-serial-port";
export type * from "./types";
export { USB_BRIDGES, CP2102N, CH340, FT232R, CH9102, CHEAP_CH340_CLONE, type UsbBridgeProfile } from "./usb-bridge";
export { VIRTUAL_BOARD_MODELS, virtualBoardModel, type VirtualBoardModel } from "./board-models";
