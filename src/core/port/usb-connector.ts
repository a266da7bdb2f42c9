/**
 * Which connector the cable is on, read from the port's USB identity, and what that means for
 * reaching the installed app's console.
 *
 * Espressif's chips with native USB show up as one of three USB devices there: the
 * USB-Serial-JTAG peripheral (303a:1001, the ROM loader and apps whose console is on it), the ROM
 * loader over USB-OTG (303a:<image chip id>, esptool's `uses_usb_otg()`), or an app's TinyUSB CDC
 * (Espressif's VID with the product id the firmware chose; MicroPython uses 303a:4001). Any other
 * vendor is a USB-UART bridge on the board's UART connector (CP210x, CH34x, FTDI…).
 */
import type { ChipFamily } from "../image/chips";
import { chipFacts } from "../image/chips";
import type { ConsoleConnector } from "../manifest/types";
import { ESPRESSIF_USB_JTAG, type SerialPortIdentity } from "./serial-port";
import { usbDeviceName } from "./usb-names";

export const ESPRESSIF_VID = ESPRESSIF_USB_JTAG.usbVendorId;

/**
 * MicroPython's TinyUSB CDC identity on the ESP32-S2/S3 (ports/esp32: MICROPY_HW_USB_VID 0x303A,
 * MICROPY_HW_USB_PID 0x4001), which our own S3 image keeps.
 */
export const MICROPYTHON_TINYUSB_CDC = { usbVendorId: ESPRESSIF_VID, usbProductId: 0x4001 } as const;

/**
 * Vendors of the USB-UART bridges dev boards carry (Silicon Labs, WCH, FTDI, Prolific): the
 * filters for "the UART connector" when the browser's picker has to be asked for it.
 */
export const BRIDGE_VENDOR_IDS: readonly number[] = [0x10c4, 0x1a86, 0x0403, 0x067b];

/** How the host reaches the chip through this port. */
export type UsbConnection =
  | { connector: "native"; device: "usb-serial-jtag" | "usb-otg-rom" | "usb-cdc" }
  | { connector: "uart"; device: "bridge" }
  | { connector: "unknown"; device: "unknown" };

export function usbConnection(info: SerialPortIdentity, chip?: ChipFamily): UsbConnection {
  const { usbVendorId: vid, usbProductId: pid } = info;
  if (vid === undefined || pid === undefined) return { connector: "unknown", device: "unknown" };
  if (vid !== ESPRESSIF_VID) return { connector: "uart", device: "bridge" };
  if (pid === ESPRESSIF_USB_JTAG.usbProductId) return { connector: "native", device: "usb-serial-jtag" };
  if (isUsbOtgRom(info, chip)) return { connector: "native", device: "usb-otg-rom" };
  return { connector: "native", device: "usb-cdc" };
}

/** esptool's `uses_usb_otg()`: the ROM loader over USB-OTG enumerates as 303a:<image chip id>. */
export function isUsbOtgRom(info: SerialPortIdentity, chip?: ChipFamily): boolean {
  if (info.usbVendorId !== ESPRESSIF_VID || info.usbProductId === undefined) return false;
  if (chip) return info.usbProductId === chipFacts(chip).imageChipId;
  // Without the chip: the ROM's USB-OTG ids are the ESP32-S2's and ESP32-S3's image chip ids.
  return info.usbProductId === 2 || info.usbProductId === 9;
}

/** Web Serial `requestPort` filter. */
export interface PortFilter {
  usbVendorId?: number;
  usbProductId?: number;
}

export function matchesFilters(info: SerialPortIdentity, filters: readonly PortFilter[]): boolean {
  if (filters.length === 0) return true;
  return filters.some(
    (f) =>
      (f.usbVendorId === undefined || f.usbVendorId === info.usbVendorId) &&
      (f.usbProductId === undefined || f.usbProductId === info.usbProductId),
  );
}

/** What becomes of the cable's port once the installed app runs. */
export type ConsolePlan =
  /** The console is on this very port (or the build does not say: as before, assume so). */
  | { kind: "same-port"; known: boolean }
  /** Same connector, but the app is another USB device: the port vanishes and another appears. */
  | { kind: "re-enumerates"; filters: PortFilter[]; sentence: string }
  /** The console is on the board's other connector: the user has to connect (or pick) that one. */
  | { kind: "other-connector"; target: "uart" | "native"; filters: PortFilter[]; sentence: string };

const NATIVE_FILTERS: PortFilter[] = [{ usbVendorId: ESPRESSIF_VID }];
const BRIDGE_FILTERS: PortFilter[] = BRIDGE_VENDOR_IDS.map((usbVendorId) => ({ usbVendorId }));

/**
 * Where the installed build's console will be, compared with where the cable is now (the port the
 * ROM loader answers on). `console` is the build's manifest field, first the preferred one.
 */
export function consolePlan(
  cable: SerialPortIdentity,
  console: readonly ConsoleConnector[] | undefined,
  chip?: ChipFamily,
): ConsolePlan {
  if (!console || console.length === 0) return { kind: "same-port", known: false };
  const here = usbConnection(cable, chip);
  if (here.connector === "unknown") return { kind: "same-port", known: false };
  if (here.connector === "uart") {
    if (console.includes("uart")) return { kind: "same-port", known: true };
    return {
      kind: "other-connector",
      target: "native",
      filters: NATIVE_FILTERS,
      sentence: `After the install this board's console is on its native USB connector (${console[0] === "usb-cdc" ? "a USB CDC device" : "USB-Serial-JTAG"}); this cable is on the UART one${bridgeName(cable)}. Plug a second cable into the native USB connector (often labelled "USB"), and the portal carries on there.`,
    };
  }
  // The cable is on the chip's own USB.
  if (here.device === "usb-serial-jtag" && console.includes("usb-serial-jtag"))
    return { kind: "same-port", known: true };
  if (console.includes("usb-cdc")) {
    return {
      kind: "re-enumerates",
      filters: NATIVE_FILTERS,
      sentence:
        "After the install this board's console is a USB CDC device on the same connector: the board leaves this port when the app starts and comes back as another one. The portal follows it.",
    };
  }
  if (console.includes("usb-serial-jtag")) {
    return {
      kind: "re-enumerates",
      filters: [{ ...ESPRESSIF_USB_JTAG }],
      sentence:
        "After the install this board's console is on its USB-Serial-JTAG: the board leaves this port when the app starts and comes back as another one. The portal follows it.",
    };
  }
  return {
    kind: "other-connector",
    target: "uart",
    filters: BRIDGE_FILTERS,
    sentence:
      'After the install this board\'s console is on its UART connector (the one with the USB-UART bridge, often labelled "UART" or "COM"); this cable is on the native USB one, which the firmware uses as a USB host. Plug a cable into the UART connector, and the portal carries on there.',
  };
}

function bridgeName(info: SerialPortIdentity): string {
  const name = usbDeviceName(info);
  return name ? ` (${name})` : "";
}
