/**
 * Every failure the portal reports is a `PortalError`: a stable `code` that tests and the UI
 * switch on, a sentence a user can act on (`message`), and the recovery the UI should offer.
 */
export type RecoveryAction =
  | "retry"
  | "hold-boot"
  | "install-driver"
  | "pick-another-port"
  | "close-other-app"
  | "choose-another-firmware"
  | "fix-input"
  | "check-wifi"
  /** The site lost its permission for the port: ask the browser for the same port again (one click). */
  | "allow-port-again"
  | "none";

export class PortalError extends Error {
  readonly code: string;
  readonly action: RecoveryAction;
  override readonly cause?: unknown;

  constructor(code: string, message: string, options: { action?: RecoveryAction; cause?: unknown } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.action = options.action ?? "retry";
    this.cause = options.cause;
  }
}

export function isPortalError(err: unknown, code?: string): err is PortalError {
  return err instanceof PortalError && (code === undefined || err.code === code);
}
