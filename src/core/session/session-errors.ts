import { PortalError, type RecoveryAction } from "../errors";

export type SessionErrorCode =
  | "step-not-ready"
  | "board-unplugged"
  | "other-board"
  | "certificate-changed"
  | "cancelled"
  | "unexpected"
  | "console-closed"
  | "console-locked"
  | "console-unlock-failed"
  | "no-certificate";

/** Failures of the sequencing itself (the jobs report their own errors as-is). */
export class SessionError extends PortalError {
  declare readonly code: SessionErrorCode;
  constructor(code: SessionErrorCode, message: string, options: { action?: RecoveryAction; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** Anything a job throws that is not a PortalError still reaches the user as a sentence. */
export function asPortalError(err: unknown): PortalError {
  if (err instanceof PortalError) return err;
  if (err instanceof Error && err.name === "AbortError") {
    return new SessionError("cancelled", "Stopped. Nothing more was sent to the board; start the step again when ready.", {
      action: "retry",
      cause: err,
    });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new SessionError("unexpected", `Something went wrong that the portal did not expect (${detail}). Try the step again; if it repeats, download the log and report it.`, {
    action: "retry",
    cause: err,
  });
}
