/**
 * What the steps show about the state, decided here rather than in the elements so it is tested
 * in Node: whether the chosen firmware can be installed (and why not), which steps are ticked,
 * how the production line names the firmware, and how the install is announced.
 */
import type { FirmwareOffer, SessionState, StepId, StepStatus } from "./session-types";
import { STEP_ORDER } from "./session-types";

export interface FirmwareReadiness {
  /** The install would accept this firmware for this board: "Continue to install" is enabled. */
  ready: boolean;
  /** Why the install would refuse it, in a sentence; null when ready or nothing is chosen yet. */
  problem: string | null;
}

/** Part kinds that boot something: an app image, or an image or manifest that contains one. */
const BOOTS = new Set(["app", "merged", "manifest"]);

export function firmwareReadiness(s: SessionState): FirmwareReadiness {
  const fw = s.firmware;
  const offer = fw.result;
  const board = s.connect.result;
  if (!offer || fw.status !== "done" || s.connect.status !== "done" || !board) return { ready: false, problem: null };
  const source = fw.sources.find((x) => x.id === fw.selected);
  if (source?.kind === "local-files" && fw.local) {
    const kinds = fw.local.analysis.parts.map((p) => p.kind);
    if (!kinds.some((k) => BOOTS.has(k))) {
      const what = kinds.includes("bootloader") ? "a bootloader" : "no image the board can boot";
      return {
        ready: false,
        problem: `These files hold ${what} but no app, so the board would have nothing to run: add the app image (or pick a merged image or a manifest with its parts).`,
      };
    }
  }
  if (!offer.chipFamilies.includes(board.chip)) {
    return {
      ready: false,
      problem: `This firmware has no build for ${board.chip} (it is for ${offer.chipFamilies.join(", ") || "no chip"}); the install would refuse it. Choose firmware made for ${board.chip}.`,
    };
  }
  if (offer.virtualBoardOnly && s.port && !s.port.virtual) {
    return {
      ready: false,
      problem:
        "This is the virtual board's demo image, which does not boot on a real board; choose a pyDirect release.",
    };
  }
  return { ready: true, problem: null };
}

/**
 * The mark a step gets in the step row. Firmware is ticked only once it is installable and the
 * user went on with it, not as soon as a default was loaded; the others follow their status.
 */
export function stepMark(s: SessionState, step: StepId): StepStatus {
  const status = s[step].status;
  if (step !== "firmware" || status !== "done") return status;
  const movedOn = STEP_ORDER.indexOf(s.step) > STEP_ORDER.indexOf("firmware") || s.flash.status !== "idle";
  return movedOn && firmwareReadiness(s).ready ? "done" : "idle";
}

/**
 * The firmware the production line will install, as its header says it: the version when one is
 * loaded, else the source's name (a release source installs its latest; a manifest what it holds).
 */
export function lineFirmwareLabel(s: SessionState): string {
  const offer = s.firmware.result;
  if (offer) return `${offer.name} ${offer.version}`;
  const picked = s.firmware.sources.find((src) => src.id === s.firmware.selected);
  if (!picked) return "";
  return picked.kind === "pydirect-releases" || picked.kind === "portal-releases"
    ? `the latest of ${picked.label}`
    : picked.label;
}

/** The log line that starts an install: what is written, and what happens to the board's data. */
export function installHeadline(offer: FirmwareOffer, erase: boolean, boardHasApp: boolean): string {
  const what = `Installing ${offer.name} ${offer.version}`;
  if (erase) return `${what} (erasing flash first)`;
  // A blank board (no app found on it) has no user data to keep: do not promise to keep any.
  return boardHasApp ? `${what} (keeping user data)` : `${what} (no app was found on the board)`;
}

/** What the Install step says the install does to the board's data, beside the firmware's name. */
export function eraseNote(erase: boolean, boardHasApp: boolean): string {
  if (erase) return "erases the board first";
  return boardHasApp ? "keeps user data" : "no app was found on the board, so there is no user data to keep";
}
