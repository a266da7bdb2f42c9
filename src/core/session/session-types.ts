/**
 * The state a portal session exposes to whatever renders it (the Lit steps, the embed dialog,
 * tests). Plain data only: no DOM, no ports, and never a secret (the Wi-Fi password lives in the
 * session's memory and reaches the board only through the provisioning job).
 */
import type { PortFollowState } from "./port-follow";
import type { ManualBootGuidance } from "../flash/manual-boot";
import type { ConsoleConnector } from "../manifest/types";
import type { PortalError } from "../errors";
import type { FirmwareOrigin, LocalFirmwareAnalysis } from "../firmware-sources/types";
import type { SecurityState } from "../flash/security-state";
import type { LocalNetworkPermission } from "../signaling/local-network-access";
import type { CertificateTrustStep } from "../signaling/transport";
import type { ImprovPolicy, ProvisioningChoice } from "./provisioning-choice";
import type { WifiNetwork } from "../wifi/wifi-networks";

export type StepId = "connect" | "firmware" | "flash" | "provision" | "verify";
export const STEP_ORDER: readonly StepId[] = ["connect", "firmware", "flash", "provision", "verify"];

export type StepStatus = "idle" | "running" | "done" | "error";

/** What the board said about itself when the portal connected. */
export interface BoardSummary {
  chip: string;
  description: string;
  mac: string;
  flashSize: number | null;
  usbSerialJtag: boolean;
  /** The app image already on flash, when one could be read (null: blank or unreadable). */
  firmware: InstalledFirmware | null;
  /** Flash encryption / secure boot as read at connect; absent where it was not read. */
  security?: SecurityState;
}

export interface InstalledFirmware {
  name: string;
  version: string;
}

/** One installable firmware (one version of it) as a manifest offers it. */
export interface FirmwareOffer {
  manifestUrl: string;
  name: string;
  version: string;
  channel: "stable" | "beta";
  releaseNotes: string | null;
  chipFamilies: string[];
  /** Manifest's `new_install_prompt_erase`: let the user decide whether a new install erases. */
  promptErase: boolean;
  /** Manifest's deprecated `new_install_skip_erase`. */
  skipErase: boolean;
  /** Manifest's `virtual_board_only`: the demo image, which boots only on the in-page virtual board. */
  virtualBoardOnly?: boolean;
  /** Where the firmware came from (release, index, files, URL). */
  origin?: FirmwareOrigin;
  /** Whether and how long to look for Improv Wi-Fi Serial after installing it. */
  improv?: ImprovPolicy;
  /** Per chip family: where the build's console answers (manifest `console`), when the build says. */
  consoleByChip?: Partial<Record<string, ConsoleConnector[]>>;
}

/**
 * Where firmware can come from, as the Firmware step lists them:
 * - `manifest-url`: a manifest configured by the page (the demo, `?manifest=`, the embed's attribute);
 * - `typed-url`: a manifest URL the user typed into the page;
 * - `pydirect-releases`: pyDirect's published releases (GitHub releases API + a CORS mirror);
 * - `portal-releases`: this portal's own releases (`firmware/index.json`), listed when present;
 * - `local-files`: files picked or dropped (a manifest with its parts, a merged .bin, several .bin).
 */
export type FirmwareSourceKind = "manifest-url" | "typed-url" | "pydirect-releases" | "portal-releases" | "local-files";

export interface FirmwareSource {
  /** Stable key (remembered per browser, used by intents). */
  id: string;
  kind: FirmwareSourceKind;
  label: string;
  /** manifest-url / typed-url. */
  manifestUrl?: string;
  /** portal-releases: the index.json address. */
  indexUrl?: string;
  /** pydirect-releases: owner/name, API base and CORS mirror (defaults: the core's). */
  repo?: string;
  apiBase?: string;
  mirrorBase?: string;
  /** The page knows this manifest is the virtual board's demo: never offered for a real port. */
  virtualBoardOnly?: boolean;
}

/** How a page lists a source: `kind` defaults to "manifest-url", `id` to the manifest URL or the kind. */
export type FirmwareSourceInput = Omit<FirmwareSource, "id" | "kind"> & Partial<Pick<FirmwareSource, "id" | "kind">>;

/** One product (board) of a listed release. */
export interface ReleaseProductView {
  product: string;
  chipFamily: string;
  flashSize: number | null;
  /** Matches the connected board's chip (and flash size, when both are known). */
  fits: boolean;
}

/** One version a release source lists. */
export interface ReleaseVersionView {
  version: string;
  channel: "stable" | "beta";
  publishedAt: string | null;
  products: ReleaseProductView[];
  /** Portal releases: chip families the version has builds for. */
  chips: string[];
}

/** The versions (and products) a release source offers, and which are picked. */
export interface ReleaseListing {
  sourceId: string;
  versions: ReleaseVersionView[];
  version: string | null;
  product: string | null;
}

/** Files picked or dropped: what the core made of them, and the offsets in use (editable). */
export interface LocalFilesView {
  names: string[];
  analysis: LocalFirmwareAnalysis;
  /** File name -> offset in use (the proposal unless the user edited it). */
  offsets: Record<string, number>;
}

export interface PartProgress {
  name: string;
  written: number;
  total: number;
  status: "pending" | "comparing" | "writing" | "written" | "verifying" | "done" | "skipped";
}

export interface EraseDecision {
  erase: boolean;
  /** Why the portal chose this: shown beside the checkbox. */
  reason:
    | "already-installed"
    | "update-same-firmware"
    | "downgrade-same-firmware"
    | "new-install"
    | "new-install-ask"
    | "manifest-skips-erase"
    | "user-choice";
  /** The user may change it; false only while a job runs. */
  overridable: boolean;
}

/** Wi-Fi choice as the UI may see it: the password itself is never part of state. */
export interface WifiSummary {
  ssid: string;
  hasPassword: boolean;
}

export interface ProvisionSummary {
  /** machine.unique_id() as hex: the registry's key. */
  deviceId: string;
  hostname: string;
  deviceName: string;
  certFingerprint: string;
  /** The board's certificate (public; verification checks the board holds its key). */
  certificatePem: string;
  /**
   * The board's fresh WebREPL password, for the user's eyes only: it stringifies to a placeholder
   * (a SecretText), so state dumps and logs never carry it; the UI reveals it once on request.
   */
  webreplPassword: { reveal(): string } | null;
  /** Where the board is reachable for verification (IP or hostname), when the board reported it. */
  address: string | null;
  /**
   * Which device scripts the board runs, when known: verification signals over the serial link
   * when they have the serial helper, else over HTTPS to the board (pyDirect upstream's image).
   */
  deviceScripts?: DeviceScripts | null;
}

export interface DeviceScripts {
  kind: "pydirect" | "pydirect-upstream";
  serialSignaling: boolean;
}

export interface VerifySummary {
  ok: boolean;
  /** Round-trip time over the DataChannel, ms. */
  roundTripMs: number | null;
  detail: string;
}

/** One line typed into the live console and what the board answered. */
export interface ConsoleEntry {
  input: string;
  output: string;
  /** Python's exception text, or why the line could not run; null when it ran. */
  error: string | null;
}

/** After a pass: where the board lives, how to reach it again, and the live console on its channel. */
export interface HandoffState {
  deviceId: string;
  hostname: string;
  /** The board's own HTTPS address. */
  deviceUrl: string;
  /** How the open channel was signaled. */
  transport: "serial" | "https";
  /** "connect again" goes over serial here (the in-page virtual board), and this says why; else null. */
  serialReason: string | null;
  /** The one-time certificate trust step for HTTPS signaling from a browser; null over serial. */
  trust: CertificateTrustStep | null;
  /**
   * Chrome's Local Network Access for the board's URL: "prompt" (the UI explains before Chrome
   * asks), "denied" (the UI says how to allow it), "granted", or "unsupported" (no such permission
   * in this browser, a public address, or no HTTPS route). Absent: not checked.
   */
  localNetwork?: LocalNetworkPermission;
  console: "open" | "locked" | "closed";
  /** A line (or the unlock) is on its way to the board. */
  busy: boolean;
  entries: ConsoleEntry[];
  /** Why the last unlock failed, or the channel closed. */
  error: PortalError | null;
}

/** The serial console (the terminal under the steps). */
export interface TerminalState {
  /**
   * closed: nobody reads the port. opening/open: the board's output streams into the log and keys
   * go to the board. paused: a step has the port; the console takes it back when the step ends.
   */
  status: "closed" | "opening" | "open" | "paused";
  /** The board runs MicroPython (pyDirect): pasted blocks go through its paste mode. */
  repl: boolean;
  /** Why the console could not open, or stopped. */
  error: PortalError | null;
}

/**
 * Wi-Fi set-up on the Provision step: which way the board offers it (pyDirect, Improv, neither),
 * the networks it sees, and Improv's outcome. Never a password.
 */
export interface WifiSetupState {
  /** null until the portal has looked (after an install, or on reaching the Provision step). */
  choice: ProvisioningChoice | null;
  /** What runs now. */
  status: "idle" | "detecting" | "scanning" | "connecting";
  /** A sentence on what runs ("Looking for Improv Wi-Fi (up to 10 s)"). */
  phase: string;
  /** The board's last scan, one row per SSID, strongest first; null: not scanned yet. */
  networks: WifiNetwork[] | null;
  /** Why the last scan failed. */
  scanError: PortalError | null;
  /** Improv: the network joined and the URL the device returned ("visit device"). */
  improvResult: { ssid: string; url: string | null } | null;
  /** Why looking, or the last Improv join, failed (wrong password, network not found, timeout). */
  error: PortalError | null;
}

/** "Change Wi-Fi" from the device list: a provisioned board gets new Wi-Fi without flashing. */
export interface WifiChangeState {
  deviceId: string;
  hostname: string;
  status: "idle" | "scanning" | "connecting" | "done" | "error";
  networks: WifiNetwork[] | null;
  /** Joined: the network and the address the board got. */
  result: { ssid: string; ip: string } | null;
  error: PortalError | null;
}

export interface StepState<R> {
  status: StepStatus;
  /** Latest human-readable phase ("writing bootloader", "waiting for Wi-Fi"). */
  phase: string;
  error: PortalError | null;
  result: R | null;
}

export interface SessionState {
  /** The step the user is on (the first not yet done, or the one that failed). */
  step: StepId;
  port: { label: string; virtual: boolean } | null;
  /**
   * Issue 18: the board is being followed to another port (re-enumerated, or its console is on the
   * other connector): a sentence while waiting, a click to ask for when the port is not granted.
   */
  portFollow?: PortFollowState | null;
  /** The reset lines got no answer: how to enter the bootloader by hand (shown until the ROM answers). */
  manualBoot?: ManualBootGuidance | null;
  /** Before installing: where the build's console will be, when that is not this port. */
  consolePlan?: { kind: "re-enumerates" | "other-connector"; sentence: string } | null;
  connect: StepState<BoardSummary>;
  firmware: StepState<FirmwareOffer> & {
    /** The sources offered for the connected port (the demo only for the virtual board). */
    sources: FirmwareSource[];
    /** Id of the source picked. */
    selected: string | null;
    /** Every version the loaded manifest offers; `result` is the one chosen. */
    choices: FirmwareOffer[];
    /** Versions and products of the picked release source; null for other sources. */
    releases: ReleaseListing | null;
    /** Pre-releases (beta channel) are listed too. */
    includeBeta: boolean;
    /** Files given for the local-files source; null until some are. */
    local: LocalFilesView | null;
  };
  erase: EraseDecision | null;
  flash: StepState<{ parts: number; bytesWritten: number; bytesSkipped: number }> & { parts: PartProgress[] };
  provision: StepState<ProvisionSummary> & { wifi: WifiSummary | null };
  verify: StepState<VerifySummary> & {
    /**
     * Verification will signal over HTTPS from a page that cannot pin the board's certificate (a
     * board without the serial helper, in a browser): the user opens this URL and trusts the
     * certificate first, then `confirmTrust()` starts the check. null: nothing to confirm.
     */
    trust: CertificateTrustStep | null;
  };
  /** Boards finished in this session (production-line count). */
  boardsDone: number;
  /** Set once a board has verified: "next board" keeps firmware and Wi-Fi. */
  productionLine: boolean;
  /** The verified board's URL and live console; null until a pass, and again once the user moves on. */
  handoff: HandoffState | null;
  /** The serial console on the board's port. */
  terminal: TerminalState;
  /** Wi-Fi set-up after the install (the Provision step). */
  wifiSetup: WifiSetupState;
  /** Change Wi-Fi from the device list; null when not open. */
  wifiChange: WifiChangeState | null;
}
