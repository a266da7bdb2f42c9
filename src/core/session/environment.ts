/**
 * Why the portal cannot talk to a board from this page, in words a user can act on. Each of the
 * three situations (no Web Serial, insecure context, no port picked) gets its own explanation.
 */
import { PortalError } from "../errors";

export type EnvironmentProblemCode = "no-web-serial" | "insecure-context";

export class EnvironmentError extends PortalError {
  declare readonly code: EnvironmentProblemCode | "no-port-picked" | "port-in-use";
}

export interface EnvironmentFacts {
  isSecureContext: boolean;
  hasWebSerial: boolean;
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
  if (!facts.hasWebSerial) {
    return new EnvironmentError(
      "no-web-serial",
      "This browser cannot talk to USB serial ports. Use Chrome, Edge or Opera on a computer (or Firefox 151 and later); Safari has no Web Serial. You can still try the virtual board here.",
      { action: "none" },
    );
  }
  return null;
}

export function environmentFacts(
  scope: { isSecureContext?: boolean; navigator?: { serial?: unknown } } = globalThis,
): EnvironmentFacts {
  return { isSecureContext: scope.isSecureContext === true, hasWebSerial: scope.navigator?.serial !== undefined };
}

/** What `navigator.serial.requestPort()` rejecting means for the user. */
export function explainRequestPortFailure(err: unknown): EnvironmentError {
  const name = err instanceof Error ? err.name : "";
  if (name === "NotFoundError") {
    return new EnvironmentError(
      "no-port-picked",
      "No port was picked. Click Connect again and choose your board; if it is not listed, check the USB cable carries data (not only power) and install the USB driver for your board's serial chip (CP210x or CH34x).",
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
  0x1a86: "WCH CH34x",
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
