/**
 * What the session needs from the cores, in the session's own terms. `default-jobs.ts` wires the
 * real cores (flash, install, provision, verify) into this shape; tests may wire the same cores
 * against the virtual board. Keeping the seam here lets the state machine stay ignorant of ports,
 * manifests and WebRTC.
 */
import type { ManualBootGuidance } from "../flash/manual-boot";
import type { FlashEvent } from "../flash/types";
import type {
  LoadedFirmware,
  LocalFile,
  LocalFirmwareAnalysis,
  PydirectProduct,
  PydirectRelease,
  PydirectReleaseOptions,
} from "../firmware-sources/types";
import type { ResolvedPortalReleaseIndex, ResolvedPortalReleaseVersion } from "../firmware-sources/portal-releases";
import type { SerialPortLike } from "../port/serial-port";
import type { DeviceRecord } from "../registry/device-record";
import type { CertificateTrustStep } from "../signaling/transport";
import type { LiveConsole } from "./live-console";
import type { ProvisioningChoice } from "./provisioning-choice";
import type { WifiNetwork } from "../wifi/wifi-networks";
import type { BoardSummary, FirmwareOffer, ProvisionSummary, VerifySummary } from "./session-types";

/**
 * Flash-job events the session renders: the flash core's events, where the session needs only the
 * state of "connected", "done" and "error" (their payloads reach it by other routes), plus the
 * install glue's download progress.
 */
type RenderedFlashEvent<E> = E extends { state: "connected" | "done" | "error" } ? { state: E["state"] } : E;
export type InstallEvent =
  { state: "downloading"; part: string; received: number; total: number | null } | RenderedFlashEvent<FlashEvent>;

/** Provisioning and verification report phases; the session shows them as text. */
export interface PhaseEvent {
  state: string;
  detail?: string;
}

export interface InstallRequest {
  offer: FirmwareOffer;
  board: BoardSummary;
  erase: boolean;
  /** The port is the in-page virtual board (the only place a `virtual_board_only` image may go). */
  virtualPort: boolean;
  signal: AbortSignal;
  /**
   * Part names in flash order, once known: lets the UI draw one bar per part before writing.
   * `sizes` (bytes, same order) lets a progress figure weigh the parts before each is written.
   */
  onParts?: (names: string[], sizes?: number[]) => void;
  /**
   * The app image being installed, from its app description (esp_app_desc_t): the project name
   * tells what the board will run (a MicroPython build says "micropython", whatever the manifest's
   * name), as the Connect step reads it from a board's flash.
   */
  onAppImage?: (app: { projectName: string; version: string }) => void;
  /** The reset lines got no answer: guidance to enter the loader by hand, or null once the ROM answered. */
  onManualBoot?: (guidance: ManualBootGuidance | null) => void;
}

export interface WifiCredentials {
  ssid: string;
  password: string;
}

export interface ProvisionRequest {
  wifi: WifiCredentials;
  deviceName: string;
  board: BoardSummary;
  firmware: FirmwareOffer | null;
  signal: AbortSignal;
  /** The WebREPL password the user chose; absent: provisioning makes a fresh one. */
  webreplPassword?: string;
  /** Where the board is when its port left during provisioning's restart (it re-enumerated). */
  nextPort?: (lost: SerialPortLike) => Promise<SerialPortLike | null>;
}

export interface VerifyRequest {
  board: BoardSummary;
  provisioned: ProvisionSummary;
  signal: AbortSignal;
}

/** A verification's summary, and the DataChannel left open after a pass (the live console). */
export interface VerifyJobResult extends VerifySummary {
  live?: LiveConsole | null;
  /** How signaling reached the board; "serial" when not said. */
  transport?: "serial" | "https";
}

export interface ConnectAgainRequest {
  /** The board's own HTTPS address (`deviceUrl`). */
  baseUrl: string;
  /** The record's certificate: the board must prove it holds its key. */
  certificatePem: string;
  signal: AbortSignal;
}

export interface PortalJobs {
  /** Open the port, identify chip and what is on flash, close the port again. */
  /** `onManualBoot`: the reset lines got no answer (guidance to show), or null once the ROM answered. */
  inspect(
    port: SerialPortLike,
    signal: AbortSignal,
    onManualBoot?: (guidance: ManualBootGuidance | null) => void,
  ): Promise<BoardSummary>;
  /**
   * Every firmware/version a firmware offers, first the default; throws when it offers none. A
   * string is a manifest URL to fetch; a LoadedFirmware (a release, local files) is taken as is.
   * Offers name the firmware by its `manifestUrl`, which `install` then installs.
   */
  loadFirmware(firmware: string | LoadedFirmware, signal: AbortSignal): Promise<FirmwareOffer[]>;
  /** Release lists, local-file analysis and typed URLs (the firmware-sources core); absent: only manifest URLs. */
  firmwareSources?: FirmwareSourceJobs;
  install(port: SerialPortLike, request: InstallRequest, onEvent: (e: InstallEvent) => void): Promise<void>;
  provision(
    port: SerialPortLike,
    request: ProvisionRequest,
    onEvent: (e: PhaseEvent) => void,
  ): Promise<ProvisionSummary>;
  verify(port: SerialPortLike, request: VerifyRequest, onEvent: (e: PhaseEvent) => void): Promise<VerifyJobResult>;
  /**
   * The one-time certificate trust step the user must take before `verify` can reach this board:
   * set when verification will go over HTTPS with a transport that cannot pin the board's
   * certificate (a browser's fetch); null over serial or a pinned transport (Node). Absent: never.
   */
  verifyTrust?(request: Omit<VerifyRequest, "signal">): CertificateTrustStep | null;
  /** Verify a board again over HTTPS signaling to its own endpoint, leaving the channel open. */
  connectAgain?(
    record: DeviceRecord,
    request: ConnectAgainRequest,
    onEvent: (e: PhaseEvent) => void,
  ): Promise<VerifyJobResult>;
  /** Who an already provisioned board says it is, with its certificate (for re-verification). */
  readProvisioned(port: SerialPortLike, signal: AbortSignal): Promise<ProvisionSummary>;
  /** Scan, Improv and change Wi-Fi; absent: the Provision step is pyDirect's form alone. */
  wifi?: WifiJobs;
}

/** The firmware-sources core as the session calls it (fetch and lazy loading wired in). */
export interface FirmwareSourceJobs {
  listPydirectReleases(options: PydirectReleaseOptions, signal: AbortSignal): Promise<PydirectRelease[]>;
  pydirectReleaseFirmware(
    release: PydirectRelease,
    product: PydirectProduct,
    options: PydirectReleaseOptions,
    signal: AbortSignal,
  ): Promise<LoadedFirmware>;
  /** null when the portal has no index (404). */
  loadPortalReleaseIndex(indexUrl: string, signal: AbortSignal): Promise<ResolvedPortalReleaseIndex | null>;
  portalReleaseFirmware(
    index: ResolvedPortalReleaseIndex,
    version: ResolvedPortalReleaseVersion,
    signal: AbortSignal,
  ): Promise<LoadedFirmware>;
  loadManifestUrl(url: string, signal: AbortSignal): Promise<LoadedFirmware>;
  analyzeLocalFiles(files: LocalFile[]): Promise<LocalFirmwareAnalysis>;
  localFirmware(
    files: LocalFile[],
    analysis: LocalFirmwareAnalysis,
    offsets: Record<string, number>,
  ): Promise<LoadedFirmware>;
}

/** Wi-Fi set-up jobs (scan, Improv, change Wi-Fi); `wifi-jobs.ts` wires the real cores. */
export interface WifiJobs {
  /** How the board offers Wi-Fi set-up: pyDirect, Improv, or neither. */
  detectProvisioning(port: SerialPortLike, request: DetectProvisioningJob): Promise<ProvisioningChoice>;
  /** Networks the board sees, over its raw REPL (pyDirect) or Improv RPC 4; one row per SSID, strongest first. */
  scanWifi(port: SerialPortLike, via: "pydirect" | "improv", signal: AbortSignal): Promise<WifiNetwork[]>;
  /** Improv RPC 1: join the network; rejects with the failure explained (wrong password, not found, timeout). */
  improvProvision(port: SerialPortLike, request: ImprovProvisionJob): Promise<{ url: string | null }>;
  /** Rewrite a provisioned pyDirect board's Wi-Fi (no flashing), after checking it is `deviceId`. */
  changeWifi(
    port: SerialPortLike,
    request: ChangeWifiJob,
    onEvent: (e: PhaseEvent) => void,
  ): Promise<{ ip: string; hostname: string }>;
}

export interface DetectProvisioningJob {
  appName: string | null;
  improvWaitMs: number | null;
  signal: AbortSignal;
  onProbe?: (probe: "improv" | "repl") => void;
}

export interface ImprovProvisionJob {
  wifi: WifiCredentials;
  /** The device's last scan, to tell a wrong password from a network it cannot see. */
  scanned: WifiNetwork[] | null;
  signal: AbortSignal;
}

export interface ChangeWifiJob {
  deviceId: string;
  hostname: string;
  wifi: WifiCredentials;
  signal: AbortSignal;
}
