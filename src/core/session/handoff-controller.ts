/**
 * After a pass the board stays reachable: this holds the hand-off (live console on the open
 * DataChannel), "connect again" over HTTPS or serial, and the device-list record that goes with it.
 * The session hands it the few internals it needs through `HandoffHost`, so the flow's state
 * machine and the hand-off stay in separate files.
 */
import { reconnectedBoardRecord, finishedBoardRecord } from "./board-record";
import { connectAgainRoute, handoffFor } from "./connect-again";
import { LiveConsoleSession, type HandoffBase } from "./live-console-session";
import type { DeviceRecord, DeviceRegistry } from "../registry/device-record";
import type { PhaseEvent, PortalJobs, VerifyJobResult } from "./jobs";
import { localNetworkNote, localNetworkPermission, localNetworkDeniedAdvice } from "../signaling/local-network-access";
import { SignalingError } from "../signaling/errors";
import { asPortalError } from "./session-errors";
import type { SessionLog } from "./session-log";
import type { ProvisionSummary, SessionState, StepId, VerifySummary } from "./session-types";

/** What the hand-off needs from the session that owns it. */
export interface HandoffHost {
  readonly log: SessionLog;
  readonly jobs: PortalJobs;
  readonly registry: DeviceRegistry | undefined;
  readonly now: () => number;
  state(): SessionState;
  busy(): boolean;
  update(patch: Partial<SessionState>): void;
  /** `usesPort: false`: the step never touches the serial port, so the console keeps it. */
  run<R>(
    step: StepId,
    phase: string,
    body: (signal: AbortSignal) => Promise<R>,
    options?: { usesPort?: boolean },
  ): Promise<boolean>;
  notReady(step: StepId, message: string): boolean;
  onPhase(step: "provision" | "verify", e: PhaseEvent): void;
  reverify(record: DeviceRecord): Promise<boolean>;
}

export class HandoffController {
  private readonly live: LiveConsoleSession;
  /** Boards that were the in-page virtual board: they have no network to connect again over. */
  private readonly virtualBoards = new Set<string>();
  /** Board URLs whose Local Network Access note the user has been shown (explain before Chrome asks). */
  private readonly explainedLocalNetwork = new Set<string>();

  constructor(private readonly host: HandoffHost) {
    this.live = new LiveConsoleSession(
      host.log,
      () => host.state().handoff,
      (handoff) => host.update({ handoff }),
    );
  }

  /** Drop the hand-off (a new board, a new check, another port). */
  clear(): void {
    this.live.clear();
  }

  /** Close the DataChannel to the board (the user is done with the console). */
  closeConsole(): void {
    this.live.close();
  }

  /** Run one line of Python on the verified board (the live console). */
  execLine(line: string): Promise<boolean> {
    return this.live.exec(line);
  }

  /** Unlock the console after HTTPS signaling with the board's WebREPL password (never kept). */
  unlockConsole(password: string): Promise<boolean> {
    return this.live.unlock(password);
  }

  /**
   * Open a new DataChannel to a board verified before: over HTTPS to the board's own endpoint, or
   * over serial for the in-page virtual board (which has no network a page can reach).
   */
  async connectAgain(record: DeviceRecord): Promise<boolean> {
    const host = this.host;
    if (host.busy()) return false;
    const current = host.state();
    const prov = current.provision.result?.deviceId === record.id ? current.provision.result : null;
    const route = await connectAgainRoute(record, { virtualPort: this.isVirtual(record.id), boardIp: prov?.address });
    if (route.kind === "serial") {
      host.log.portal(`Connect again over serial: ${route.reason}`);
      return host.reverify(record);
    }
    const noteShown = this.explainedFromHandoff(record.id);
    this.live.clear();
    const certificatePem = record.certificatePem ?? prov?.certificatePem;
    if (!certificatePem) {
      return host.notReady(
        "verify",
        `The device list holds no certificate for ${record.hostname} (it was saved by an older portal). Connect it by USB and press Re-verify; that stores it for next time.`,
      );
    }
    const job = host.jobs.connectAgain?.bind(host.jobs);
    if (!job)
      return host.notReady(
        "verify",
        "This portal cannot connect over the network; connect the board by USB and press Re-verify.",
      );
    const localNetwork = await localNetworkPermission(route.url);
    const base: HandoffBase = {
      deviceId: record.id,
      hostname: record.hostname,
      deviceUrl: route.url,
      serialReason: null,
      trust: route.trust,
      localNetwork,
    };
    // Shown before trying: an untrusted certificate is the usual reason the first attempt fails.
    this.live.attach(base, null, "https");
    if (localNetwork === "prompt" && !this.explainedLocalNetwork.has(route.url) && !noteShown) {
      // Chrome is about to ask for the "local network" permission: say why first; the next press asks.
      this.explainedLocalNetwork.add(route.url);
      host.log.portal(localNetworkNote(record.hostname, route.url));
      host.update({ step: "verify" });
      return false;
    }
    const ok = await host.run(
      "verify",
      `Connecting to ${record.hostname} over HTTPS`,
      async (signal) => {
        if (localNetwork === "denied")
          throw new SignalingError("local-network-denied", localNetworkDeniedAdvice(route.url));
        const result = await job(record, { baseUrl: route.url, certificatePem, signal }, (e) =>
          host.onPhase("verify", e),
        );
        host.log.portal(`Connected again to ${record.hostname} over HTTPS`);
        return this.handOff(result, base, "https");
      },
      { usesPort: false },
    );
    if (!ok) {
      // The user may just have answered Chrome's prompt: show the permission as it is now.
      const now = await localNetworkPermission(route.url);
      const shown = host.state().handoff;
      if (shown && shown.deviceId === record.id && shown.localNetwork !== now)
        host.update({ handoff: { ...shown, localNetwork: now } });
    }
    // Blocked by the browser, the board was never asked: that is no verdict on the board.
    if (ok || host.state().verify.error?.code !== "local-network-denied")
      await this.recordAgain(record, ok, certificatePem);
    return ok;
  }

  /** "Connect again" by id: the device list's record, or the board this session just verified. */
  async connectAgainTo(deviceId: string): Promise<boolean> {
    const host = this.host;
    let record: DeviceRecord | undefined;
    try {
      record = await host.registry?.get(deviceId);
    } catch (err) {
      host.log.portal(`Could not read the device list: ${asPortalError(err).message}`);
    }
    record ??= finishedBoardRecord(host.state(), true, new Date(host.now()).toISOString(), undefined) ?? undefined;
    if (!record || record.id !== deviceId)
      return host.notReady(
        "verify",
        "That board is not in this browser's device list any more. Connect it by USB and verify it again.",
      );
    return this.connectAgain(record);
  }

  /** The hand-off's fixed facts for a board that just passed over serial. */
  async serialBase(
    prov: Pick<ProvisionSummary, "deviceId" | "hostname" | "certFingerprint" | "address" | "deviceScripts">,
  ): Promise<HandoffBase> {
    if (this.host.state().port?.virtual) this.virtualBoards.add(prov.deviceId);
    return handoffFor(prov, this.isVirtual(prov.deviceId));
  }

  /** Keep the open channel for the console; state gets the plain summary only. */
  handOff(result: VerifyJobResult, base: HandoffBase, transport: "serial" | "https"): VerifySummary {
    const { live, transport: _signaledOver, ...summary } = result;
    this.live.attach(base, live ?? null, transport);
    return summary;
  }

  /** The hand-off on screen (after a pass over serial) already showed this board's note. */
  private explainedFromHandoff(deviceId: string): boolean {
    const shown = this.host.state().handoff;
    return shown?.deviceId === deviceId && shown.localNetwork === "prompt";
  }

  private isVirtual(deviceId: string): boolean {
    const current = this.host.state();
    return (
      this.virtualBoards.has(deviceId) ||
      (current.port?.virtual === true && current.provision.result?.deviceId === deviceId)
    );
  }

  private async recordAgain(record: DeviceRecord, ok: boolean, certificatePem: string): Promise<void> {
    try {
      await this.host.registry?.put(
        reconnectedBoardRecord(
          record,
          this.host.state().verify,
          ok,
          certificatePem,
          new Date(this.host.now()).toISOString(),
        ),
      );
    } catch (err) {
      this.host.log.portal(`Could not save the board to the device list: ${asPortalError(err).message}`);
    }
  }
}
