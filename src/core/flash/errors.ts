import { PortalError, type RecoveryAction } from "../errors";
import { PORT_BUSY_SENTENCE } from "../port/port-errors";

export type FlashErrorCode =
  | "port-busy"
  | "no-response"
  | "wrong-chip"
  | "invalid-parts"
  | "write-failed"
  | "verify-mismatch"
  | "disconnected"
  | "cancelled"
  /** Refused before writing: flash encryption / secure boot would leave the board unbootable (security-state.ts). */
  | "flash-encrypted"
  | "secure-boot"
  | "secure-download-mode";

const ACTIONS: Record<FlashErrorCode, RecoveryAction> = {
  "port-busy": "close-other-app",
  "no-response": "hold-boot",
  "wrong-chip": "choose-another-firmware",
  "invalid-parts": "choose-another-firmware",
  "write-failed": "retry",
  "verify-mismatch": "retry",
  disconnected: "retry",
  cancelled: "none",
  "flash-encrypted": "none",
  "secure-boot": "none",
  "secure-download-mode": "none",
};

/** A flash job failure: `code` is stable, `message` tells the user what to do about it. */
export class FlashError extends PortalError {
  declare readonly code: FlashErrorCode;

  constructor(code: FlashErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { action: ACTIONS[code], cause: options.cause });
  }

  static portBusy(cause?: unknown): FlashError {
    return new FlashError("port-busy", PORT_BUSY_SENTENCE, { cause });
  }

  static noResponse(cause?: unknown): FlashError {
    return new FlashError(
      "no-response",
      "The board did not answer. Hold the BOOT button, press and release RESET, let go of BOOT, then try again.",
      { cause },
    );
  }

  static wrongChip(boardChip: string, firmwareChips: readonly string[]): FlashError {
    return new FlashError(
      "wrong-chip",
      `This firmware is built for ${firmwareChips.join(" or ")}, but the connected board is an ${boardChip}. Choose the ${boardChip} build of the firmware.`,
    );
  }

  static invalidParts(detail: string): FlashError {
    return new FlashError(
      "invalid-parts",
      `This firmware cannot be written to the board: ${detail}. Choose another firmware build.`,
    );
  }

  static writeFailed(part: string, offset: number, cause?: unknown): FlashError {
    return new FlashError(
      "write-failed",
      `Writing ${part} at 0x${offset.toString(16)} failed. Use a short USB data cable plugged straight into the computer (no hub) and try again.`,
      { cause },
    );
  }

  static verifyMismatch(part: string, offset: number): FlashError {
    return new FlashError(
      "verify-mismatch",
      `After writing, ${part} at 0x${offset.toString(16)} does not read back as the firmware. Flash again; if it keeps failing, try another cable or a lower baud rate.`,
    );
  }

  static disconnected(cause?: unknown): FlashError {
    return new FlashError(
      "disconnected",
      "The board was disconnected. Plug it back in and install again: what was already written and checks out on the board is kept, and only the rest is written.",
      { cause },
    );
  }

  static secureDownloadMode(): FlashError {
    return new FlashError(
      "secure-download-mode",
      "This board's chip is in Secure Download Mode (set in its eFuses): its ROM answers only a few commands, so a web flasher can neither identify nor install it. Flash it from a computer with esptool (it writes without the stub in this mode), or update it over the air.",
    );
  }

  static cancelled(): FlashError {
    return new FlashError(
      "cancelled",
      "Flashing was cancelled. The board may hold an incomplete firmware until it is flashed again.",
    );
  }
}

export function isFlashError(err: unknown, code?: FlashErrorCode): err is FlashError {
  return err instanceof FlashError && (code === undefined || err.code === code);
}
