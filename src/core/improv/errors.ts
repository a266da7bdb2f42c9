import { PortalError } from "../errors";

export type ImprovErrorCode = "timeout" | "unable-to-connect" | "rejected" | "disconnected";

export class ImprovError extends PortalError {
  declare readonly code: ImprovErrorCode;

  constructor(code: ImprovErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, {
      cause: options.cause,
      action: code === "unable-to-connect" ? "check-wifi" : "retry",
    });
  }
}
