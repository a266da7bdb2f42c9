/**
 * The part of the Web Serial `SerialPort` that esptool-js and the portal's own jobs use.
 *
 * A real `navigator.serial` port satisfies this structurally, and so does the virtual board's
 * port, so every job takes a `SerialPortLike` and never knows which one it drives.
 */
export interface SerialPortSignals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

export interface SerialPortOpenOptions {
  baudRate: number;
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
  parity?: "none" | "even" | "odd";
  bufferSize?: number;
  flowControl?: "none" | "hardware";
}

export interface SerialPortIdentity {
  usbVendorId?: number;
  usbProductId?: number;
}

export interface SerialPortLike {
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly writable: WritableStream<Uint8Array> | null;
  open(options: SerialPortOpenOptions): Promise<void>;
  close(): Promise<void>;
  setSignals(signals: SerialPortSignals): Promise<void>;
  getInfo(): SerialPortIdentity;
  /** Present on real ports and the virtual one; "disconnect" fires when the device goes away. */
  addEventListener?(type: "disconnect", listener: (ev: Event) => void): void;
  removeEventListener?(type: "disconnect", listener: (ev: Event) => void): void;
}

/** USB ids of the Espressif USB-Serial-JTAG peripheral (ESP32-S3/C3/C6/H2 native USB). */
export const ESPRESSIF_USB_JTAG = { usbVendorId: 0x303a, usbProductId: 0x1001 } as const;

export function isUsbSerialJtag(info: SerialPortIdentity): boolean {
  return info.usbVendorId === ESPRESSIF_USB_JTAG.usbVendorId && info.usbProductId === ESPRESSIF_USB_JTAG.usbProductId;
}
