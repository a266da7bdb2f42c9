/**
 * After an install (or on reaching the Provision step): how can this board get its Wi-Fi?
 * - `pydirect`: it runs pyDirect (its app description says MicroPython/pyDirect, or its raw REPL
 *   shows pyDirect's settings): the portal's own provisioning (identity, certificate, Wi-Fi).
 * - `improv`: it answers Improv Wi-Fi Serial (ESPHome, WLED, …), as ESP Web Tools looks for after
 *   an install: within the manifest's `new_install_improv_wait_time` (default 10 s), never when the
 *   build says `"improv": false` or the wait is 0.
 * - `none`: neither; the flow ends after the install with the console and a sentence.
 * The rules are pure functions; `detectProvisioning` runs the probes they ask for.
 */
import type { ImprovDeviceInfo } from "../improv/improv-serial";
import type { ImprovState } from "../improv/protocol";
import type { FirmwareManifest, ManifestBuild } from "../manifest/types";

/** ESP Web Tools' default for `new_install_improv_wait_time`. */
export const DEFAULT_IMPROV_WAIT_SECONDS = 10;

export interface ImprovDevice extends ImprovDeviceInfo {
  state: ImprovState;
  /** The URL a provisioned device reports. */
  url: string | null;
}

export type ProvisioningChoice =
  | { kind: "pydirect"; detail: string }
  | { kind: "improv"; device: ImprovDevice }
  | { kind: "none"; reason: "micropython" | "no-interface"; detail: string };

/** What a build and its manifest say about Improv, as offers carry it. */
export interface ImprovPolicy {
  /** Seconds to look for Improv after an install; 0: do not look. */
  waitSeconds: number;
  /** Chip families whose build says `"improv": false`. */
  disabledFor: string[];
}

export function improvPolicy(
  manifest: Pick<FirmwareManifest, "new_install_improv_wait_time">,
  builds: readonly ManifestBuild[],
): ImprovPolicy {
  return {
    waitSeconds: manifest.new_install_improv_wait_time ?? DEFAULT_IMPROV_WAIT_SECONDS,
    disabledFor: builds.filter((b) => b["improv"] === false).map((b) => b.chipFamily),
  };
}

/** How long to look for Improv on this chip, in ms; null: do not look. */
export function improvWaitMs(policy: ImprovPolicy | undefined, chip: string | null): number | null {
  const p = policy ?? { waitSeconds: DEFAULT_IMPROV_WAIT_SECONDS, disabledFor: [] };
  if (chip !== null && p.disabledFor.includes(chip)) return null;
  return p.waitSeconds > 0 ? Math.round(p.waitSeconds * 1000) : null;
}

/** The app description (project name) of a MicroPython build: pyDirect's, or MicroPython's own. */
export function looksLikeMicroPython(appName: string | null): boolean {
  const n = (appName ?? "").trim().toLowerCase();
  return n === "micropython" || n === "pydirect" || n.startsWith("pydirect ") || n.startsWith("micropython ");
}

export type Probe = "improv" | "repl";

/**
 * Which probes to run, in order. A MicroPython app never speaks Improv, so its REPL is asked
 * straight away; anything else is given the Improv wait first (as ESP Web Tools does), then one
 * short REPL probe for a MicroPython build whose description did not say so.
 */
export function planProbes(appName: string | null, waitMs: number | null): Probe[] {
  if (looksLikeMicroPython(appName)) return ["repl"];
  return waitMs === null ? ["repl"] : ["improv", "repl"];
}

export type ReplEvidence = "pydirect" | "micropython" | "no-repl";

export function decideProvisioning(evidence: {
  improv: ImprovDevice | null;
  repl: ReplEvidence | null;
}): ProvisioningChoice {
  if (evidence.improv) return { kind: "improv", device: evidence.improv };
  if (evidence.repl === "pydirect")
    return {
      kind: "pydirect",
      detail: "The board runs pyDirect: the portal gives it its identity, certificate and Wi-Fi.",
    };
  if (evidence.repl === "micropython") {
    return {
      kind: "none",
      reason: "micropython",
      detail:
        "The board runs MicroPython without pyDirect, and it does not speak Improv Wi-Fi. Use the console below (its REPL) to set up Wi-Fi, or install pyDirect to provision it here.",
    };
  }
  return {
    kind: "none",
    reason: "no-interface",
    detail:
      "The installed firmware offers no Wi-Fi set-up over USB (neither pyDirect nor Improv Wi-Fi). The install is complete: set up its Wi-Fi the way its documentation says (often its own access point or a configuration file). The console below shows what it prints.",
  };
}
