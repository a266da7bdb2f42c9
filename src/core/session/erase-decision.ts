import type { BoardSummary, EraseDecision, FirmwareOffer } from "./session-types";
import { compareVersions } from "./version-compare";

/**
 * What installing `offer` on `board` means, and whether it erases flash first. The firmware
 * already on the board picks the default:
 * - the same project at the same version: "already installed" (no flash needed; the session goes
 *   straight on to provisioning, the user may still install again);
 * - the same project at an older version (or one that cannot be ordered): an update that keeps
 *   the board's settings and files, as ESP Web Tools' "update" does;
 * - the same project at a newer version: a downgrade, still without erasing (the user decides);
 * - anything else: a new install that erases, unless the manifest asks the user
 *   (`new_install_prompt_erase`, default keep) or opts out (`new_install_skip_erase`).
 * The user may always override.
 */
export function decideErase(board: BoardSummary | null, offer: FirmwareOffer): EraseDecision {
  const installed = board?.firmware;
  if (installed && sameFirmware(installed.name, offer.name)) {
    const order = compareVersions(installed.version, offer.version);
    if (order === 0) return { erase: false, reason: "already-installed", overridable: true };
    if (order !== null && order > 0) return { erase: false, reason: "downgrade-same-firmware", overridable: true };
    return { erase: false, reason: "update-same-firmware", overridable: true };
  }
  if (offer.promptErase) return { erase: false, reason: "new-install-ask", overridable: true };
  if (offer.skipErase) return { erase: false, reason: "manifest-skips-erase", overridable: true };
  return { erase: true, reason: "new-install", overridable: true };
}

/**
 * The board names its app by the image's project name ("pyDirect"); manifests use a display name
 * ("pyDirect demo firmware", "pyDirect ESP32_S3"). Same firmware when equal, or when the display
 * name is the project name followed by more words.
 */
export function sameFirmware(projectName: string, manifestName: string): boolean {
  const a = projectName.trim().toLowerCase();
  const b = manifestName.trim().toLowerCase();
  return a.length > 0 && (a === b || b.startsWith(`${a} `));
}
