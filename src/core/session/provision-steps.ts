/**
 * The Provision and Verify steps: the Wi-Fi and WebREPL password given to the next board (memory
 * only), provisioning it, the certificate trust step a browser needs first, verifying over WebRTC
 * (also again for a board from the device list), and the device-list record of the result.
 */
import type { SerialPortLike } from "../port/serial-port";
import type { DeviceRecord, DeviceRegistry } from "../registry/device-record";
import type { CertificateTrustStep } from "../signaling/transport";
import { finishedBoardRecord } from "./board-record";
import type { FollowController } from "./follow-controller";
import type { HandoffController } from "./handoff-controller";
import type { PhaseEvent, PortalJobs, WifiCredentials } from "./jobs";
import { SessionError, asPortalError } from "./session-errors";
import type { SessionLog } from "./session-log";
import { idleVerify } from "./session-state";
import type { BoardSummary, ProvisionSummary, SessionState, StepId, StepState } from "./session-types";

/** What the two steps need from the session that owns them. */
export interface ProvisionHost {
  readonly log: SessionLog;
  readonly jobs: PortalJobs;
  readonly registry: DeviceRegistry | undefined;
  readonly now: () => number;
  readonly handoff: HandoffController;
  /** Follows a board that re-enumerates (TinyUSB CDC, USB-OTG) across the restarts provisioning causes. */
  readonly follow: FollowController;
  port(): SerialPortLike | null;
  state(): SessionState;
  busy(): boolean;
  update(patch: Partial<SessionState>): void;
  run<R>(step: StepId, phase: string, body: (signal: AbortSignal) => Promise<R>): Promise<boolean>;
  notReady(step: StepId, message: string): boolean;
  setStep(step: StepId, patch: Partial<StepState<unknown>>): void;
  /** Resolves when a board that moved port is back (or given up on). */
  portSettled(): Promise<void>;
}

export class ProvisionSteps {
  private wifi: WifiCredentials | null = null;
  private deviceName = "";
  /** A WebREPL password the user typed for the next board; memory only, used once. */
  private webreplPassword: string | null = null;
  /** Board URL + certificate fingerprint pairs whose trust step the user confirmed in this session. */
  private readonly trusted = new Set<string>();

  constructor(private readonly host: ProvisionHost) {}

  /** Remember Wi-Fi for this and the following boards; the password stays in memory only. */
  setWifi(wifi: WifiCredentials, deviceName = ""): void {
    const { log } = this.host;
    if (this.wifi && this.wifi.password !== wifi.password) log.forget(this.wifi.password);
    this.wifi = { ssid: wifi.ssid, password: wifi.password };
    log.protect(wifi.password);
    this.deviceName = deviceName;
    this.host.update({
      provision: {
        ...this.host.state().provision,
        wifi: { ssid: wifi.ssid, hasPassword: wifi.password.length > 0 },
      },
    });
  }

  /** The WebREPL password the next provisioning sets (empty: a fresh one). Memory only, never logged. */
  setWebreplPassword(password: string): void {
    if (this.webreplPassword) this.host.log.forget(this.webreplPassword);
    this.webreplPassword = password || null;
    if (password) this.host.log.protect(password);
  }

  /**
   * The Wi-Fi this session will give boards, for the production line that provisions several at
   * once with the same settings. The password stays in memory, as it does here.
   */
  lineWifi(): WifiCredentials | null {
    return this.wifi ? { ...this.wifi } : null;
  }

  async provision(): Promise<boolean> {
    const host = this.host;
    await host.portSettled();
    const port = host.port();
    const board = host.state().connect.result;
    const wifi = this.wifi;
    if (!port || !board) return host.notReady("provision", "Connect a board first.");
    if (!wifi) return host.notReady("provision", "Enter the Wi-Fi network the board should join.");
    if (host.state().manualBoot) host.update({ manualBoot: null });
    const ok = await host.run("provision", "Making identity and certificate", async (signal) => {
      // Retried where the board came back when it left the port before the job could open it (the
      // reset that ends an install over USB-OTG/CDC lands just after the user moved on).
      const result = await host.follow.retry(port, (port) =>
        host.jobs.provision(
          port,
          {
            wifi,
            deviceName: this.deviceName,
            board,
            firmware: host.state().firmware.result,
            signal,
            ...(this.webreplPassword ? { webreplPassword: this.webreplPassword } : {}),
            nextPort: (lost) => host.follow.whereNext(lost),
          },
          (e) => this.onPhase("provision", e),
        ),
      );
      // Used once: the next board gets a fresh password unless the user types one again.
      this.webreplPassword = null;
      if (result.webreplPassword) host.log.protect(result.webreplPassword.reveal());
      host.log.portal(`Provisioned ${result.hostname}; certificate SHA-256 ${result.certFingerprint}`);
      return result;
    });
    if (ok) {
      host.update({ step: "verify" });
      // Shown now, before the user presses anything: without it the first check cannot reach the board.
      const provisioned = host.state().provision.result;
      const trust = provisioned ? this.trustStepFor(board, provisioned) : null;
      if (trust) host.update({ verify: { ...host.state().verify, trust } });
    }
    return ok;
  }

  async verify(): Promise<boolean> {
    const host = this.host;
    await host.portSettled();
    const port = host.port();
    const board = host.state().connect.result;
    const provisioned = host.state().provision.result;
    if (!port || !board) return host.notReady("verify", "Connect a board first.");
    if (!provisioned) return host.notReady("verify", "Provision the board first.");
    if (host.busy()) return false;
    host.handoff.clear();
    const trust = this.trustStepFor(board, provisioned);
    if (trust) {
      // Over HTTPS from a browser the check fails until the user has trusted the board's certificate.
      host.log.portal(
        `Before verifying: open ${trust.url} and trust ${trust.hostname}'s certificate (SHA-256 ${trust.fingerprint}).`,
      );
      host.update({ step: "verify", verify: { ...idleVerify(), trust } });
      return false;
    }
    const ok = await host.run("verify", "Opening a WebRTC DataChannel", async (signal) => {
      const result = await host.jobs.verify(port, { board, provisioned, signal }, (e) => this.onPhase("verify", e));
      if (!result.ok) {
        result.live?.close();
        throw new SessionError(
          "unexpected",
          `The board answered but the check failed: ${result.detail}. Retry; if it repeats, re-provision the board.`,
          { action: "retry" },
        );
      }
      host.log.portal(
        `Verified over WebRTC${result.roundTripMs !== null ? ` (round trip ${result.roundTripMs.toFixed(1)} ms)` : ""}`,
      );
      return host.handoff.handOff(result, await host.handoff.serialBase(provisioned), result.transport ?? "serial");
    });
    await this.recordFinished(ok);
    if (ok) host.update({ boardsDone: host.state().boardsDone + 1, productionLine: true });
    return ok;
  }

  /** The user opened the board's URL and trusted its certificate: verification starts now. */
  confirmTrust(): Promise<boolean> {
    const trust = this.host.state().verify.trust;
    if (!trust || this.host.busy()) return Promise.resolve(false);
    this.trusted.add(trustKey(trust));
    this.host.log.portal(`Certificate of ${trust.hostname} trusted in the browser: verifying.`);
    this.host.update({ verify: { ...this.host.state().verify, trust: null } });
    return this.verify();
  }

  /**
   * Check again a board from the device list: it must be the board connected now (its identity
   * and certificate are read back from it), then the usual verification runs.
   */
  async reverify(record: DeviceRecord): Promise<boolean> {
    const host = this.host;
    const port = host.port();
    const board = host.state().connect.result;
    if (!port || !board)
      return host.notReady("verify", `Connect ${record.hostname} first, then press Re-verify again.`);
    if (host.busy()) return false;
    host.handoff.clear();
    const ok = await host.run("verify", `Reading ${record.hostname}'s certificate`, async (signal) => {
      const found = await host.jobs.readProvisioned(port, signal);
      if (found.deviceId !== record.id) {
        throw new SessionError(
          "other-board",
          `The connected board is ${found.hostname}, not ${record.hostname}. Connect ${record.hostname} to re-verify it.`,
          {
            action: "pick-another-port",
          },
        );
      }
      if (found.certFingerprint !== record.certFingerprint) {
        throw new SessionError(
          "certificate-changed",
          `${record.hostname} now holds a different certificate than the one this portal gave it: it was re-provisioned elsewhere. Provision it again here to trust it.`,
          {
            action: "none",
          },
        );
      }
      host.update({ provision: { ...host.state().provision, status: "done", result: found } });
      host.log.portal(`Re-verifying ${record.hostname}`);
      const result = await host.jobs.verify(port, { board, provisioned: found, signal }, (e) =>
        this.onPhase("verify", e),
      );
      return host.handoff.handOff(result, await host.handoff.serialBase(found), "serial");
    });
    await this.recordFinished(ok);
    return ok;
  }

  /** A provisioning or verification job reports a phase. */
  onPhase(step: "provision" | "verify", e: PhaseEvent): void {
    const phase = e.detail ? `${e.state}: ${e.detail}` : e.state;
    this.host.setStep(step, { phase });
    this.host.log.portal(`${step}: ${phase}`);
  }

  /** The trust step verification needs first, unless none is needed or the user already confirmed it. */
  private trustStepFor(board: BoardSummary, provisioned: ProvisionSummary): CertificateTrustStep | null {
    let step: CertificateTrustStep | null;
    try {
      step = this.host.jobs.verifyTrust?.({ board, provisioned }) ?? null;
    } catch (err) {
      // The verification itself will meet the same problem and report it as its error.
      this.host.log.portal(`Could not work out how to reach the board: ${asPortalError(err).message}`);
      return null;
    }
    return step && !this.trusted.has(trustKey(step)) ? step : null;
  }

  private async recordFinished(ok: boolean): Promise<void> {
    const registry = this.host.registry;
    if (!registry) return;
    try {
      const id = this.host.state().provision.result?.deviceId;
      const before = id ? await registry.get(id) : undefined;
      const record = finishedBoardRecord(this.host.state(), ok, new Date(this.host.now()).toISOString(), before);
      if (record) await registry.put(record);
    } catch (err) {
      this.host.log.portal(`Could not save the board to the device list: ${asPortalError(err).message}`);
    }
  }
}

function trustKey(step: CertificateTrustStep): string {
  return `${step.url} ${step.fingerprint}`;
}
