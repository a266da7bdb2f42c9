/**
 * USB-UART bridges a dev board may carry between the host's USB port and the chip's UART0: the
 * USB ids the port reports through `getInfo()` and the highest baud rate the bridge's UART
 * produces. The board garbles every byte when the host asks the bridge for more than that, as a
 * bridge whose baud generator cannot reach the rate (or lands too far from it) does on a real
 * board: the chip's UART then samples the wrong bits.
 */
import type { SerialPortIdentity } from "../core/port/serial-port";

export interface UsbBridgeProfile extends Required<SerialPortIdentity> {
  /** The part's name, as its vendor sells it. */
  name: string;
  /** Highest baud rate (bits per second) the bridge carries intact. */
  maxBaud: number;
}

/** Silicon Labs CP2102N data sheet, "Features": "Baud rates: 300 bps to 3 Mbps". Silicon Labs' VID, the CP210x PID. */
export const CP2102N: UsbBridgeProfile = {
  name: "CP2102N",
  usbVendorId: 0x10c4,
  usbProductId: 0xea60,
  maxBaud: 3_000_000,
};

/** WCH CH340 data sheet, "Features": communication baud rates from 50 bps to 2 Mbps. WCH's VID, the CH340 PID. */
export const CH340: UsbBridgeProfile = { name: "CH340", usbVendorId: 0x1a86, usbProductId: 0x7523, maxBaud: 2_000_000 };

/** FTDI DS_FT232R, "Features": "Data transfer rates from 300 baud to 3 Mbaud ... at TTL levels". FTDI's VID and default FT232R PID. */
export const FT232R: UsbBridgeProfile = {
  name: "FT232R",
  usbVendorId: 0x0403,
  usbProductId: 0x6001,
  maxBaud: 3_000_000,
};

/** WCH CH9102F data sheet, "Features": baud rates from 50 bps to 4 Mbps. WCH's VID, the CH9102 PID. */
export const CH9102: UsbBridgeProfile = {
  name: "CH9102",
  usbVendorId: 0x1a86,
  usbProductId: 0x55d4,
  maxBaud: 4_000_000,
};

/**
 * Not from a data sheet: a no-name clone that reports WCH's CH340 ids but whose baud generator
 * garbles everything above 921,600, the rate cheap boards are commonly flashed at. It is here so
 * that stepping down from the first rate tried is exercised, as the issue asks.
 */
export const CHEAP_CH340_CLONE: UsbBridgeProfile = {
  name: "CH340 clone",
  usbVendorId: 0x1a86,
  usbProductId: 0x7523,
  maxBaud: 921_600,
};

export const USB_BRIDGES = { CP2102N, CH340, FT232R, CH9102, CHEAP_CH340_CLONE } as const;

/**
 * What the bridge does to bytes crossing it: intact when both ends run the same rate and the
 * bridge manages it, noise otherwise (a UART at the wrong rate, or a bridge pushed past its limit).
 */
export function bridgeCarries(hostBaud: number, uartBaud: number, maxBaud: number): boolean {
  return hostBaud === uartBaud && hostBaud <= maxBaud;
}

/** Deterministic noise of the same length: what a receiver sampling at the wrong rate makes of bytes. */
export function garble(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] * 151 + 89 + i) & 0xff;
  return out;
}
