/**
 * Boards whose reset lines do not reach the chip (no DTR/RTS transistors, a hub or cable that
 * loses them, an app that sleeps or takes the USB): the reset sequences get no answer. The user
 * then puts the chip into its loader by hand, and the portal keeps asking the ROM for a sync until
 * it answers, so there is no "try again" to find.
 */
import type { ChipFamily } from "../image/chips";
import { FlashError } from "./errors";

/** Which buttons the board kind carries, as its silkscreen names them, for the guidance picture. */
export interface ManualBootGuidance {
  /** "enter-loader": BOOT held, RESET tapped; "start-app": after the install, RESET alone starts it. */
  stage?: "enter-loader" | "start-app";
  /** Why the loader is needed by hand: the reset got no answer (default), or no port is there at all. */
  reason?: "no-answer" | "no-port";
  chip: ChipFamily | null;
  /** The reset button's label: "EN" on ESP32 DevKitC boards, "RST" on the later DevKits. */
  resetLabel: "EN" | "RST";
  /** Where the cable is: decides which connector the picture shows the cable in. */
  connector: "uart" | "native" | "unknown";
  steps: readonly string[];
}

export function manualBootGuidance(
  chip: ChipFamily | null,
  connector: ManualBootGuidance["connector"],
): ManualBootGuidance {
  // ESP32-DevKitC labels its reset key "EN"; ESP32-S3/C3/C6-DevKitC-1 and the P4 function board "RST"
  // (Espressif's DevKit user guides, "Description of Components").
  // The ESP32 has no USB of its own: a cable in a board's native USB connector means a later chip.
  const resetLabel = chip === "ESP32" || (chip === null && connector !== "native") ? "EN" : "RST";
  return {
    chip,
    resetLabel,
    connector,
    steps: [
      "Press and hold the BOOT button (on some boards IO0 or B).",
      `While holding BOOT, press and release the ${resetLabel} button.`,
      "Release BOOT. The portal notices the board by itself.",
    ],
  };
}

/** After an install on a board whose reset lines do not reach the chip: one press of RESET starts the app. */
export function startAppGuidance(
  chip: ChipFamily | null,
  connector: ManualBootGuidance["connector"],
): ManualBootGuidance {
  const entry = manualBootGuidance(chip, connector);
  return {
    ...entry,
    stage: "start-app",
    steps: [`Press and release the ${entry.resetLabel} button once to start the new firmware (BOOT not held).`],
  };
}

export interface ManualBootOptions {
  signal?: AbortSignal;
  /** The automatic reset got no answer: show the guidance now. */
  onGuidance?: () => void;
  /** Pause between sync polls while waiting for the user; default 250 ms. */
  pollIntervalMs?: number;
  /** Give up waiting after this long; default 3 minutes. */
  timeoutMs?: number;
}

/**
 * Run `attempt("auto")` (the usual reset sequences); when the board does not answer, call
 * `onGuidance` and keep running `attempt("manual")` (sync only) until it succeeds. Other failures
 * (a busy port, an unplugged board, a cancel) end it at once.
 */
export async function connectWithManualBoot<T>(
  attempt: (mode: "auto" | "manual") => Promise<T>,
  options: ManualBootOptions = {},
): Promise<{ result: T; manual: boolean }> {
  try {
    return { result: await attempt("auto"), manual: false };
  } catch (err) {
    if (!(err instanceof FlashError) || err.code !== "no-response") throw err;
  }
  options.onGuidance?.();
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const pause = options.pollIntervalMs ?? 250;
  for (;;) {
    if (options.signal?.aborted) throw FlashError.cancelled();
    try {
      return { result: await attempt("manual"), manual: true };
    } catch (err) {
      if (!(err instanceof FlashError) || err.code !== "no-response") throw err;
      if (Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
