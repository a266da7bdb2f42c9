import { PortalError, type RecoveryAction } from "../errors";

export type WifiErrorCode =
  /** The scan answered with something that is not a scan. */
  | "scan-failed"
  /** The board saw the network, but refused the password (Improv error 3 for a network in its scan). */
  | "wifi-wrong-password"
  /** The board could not see the network (Improv error 3 for a network absent from its scan). */
  | "wifi-network-not-found"
  /** Improv error 3 without a scan to tell which of the two it was. */
  | "wifi-unable-to-connect"
  /** No verdict from the board in time. */
  | "wifi-timeout"
  /** The connected board is not the one the user chose in the device list. */
  | "other-board"
  /** A step needs something the session does not have yet (a port, a detected board). */
  | "not-ready";

const ACTIONS: Partial<Record<WifiErrorCode, RecoveryAction>> = {
  "wifi-wrong-password": "check-wifi",
  "wifi-network-not-found": "check-wifi",
  "wifi-unable-to-connect": "check-wifi",
  "wifi-timeout": "check-wifi",
  "other-board": "pick-another-port",
  "not-ready": "none",
};

export class WifiError extends PortalError {
  declare readonly code: WifiErrorCode;

  constructor(code: WifiErrorCode, message: string, options: { cause?: unknown; action?: RecoveryAction } = {}) {
    super(code, message, { action: options.action ?? ACTIONS[code] ?? "retry", cause: options.cause });
  }
}
