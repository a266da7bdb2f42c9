/**
 * The session's Wi-Fi set-up: after an install (or on reaching the Provision step) find how the
 * board takes Wi-Fi (pyDirect, Improv, neither), scan on the board for the picker, join through
 * Improv; and from the device list, change a provisioned board's Wi-Fi without flashing. Each job
 * runs "aside" (the port is the job's for its duration, the console pauses) and never touches
 * the steps' own state. Passwords pass through to the job and are masked in the log.
 */
import type { SerialPortLike } from "../port/serial-port";
import type { DeviceRegistry } from "../registry/device-record";
import { WifiError } from "../wifi/errors";
import type { PhaseEvent, PortalJobs, WifiCredentials } from "./jobs";
import { improvWaitMs, type ProvisioningChoice } from "./provisioning-choice";
import { asPortalError } from "./session-errors";
import type { SessionLog } from "./session-log";
import { initialWifiSetup } from "./session-state";
import type { SessionState, WifiChangeState, WifiSetupState } from "./session-types";

export interface WifiHost {
  readonly log: SessionLog;
  readonly jobs: PortalJobs;
  readonly registry: DeviceRegistry | undefined;
  port(): SerialPortLike | null;
  state(): SessionState;
  update(patch: Partial<SessionState>): void;
  /** Run a job with the port to itself (the console waits); throws when another job runs. */
  aside<R>(body: (signal: AbortSignal) => Promise<R>): Promise<R>;
  /** Keep a secret out of the log. */
  protect(secret: string): void;
}

/** Without Wi-Fi jobs (older pages, tests of other steps) every board is a pyDirect board. */
const PYDIRECT_ASSUMED: ProvisioningChoice = { kind: "pydirect", detail: "" };

export class WifiController {
  constructor(private readonly host: WifiHost) {}

  reset(): void {
    this.setup(initialWifiSetup());
  }

  /**
   * Find the board's way to Wi-Fi. `afterInstall`: the board was just flashed, so Improv gets the
   * manifest's wait (as ESP Web Tools waits); otherwise it gets a short look. A MicroPython image
   * (by the project name in its app description) is asked over its REPL only.
   */
  async detect(afterInstall: boolean, installedProject: string | null = null): Promise<ProvisioningChoice | null> {
    const jobs = this.host.jobs.wifi;
    const port = this.host.port();
    if (!jobs) {
      this.setup({ ...initialWifiSetup(), choice: PYDIRECT_ASSUMED });
      return PYDIRECT_ASSUMED;
    }
    if (!port) return null;
    const s = this.host.state();
    const offer = s.firmware.result;
    const chip = s.connect.result?.chip ?? null;
    // The manifest's wait right after an install (a fresh board is still booting); otherwise one
    // second, since an Improv device that is already running answers its first request at once.
    const wait = afterInstall
      ? improvWaitMs(offer?.improv, chip)
      : offer?.improv?.disabledFor.includes(chip ?? "")
        ? null
        : 1000;
    // What the board runs, by its app description: the installed image's (`installedProject`,
    // read from the image the install wrote) or the one read from its flash at connect; the
    // manifest's name only when an install's image carried none.
    const appName = (afterInstall ? (installedProject ?? offer?.name) : s.connect.result?.firmware?.name) ?? null;
    this.setup({ ...initialWifiSetup(), status: "detecting", phase: "Looking at what the board runs" });
    try {
      // Detection and the first scan in one job, so no step slips in between them.
      const { choice, networks, scanError } = await this.host.aside(async (signal) => {
        const found = await jobs.detectProvisioning(port, {
          appName,
          improvWaitMs: wait,
          signal,
          onProbe: (probe) =>
            this.patch({
              phase:
                probe === "improv"
                  ? `Looking for Improv Wi-Fi (up to ${Math.round((wait ?? 0) / 1000)} s)`
                  : "Asking the board's MicroPython REPL",
            }),
        });
        if (found.kind === "none") return { choice: found, networks: null, scanError: null };
        this.patch({ choice: found, status: "scanning", phase: "Scanning for networks" });
        try {
          return {
            choice: found,
            networks: await jobs.scanWifi(port, found.kind === "improv" ? "improv" : "pydirect", signal),
            scanError: null,
          };
        } catch (err) {
          return { choice: found, networks: null, scanError: asPortalError(err) };
        }
      });
      this.host.log.portal(
        choice.kind === "improv"
          ? `Improv Wi-Fi: ${choice.device.name} runs ${choice.device.firmware} ${choice.device.version} (${choice.device.state})`
          : choice.kind === "pydirect"
            ? "The board runs pyDirect: provisioning over its REPL."
            : `No Wi-Fi set-up over USB: ${choice.detail}`,
      );
      if (networks)
        this.host.log.portal(`Scan: ${networks.length} network${networks.length === 1 ? "" : "s"} in range`);
      if (scanError) this.host.log.portal(`Scan failed (${scanError.code}): ${scanError.message}`);
      this.patch({ choice, status: "idle", phase: "", networks, scanError });
      return choice;
    } catch (err) {
      const error = asPortalError(err);
      this.host.log.portal(`Could not tell how the board takes Wi-Fi (${error.code}): ${error.message}`);
      this.patch({ status: "idle", phase: "", error });
      return null;
    }
  }

  /** Scan on the board (pyDirect over the REPL, Improv RPC 4) for the picker. */
  async scan(): Promise<boolean> {
    const jobs = this.host.jobs.wifi;
    const port = this.host.port();
    const choice = this.host.state().wifiSetup.choice;
    if (!jobs || !port || !choice || choice.kind === "none") return false;
    this.patch({ status: "scanning", phase: "Scanning for networks", scanError: null });
    try {
      const networks = await this.host.aside((signal) =>
        jobs.scanWifi(port, choice.kind === "improv" ? "improv" : "pydirect", signal),
      );
      this.host.log.portal(`Scan: ${networks.length} network${networks.length === 1 ? "" : "s"} in range`);
      this.patch({ status: "idle", phase: "", networks });
      return true;
    } catch (err) {
      const scanError = asPortalError(err);
      this.host.log.portal(`Scan failed (${scanError.code}): ${scanError.message}`);
      this.patch({ status: "idle", phase: "", scanError });
      return false;
    }
  }

  /** Improv RPC 1: send the network; the outcome (URL, or the failure by its cause) lands in state. */
  async improvConnect(wifi: WifiCredentials): Promise<boolean> {
    const jobs = this.host.jobs.wifi;
    const port = this.host.port();
    const s = this.host.state().wifiSetup;
    if (!jobs || !port || s.choice?.kind !== "improv") return false;
    this.host.protect(wifi.password);
    this.patch({
      status: "connecting",
      phase: `Sending “${wifi.ssid}” to the board; it is joining`,
      error: null,
      improvResult: null,
    });
    this.host.log.portal(`Improv: joining ${wifi.ssid}`);
    try {
      const { url } = await this.host.aside((signal) =>
        jobs.improvProvision(port, { wifi, scanned: s.networks, signal }),
      );
      this.host.log.portal(`Improv: joined ${wifi.ssid}${url ? `; the device is at ${url}` : ""}`);
      this.patch({ status: "idle", phase: "", improvResult: { ssid: wifi.ssid, url } });
      return true;
    } catch (err) {
      const error = asPortalError(err);
      this.host.log.portal(`Improv: ${error.code}: ${error.message}`);
      this.patch({ status: "idle", phase: "", error });
      return false;
    }
  }

  // ---- change Wi-Fi from the device list -------------------------------------------------------

  async openChange(deviceId: string): Promise<boolean> {
    const record = await this.host.registry?.get(deviceId).catch(() => undefined);
    const hostname = record?.hostname ?? deviceId;
    this.change({ deviceId, hostname, status: "idle", networks: null, result: null, error: null });
    if (this.host.port()) return this.changeScan();
    return true;
  }

  closeChange(): void {
    this.host.update({ wifiChange: null });
  }

  async changeScan(): Promise<boolean> {
    const c = this.host.state().wifiChange;
    const jobs = this.host.jobs.wifi;
    const port = this.host.port();
    if (!c) return false;
    if (!jobs || !port) return this.changeFailed(notConnected(c.hostname));
    this.patchChange({ status: "scanning", error: null });
    try {
      const networks = await this.host.aside((signal) => jobs.scanWifi(port, "pydirect", signal));
      this.patchChange({ status: "idle", networks });
      return true;
    } catch (err) {
      return this.changeFailed(asPortalError(err));
    }
  }

  async changeApply(wifi: WifiCredentials): Promise<boolean> {
    const c = this.host.state().wifiChange;
    const jobs = this.host.jobs.wifi;
    const port = this.host.port();
    if (!c) return false;
    if (!jobs || !port) return this.changeFailed(notConnected(c.hostname));
    this.host.protect(wifi.password);
    this.patchChange({ status: "connecting", error: null, result: null });
    this.host.log.portal(`Changing ${c.hostname}'s Wi-Fi to ${wifi.ssid}`);
    try {
      const onEvent = (e: PhaseEvent) =>
        this.host.log.portal(`Change Wi-Fi: ${e.state}${e.detail ? ` ${e.detail}` : ""}`);
      const joined = await this.host.aside((signal) =>
        jobs.changeWifi(port, { deviceId: c.deviceId, hostname: c.hostname, wifi, signal }, onEvent),
      );
      this.host.log.portal(`${c.hostname} joined ${wifi.ssid} (${joined.ip})`);
      this.patchChange({ status: "done", result: { ssid: wifi.ssid, ip: joined.ip } });
      return true;
    } catch (err) {
      return this.changeFailed(asPortalError(err));
    }
  }

  // ---- internals --------------------------------------------------------------------------------

  private changeFailed(error: WifiChangeState["error"] & object): false {
    this.host.log.portal(`Change Wi-Fi failed (${error.code}): ${error.message}`);
    this.patchChange({ status: "error", error });
    return false;
  }

  private setup(next: WifiSetupState): void {
    this.host.update({ wifiSetup: next });
  }

  private patch(patch: Partial<WifiSetupState>): void {
    this.host.update({ wifiSetup: { ...this.host.state().wifiSetup, ...patch } });
  }

  private change(next: WifiChangeState): void {
    this.host.update({ wifiChange: next });
  }

  private patchChange(patch: Partial<WifiChangeState>): void {
    const c = this.host.state().wifiChange;
    if (c) this.host.update({ wifiChange: { ...c, ...patch } });
  }
}

function notConnected(hostname: string): WifiError {
  return new WifiError(
    "not-ready",
    `Plug ${hostname} in and choose its port first; the portal changes its Wi-Fi over USB.`,
    { action: "pick-another-port" },
  );
}
