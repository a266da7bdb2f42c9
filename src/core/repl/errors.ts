import { PortalError } from "../errors";

export type ReplErrorCode =
  | "port-busy"
  | "no-repl"
  | "timeout"
  | "disconnected"
  | "protocol"
  | "device-exception"
  | "file-mismatch"
  | "cancelled";

export class ReplError extends PortalError {
  declare readonly code: ReplErrorCode;
  /** For "device-exception": the traceback the board printed on stderr. */
  readonly deviceTraceback?: string;

  constructor(code: ReplErrorCode, message: string, options: { cause?: unknown; deviceTraceback?: string } = {}) {
    super(code, message, {
      cause: options.cause,
      action: code === "port-busy" ? "close-other-app" : code === "cancelled" ? "none" : "retry",
    });
    if (options.deviceTraceback !== undefined) this.deviceTraceback = options.deviceTraceback;
  }
}
