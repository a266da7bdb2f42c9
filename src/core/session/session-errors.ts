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
  | "no-certificate"
  | "virtual-board-only";

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
    return new SessionError(
      "cancelled",
      "Stopped. Nothing more was sent to the board; start the step again when ready.",
      {
        action: "retry",
        cause: err,
      },
    );
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new SessionError(
    "unexpected",
    `Something went wrong that the portal did not expect (${detail}). Try the step again; if it repeats, download the log and report it.`,
    {
      action: "retry",
      cause: err,
    },
  );
}

/**
 * The demo image on a real port: it is built for the in-page virtual board and boot-loops a real
 * chip. `instead` names the sources this page offers for real boards (none: the embed's single
 * manifest), so the sentence says what to choose.
 */
export function virtualBoardOnlyError(firmwareName: string, chip: string | null, instead: string[] = []): SessionError {
  const board = chip ? `a real ${chip}` : "a real board";
  const choose =
    instead.length > 0
      ? `Choose ${instead.join(" or ")} for this board instead`
      : "Install firmware made for your board instead (this page offers none), or pick the virtual board in the Connect step to try the demo";
  return new SessionError(
    "virtual-board-only",
    `${firmwareName} is the demo image for the in-page virtual board only: on ${board} it would not boot. ${choose}.`,
    { action: "choose-another-firmware" },
  );
}
