/**
 * USB-UART bridges a dev board may carry between the host's USB port and the chip's UART0: the
 * USB ids the port reports through `getInfo()` and the highest baud rate the bridge's UART
 * produces. The board garbles every byte when the host asks the bridge for more than that, as a
 * bridge whose baud generator cannot reach the rate (or lands too far from it) does on a real
 * board: the chip's UART then samples the wrong bits.
 */
import type { SerialPortIdentity } from "../core/port/serial-port";
import { ch340Baud, cp2102nBaud, exactBaud, ft232rBaud, ratesMatch, type BaudGenerator } from "./uart-clock";
import type { UsbLinkProfile } from "./usb-latency";

export interface UsbBridgeProfile extends Required<SerialPortIdentity> {
  /** The part's name, as its vendor sells it. */
  name: string;
  /** Highest baud rate (bits per second) the bridge carries intact. */
  maxBaud: number;
  /** The rate the bridge's baud generator really makes for a requested one (default: exact). */
  baudGenerator?: BaudGenerator;
  /** How the bridge moves bytes over USB (default: 64-byte packets on the next frame). */
  usb?: UsbLinkProfile;
}

/** Silicon Labs CP2102N data sheet, "Features": "Baud rates: 300 bps to 3 Mbps". Silicon Labs' VID, the CP210x PID. */
export const CP2102N: UsbBridgeProfile = {
  name: "CP2102N",
  usbVendorId: 0x10c4,
  usbProductId: 0xea60,
  maxBaud: 3_000_000,
  baudGenerator: cp2102nBaud,
  // CP2102N data sheet: full-speed USB with 64-byte bulk endpoints; it documents no latency timer
  // (unlike FTDI's parts), so a short reply is taken to go on the next IN token, the next frame.
  usb: { inPacketBytes: 64, latencyTimerMs: null },
};

/** WCH CH340 data sheet, "Features": communication baud rates from 50 bps to 2 Mbps. WCH's VID, the CH340 PID. */
export const CH340: UsbBridgeProfile = {
  name: "CH340",
  usbVendorId: 0x1a86,
  usbProductId: 0x7523,
  maxBaud: 2_000_000,
  baudGenerator: ch340Baud,
  // The CH340's bulk endpoints are 32 bytes (its USB descriptors, as Linux's ch341 driver reads
  // them); WCH documents no latency timer, so short data goes on the next IN token.
  usb: { inPacketBytes: 32, latencyTimerMs: null },
};

/** FTDI DS_FT232R, "Features": "Data transfer rates from 300 baud to 3 Mbaud ... at TTL levels". FTDI's VID and default FT232R PID. */
export const FT232R: UsbBridgeProfile = {
  name: "FT232R",
  usbVendorId: 0x0403,
  usbProductId: 0x6001,
  maxBaud: 3_000_000,
  baudGenerator: ft232rBaud,
  // FTDI AN232B-04 "Data Throughput, Latency and Handshaking": each 64-byte IN packet carries two
  // modem-status bytes (62 of data); a part-filled buffer is sent only when the latency timer
  // expires, 16 ms by default, restarting on every packet sent. Web Serial cannot change it.
  usb: { inPacketBytes: 62, latencyTimerMs: 16 },
};

/** WCH CH9102F data sheet, "Features": baud rates from 50 bps to 4 Mbps. WCH's VID, the CH9102 PID. */
export const CH9102: UsbBridgeProfile = {
  name: "CH9102",
  usbVendorId: 0x1a86,
  usbProductId: 0x55d4,
  maxBaud: 4_000_000,
  baudGenerator: exactBaud,
  // CH9102F data sheet: a full-speed USB device; its bulk endpoints are taken as full-speed's 64
  // bytes (an assumption), and with no latency timer documented short data goes on the next IN token.
  usb: { inPacketBytes: 64, latencyTimerMs: null },
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
  baudGenerator: ch340Baud,
  usb: { inPacketBytes: 32, latencyTimerMs: null },
};

export const USB_BRIDGES = { CP2102N, CH340, FT232R, CH9102, CHEAP_CH340_CLONE } as const;

/**
 * What the bridge does to bytes crossing it: intact when both ends run the same rate and the
 * bridge manages it, noise otherwise (a UART at the wrong rate, or a bridge pushed past its limit).
 */
export function bridgeCarries(hostBaud: number, uartBaud: number, maxBaud: number): boolean {
  return hostBaud === uartBaud && hostBaud <= maxBaud;
}

/**
 * The ESP32-S3/C3/P4's USB-Serial-JTAG (technical reference manuals, "USB Serial/JTAG
 * Controller"): a full-speed device whose CDC-ACM bulk endpoints are 64 bytes; the ROM flushes
 * each reply, so it goes on the next IN token.
 */
export const USB_SERIAL_JTAG_USB: UsbLinkProfile = { inPacketBytes: 64, latencyTimerMs: null };

/**
 * Whether bytes cross between a host port opened at `hostBaud` and a chip UART really running at
 * `chipRate` bits per second: the bridge must manage the rate, and the rate its generator makes
 * must lie within a receiver's tolerance of the chip's (uart-clock.ts).
 */
export function bridgeCarriesRate(
  bridge: UsbBridgeProfile,
  hostBaud: number,
  chipRate: number,
  maxBaud: number,
): boolean {
  if (hostBaud > maxBaud) return false;
  return ratesMatch((bridge.baudGenerator ?? exactBaud)(hostBaud), chipRate);
}

/** The rate the bridge really runs at when its driver asks for `hostBaud`. */
export function bridgeRate(bridge: UsbBridgeProfile, hostBaud: number): number {
  return (bridge.baudGenerator ?? exactBaud)(hostBaud);
}

/** Deterministic noise of the same length: what a receiver sampling at the wrong rate makes of bytes. */
export function garble(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] * 151 + 89 + i) & 0xff;
  return out;
}
