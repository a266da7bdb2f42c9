import { PortalError } from "../errors";

export type VerifyErrorCode = "bad-certificate" | "channel-closed" | "no-reply" | "device-error" | "cancelled";

/** Input the job cannot start with, or a DataChannel call that did not complete. */
export class VerifyError extends PortalError {
  declare readonly code: VerifyErrorCode;

  constructor(code: VerifyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, {
      action: code === "bad-certificate" ? "fix-input" : code === "cancelled" ? "none" : "retry",
      cause: options.cause,
    });
  }
}
