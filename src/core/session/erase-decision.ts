import type { BoardSummary, EraseDecision, FirmwareOffer } from "./session-types";

/**
 * Whether installing `offer` on `board` erases flash first, decided as ESP Web Tools does: the
 * same firmware already on the board is an update that keeps user data; anything else is a new
 * install that erases, unless the manifest asks the user (`new_install_prompt_erase`, default
 * keep) or opts out (`new_install_skip_erase`). The user may always override.
 */
export function decideErase(board: BoardSummary | null, offer: FirmwareOffer): EraseDecision {
  const installed = board?.firmware;
  if (installed && sameFirmware(installed.name, offer.name)) {
    return { erase: false, reason: "update-same-firmware", overridable: true };
  }
  if (offer.promptErase) return { erase: false, reason: "new-install-ask", overridable: true };
  if (offer.skipErase) return { erase: false, reason: "manifest-skips-erase", overridable: true };
  return { erase: true, reason: "new-install", overridable: true };
}

/**
 * The board names its app by the image's project name ("pyDirect"); manifests use a display name
 * ("pyDirect demo firmware"). Same firmware when equal, or when the display name is the project
 * name followed by more words.
 */
export function sameFirmware(projectName: string, manifestName: string): boolean {
  const a = projectName.trim().toLowerCase();
  const b = manifestName.trim().toLowerCase();
  return a.length > 0 && (a === b || b.startsWith(`${a} `));
}
