/**
 * Getting a port: the browser's picker for real boards. Feature-detected, never sniffed: Web Serial
 * where `navigator.serial` exists; else, where `navigator.usb` exists, Google's web-serial-polyfill
 * (loaded only then), which reaches USB CDC-ACM boards: the chip's own USB-Serial-JTAG and TinyUSB
 * CDC, not USB-UART bridge chips (anchors.md, "Web Serial availability"). Browser-only at call time,
 * but free of DOM so it loads anywhere.
 */
import type { SerialPortLike } from "../port/serial-port";
import { EnvironmentError, WEBUSB_BRIDGES, describePort, explainRequestPortFailure, serialRoute } from "./environment";
import type { PortChoice } from "./portal-session";

export interface SerialLike {
  requestPort(options?: unknown): Promise<SerialPortLike>;
}

type BrowserNavigator = { serial?: SerialLike; usb?: unknown } | undefined;

/** Web Serial, or the WebUSB polyfill's `serial` (imported only on that path), or undefined. */
export async function browserSerial(
  nav: BrowserNavigator = (globalThis as { navigator?: BrowserNavigator }).navigator,
): Promise<{ serial: SerialLike; viaWebUsb: boolean } | undefined> {
  const route = serialRoute({ hasWebSerial: nav?.serial !== undefined, hasWebUsb: nav?.usb !== undefined });
  if (route === "web-serial" && nav?.serial) return { serial: nav.serial, viaWebUsb: false };
  if (route === "webusb-polyfill") {
    const polyfill = await import("web-serial-polyfill");
    return { serial: polyfill.serial as unknown as SerialLike, viaWebUsb: true };
  }
  return undefined;
}

/** Ask the user for a port; a cancelled picker becomes "no-port-picked" with its explanation. */
export async function pickSerialPort(serial?: SerialLike): Promise<PortChoice> {
  const found = serial ? { serial, viaWebUsb: false } : await browserSerial();
  if (!found)
    throw explainRequestPortFailure(Object.assign(new Error("Web Serial is not available"), { name: "SecurityError" }));
  let port: SerialPortLike;
  try {
    // Without filters the polyfill lists every USB CDC-ACM device (interface class 2).
    port = await found.serial.requestPort();
  } catch (err) {
    if (found.viaWebUsb && err instanceof Error && err.name === "NotFoundError") {
      throw new EnvironmentError(
        "no-port-picked",
        `No board was picked. This browser reaches boards through WebUSB, which lists only USB serial (CDC-ACM) devices: boards plugged in through the chip's own USB (ESP32-S3, C3, C6 or P4 native USB, or TinyUSB CDC). ${WEBUSB_BRIDGES}`,
        { action: "pick-another-port", cause: err },
      );
    }
    // The chooser lists every device with a CDC communications interface (class 2); one without
    // the CDC data interface (class 10) is refused by web-serial-polyfill's SerialPort with a
    // TypeError naming the class: it is no serial port, not one in use.
    if (found.viaWebUsb && err instanceof TypeError && /unable to find interface with class/i.test(err.message)) {
      throw new EnvironmentError(
        "not-usb-serial",
        `The device picked is not a USB serial (CDC-ACM) device, so this browser cannot talk to it through WebUSB (${err.message}). Pick the board itself. ${WEBUSB_BRIDGES}`,
        { action: "pick-another-port", cause: err },
      );
    }
    throw explainRequestPortFailure(err);
  }
  return { port, label: describePort(port.getInfo()), virtual: false };
}
