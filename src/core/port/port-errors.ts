/**
 * What a port that cannot be opened, or goes away, means for the user. Chrome reports a port held
 * by another program only as `NetworkError: Failed to open serial port.`; a device that left as
 * `NetworkError: The device has been lost.`; these say which programs usually hold a port and how
 * to free it.
 */
import { PortalError } from "../errors";

export type PortProblemCode = "port-busy" | "port-lost" | "permission-revoked" | "no-permission" | "port-open-failed";

export class PortError extends PortalError {
  declare readonly code: PortProblemCode;
}

/**
 * Programs that commonly keep a serial port open, and how each lets go. ModemManager probes new
 * USB serial ports on many Linux desktops for a few seconds after they appear (and keeps some).
 */
export const PORT_BUSY_SENTENCE =
  "The serial port is open in another program, so this page cannot use it. Close whatever holds it: another browser tab with a flasher or serial terminal (close the tab), the Arduino IDE's Serial Monitor (close its window), PlatformIO or `idf.py monitor` (Ctrl+] to quit), screen (Ctrl+A then K) or minicom (Ctrl+A then X), PuTTY; on Linux, ModemManager may grab new ports (`sudo systemctl stop ModemManager`). Then connect again.";

export const PORT_LOST_SENTENCE =
  "The board's port went away: the cable was unplugged or moved, or the board restarted as another USB device. Plug it back in (or leave it plugged in) and pick its port again; what was already written to the board is kept.";

export const PERMISSION_REVOKED_SENTENCE =
  "This page is no longer allowed to use the board's port (the permission was removed in the site settings, or the port was forgotten). Connect again and allow the port; what was already written to the board is kept.";

export const NO_PERMISSION_SENTENCE =
  'This page is not allowed to use serial ports here: it must be served over https://, and a site that embeds it must allow the "serial" feature. Open the portal in its own tab and connect from there.';

/** Any other refusal: the browser's own words, and what usually clears it. */
export function portOpenFailedSentence(detail: string): string {
  return `The serial port could not be opened (${detail}). Unplug the board, plug it back in and connect again; if it keeps failing, try another USB cable or port.`;
}

/**
 * Sort an `open()` failure (or a lost port) into its own sentence; other errors: null.
 *
 * - `NetworkError` "Failed to open serial port.": Chromium's SerialPort::open when the OS refuses
 *   the device (another program holds it).
 * - `NetworkError` "The device has been lost.", `NotFoundError`: the device left.
 * - `InvalidStateError` naming a forgotten port, `NotAllowedError`: the site's permission for this
 *   port was taken back (Web Serial spec, SerialPort `forget()`: the port object is forgotten and
 *   `open()` requires a port in the "closed" state).
 * - `SecurityError`: the page may not use the "serial" feature at all (Web Serial spec: `open()`
 *   and `requestPort()` reject with it when the permissions policy disallows "serial").
 */
export function explainPortFailure(err: unknown): PortError | null {
  if (err instanceof PortError) return err;
  const name = err instanceof Error ? err.name : "";
  const message = err instanceof Error ? err.message : String(err);
  if (name === "NetworkError" && /failed to open/i.test(message))
    return new PortError("port-busy", PORT_BUSY_SENTENCE, { action: "close-other-app", cause: err });
  if ((name === "NetworkError" && /lost|disconnect/i.test(message)) || name === "NotFoundError")
    return new PortError("port-lost", PORT_LOST_SENTENCE, { action: "pick-another-port", cause: err });
  if ((name === "InvalidStateError" && /forgotten/i.test(message)) || name === "NotAllowedError")
    return revokedError(err);
  if (name === "SecurityError")
    return new PortError("no-permission", NO_PERMISSION_SENTENCE, { action: "none", cause: err });
  return null;
}

/** The site's permission for the port was taken back: one click asks the browser for it again. */
export function revokedError(cause?: unknown): PortError {
  return new PortError("permission-revoked", PERMISSION_REVOKED_SENTENCE, { action: "allow-port-again", cause });
}

/** `explainPortFailure`, with the browser's own words for anything it does not recognise. */
export function explainOpenFailure(err: unknown): PortError {
  return (
    explainPortFailure(err) ??
    new PortError("port-open-failed", portOpenFailedSentence(err instanceof Error ? err.message : String(err)), {
      action: "retry",
      cause: err,
    })
  );
}
