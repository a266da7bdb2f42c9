/**
 * Why the portal cannot talk to a board from this page, in words a user can act on. Each of the
 * three situations (no Web Serial, insecure context, no port picked) gets its own explanation.
 */
import { PortalError } from "../errors";
import { BROWSERS_THAT_WORK } from "./browsers-that-work";

export type EnvironmentProblemCode = "no-web-serial" | "insecure-context";

export class EnvironmentError extends PortalError {
  declare readonly code: EnvironmentProblemCode | "no-port-picked" | "port-in-use" | "not-usb-serial";
}

/**
 * Which boards the WebUSB path reaches: web-serial-polyfill drives USB CDC-ACM devices only (its
 * requestPort filters on interface class 2, communications, and it needs a class 10 data
 * interface). The chip's own USB-Serial-JTAG and TinyUSB CDC are CDC-ACM; so are WCH's newer
 * bridges: WCH's ch343ser_linux README says the CH342/CH343/CH344/CH347/CH9101/CH9102/CH9103 are
 * fully CDC-ACM compliant and work with Linux's own cdc-acm driver (which carries a quirk for the
 * CH343, 1a86:55d3, in drivers/usb/class/cdc-acm.c). Silicon Labs' CP210x, FTDI's chips and WCH's
 * CH340/CH341 speak their vendors' own protocols (Linux drives them with usb-serial's cp210x,
 * ftdi_sio and ch341 drivers), so the polyfill cannot use them.
 */
export const WEBUSB_BRIDGES =
  "Boards whose USB goes through a CP210x, CH340/CH341 or FTDI bridge chip need a computer with Chrome, Edge or Opera; boards with a WCH CH343 or CH9102 bridge are USB CDC-ACM devices and work here too.";

export interface EnvironmentFacts {
  isSecureContext: boolean;
  hasWebSerial: boolean;
  /** `navigator.usb` exists: CDC-ACM boards are reachable through web-serial-polyfill. */
  hasWebUsb?: boolean;
}

/** How the portal reaches a real board in this browser (feature-detected, never from the user agent). */
export function serialRoute(
  facts: Pick<EnvironmentFacts, "hasWebSerial" | "hasWebUsb">,
): "web-serial" | "webusb-polyfill" | "none" {
  if (facts.hasWebSerial) return "web-serial";
  return facts.hasWebUsb ? "webusb-polyfill" : "none";
}

/** What the user should know on the WebUSB path (which boards it reaches); null on Web Serial or none. */
export function webUsbNotice(facts: EnvironmentFacts): string | null {
  if (!facts.isSecureContext || serialRoute(facts) !== "webusb-polyfill") return null;
  return `This browser has no Web Serial, so the portal talks to boards through WebUSB. That reaches boards plugged in through the chip's own USB port (ESP32-S3, C3, C6 or P4 native USB, or TinyUSB CDC). ${WEBUSB_BRIDGES} On Android the system may claim the board first; if access is denied, unplug and try again.`;
}

/** null when real ports can be used; the virtual board works either way. */
export function checkEnvironment(facts: EnvironmentFacts): EnvironmentError | null {
  if (!facts.isSecureContext) {
    return new EnvironmentError(
      "insecure-context",
      "This page was loaded over plain http, and browsers only allow USB serial on https:// or localhost pages. Open the portal through its https:// address.",
      { action: "none" },
    );
  }
  if (serialRoute(facts) === "none") {
    return new EnvironmentError(
      "no-web-serial",
      `This browser cannot talk to USB serial ports. Use ${BROWSERS_THAT_WORK}; Safari has neither Web Serial nor WebUSB. You can still try the virtual board here.`,
      { action: "none" },
    );
  }
  return null;
}

export function environmentFacts(
  scope: { isSecureContext?: boolean; navigator?: { serial?: unknown; usb?: unknown } } = globalThis,
): EnvironmentFacts {
  return {
    isSecureContext: scope.isSecureContext === true,
    hasWebSerial: scope.navigator?.serial !== undefined,
    hasWebUsb: scope.navigator?.usb !== undefined,
  };
}

/** What `navigator.serial.requestPort()` rejecting means for the user. */
export function explainRequestPortFailure(err: unknown): EnvironmentError {
  const name = err instanceof Error ? err.name : "";
  if (name === "NotFoundError") {
    return new EnvironmentError(
      "no-port-picked",
      "No port was picked. Click Connect again and choose your board; if it is not listed, check the USB cable carries data (not only power) and install the USB driver for your board's serial chip (CP210x or CH34x). A board without firmware plugged in by its own USB connector may show no port until it is in its loader (an ESP32-S2, or an ESP32-S3 set to USB-OTG): hold BOOT, press and release RESET, release BOOT, then connect.",
      { action: "install-driver", cause: err },
    );
  }
  if (name === "SecurityError") {
    return new EnvironmentError(
      "insecure-context",
      "The browser blocked access to serial ports for this page (an https:// page, or a permissions policy on the embedding site, is required).",
      { action: "none", cause: err },
    );
  }
  return new EnvironmentError(
    "port-in-use",
    `The port could not be opened (${err instanceof Error ? err.message : String(err)}). Close other programs that use it (serial monitors, Arduino IDE) and try again.`,
    { action: "close-other-app", cause: err },
  );
}

const BRIDGES: Record<number, string> = {
  0x10c4: "Silicon Labs CP210x",
  0x1a86: "WCH CH34x / CH9102",
  0x0403: "FTDI",
  0x303a: "Espressif USB",
};

/** A name for a port the user can recognise (Web Serial exposes only USB ids). */
export function describePort(info: { usbVendorId?: number; usbProductId?: number }): string {
  if (info.usbVendorId === undefined) return "Serial port";
  const bridge = BRIDGES[info.usbVendorId] ?? "USB serial";
  const hex = (n: number | undefined) => (n ?? 0).toString(16).padStart(4, "0");
  return `${bridge} (${hex(info.usbVendorId)}:${hex(info.usbProductId)})`;
}
