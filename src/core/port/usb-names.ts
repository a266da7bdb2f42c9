import { ESPRESSIF_USB_JTAG, type SerialPortIdentity } from "./serial-port";

/**
 * Names for the USB serial devices dev boards carry, by USB vendor and product id, so a log can say
 * "2,000,000 baud (CP210x)". Names only: how fast a bridge goes is learnt from the link itself.
 * One product id often covers a family (Silicon Labs' 0xea60 is CP2102, CP2102N, CP2104 …).
 */
const NAMES: ReadonlyMap<string, string> = new Map([
  ["10c4:ea60", "CP210x"],
  ["10c4:ea70", "CP2105"],
  ["1a86:7523", "CH340"],
  ["1a86:55d3", "CH343"],
  ["1a86:55d4", "CH9102"],
  ["0403:6001", "FT232R"],
  ["0403:6010", "FT2232"],
  ["0403:6015", "FT231X"],
  ["067b:2303", "PL2303"],
  [`${hex4(ESPRESSIF_USB_JTAG.usbVendorId)}:${hex4(ESPRESSIF_USB_JTAG.usbProductId)}`, "USB-Serial-JTAG"],
]);

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}

/** "10c4:ea60", or null for a port without USB ids (Bluetooth serial, a platform UART). */
export function usbIdentityKey(info: SerialPortIdentity): string | null {
  const { usbVendorId, usbProductId } = info;
  if (usbVendorId === undefined || usbProductId === undefined) return null;
  if (!Number.isInteger(usbVendorId) || !Number.isInteger(usbProductId)) return null;
  return `${hex4(usbVendorId)}:${hex4(usbProductId)}`;
}

/** The bridge's name when the ids are well known, else null. */
export function usbDeviceName(info: SerialPortIdentity): string | null {
  const key = usbIdentityKey(info);
  return key === null ? null : (NAMES.get(key) ?? null);
}
