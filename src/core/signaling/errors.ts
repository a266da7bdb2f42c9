import { PortalError, type RecoveryAction } from "../errors";

export type SignalingErrorCode =
  | "bad-message"
  | "device-refused"
  | "unreachable"
  | "local-network-denied"
  | "certificate-mismatch"
  | "timeout"
  | "cancelled";

const ACTIONS: Record<SignalingErrorCode, RecoveryAction> = {
  "bad-message": "retry",
  "device-refused": "retry",
  unreachable: "check-wifi",
  "local-network-denied": "none",
  "certificate-mismatch": "none",
  timeout: "retry",
  cancelled: "none",
};

/** A signaling exchange with the board failed; `code` says which way. */
export class SignalingError extends PortalError {
  declare readonly code: SignalingErrorCode;

  constructor(code: SignalingErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { action: ACTIONS[code], cause: options.cause });
  }
}
