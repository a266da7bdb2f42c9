/**
 * The Flash step: what the install will do (erase or keep, where the console will be after), the
 * install itself with its progress, and what follows it (the console shows the new firmware boot
 * while the portal looks for the board's way to Wi-Fi).
 */
import { startAppGuidance } from "../flash/manual-boot";
import type { ChipFamily } from "../image/chips";
import type { SerialPortLike } from "../port/serial-port";
import { usbConnection } from "../port/usb-connector";
import { decideErase } from "./erase-decision";
import type { FirmwarePicker } from "./firmware-picker";
import { installHeadline } from "./first-screen";
import type { FollowController } from "./follow-controller";
import { foldInstallEvent } from "./install-progress";
import type { InstallEvent, PortalJobs } from "./jobs";
import { asPortalError } from "./session-errors";
import type { SessionLog } from "./session-log";
import type { FirmwareOffer, SessionState, StepId, StepState } from "./session-types";
import type { TerminalController } from "./terminal-controller";
import type { WifiController } from "./wifi-controller";

/** What the step needs from the session that owns it. */
export interface FlashHost {
  readonly log: SessionLog;
  readonly jobs: PortalJobs;
  readonly picker: FirmwarePicker;
  readonly follow: FollowController;
  readonly terminal: TerminalController;
  readonly wifiSetup: WifiController;
  port(): SerialPortLike | null;
  state(): SessionState;
  busy(): boolean;
  update(patch: Partial<SessionState>): void;
  setStep(step: StepId, patch: Partial<StepState<unknown>>): void;
  run<R>(step: StepId, phase: string, body: (signal: AbortSignal) => Promise<R>): Promise<boolean>;
  notReady(step: StepId, message: string): boolean;
  /** Background work a step must wait for. */
  track(job: Promise<unknown>): void;
}

/** Failures after which the board may hold part of the install (installing again resumes it). */
const INTERRUPTIONS: ReadonlySet<string> = new Set(["disconnected", "write-failed", "permission-revoked"]);

export class FlashStep {
  /** This board needed BOOT and RESET by hand: its reset lines do not reach the chip. */
  noAutoReset = false;
  /** MAC of the board whose install was cut off (cable, reset) after writing began. */
  private interruptedOn: string | null = null;

  constructor(private readonly host: FlashHost) {}

  /** The last install this session started on the board with this MAC was cut off. */
  interrupted(mac: string): boolean {
    return this.interruptedOn === mac;
  }

  /** The user's answer to "erase before installing?" (overrides the portal's choice). */
  setErase(erase: boolean): void {
    if (this.host.busy()) return;
    this.host.update({ erase: { erase, reason: "user-choice", overridable: true } });
  }

  async flash(): Promise<boolean> {
    const { host } = this;
    await host.follow.settled();
    const port = host.port();
    const board = host.state().connect.result;
    const offer = host.state().firmware.result;
    if (!port || !board) return host.notReady("flash", "Connect a board first.");
    if (!offer) return host.notReady("flash", "Choose the firmware to install first.");
    try {
      host.picker.assertAllowed(offer);
    } catch (err) {
      host.log.portal(`Refused: ${asPortalError(err).message}`);
      host.setStep("flash", { status: "error", phase: "", error: asPortalError(err), result: null });
      return false;
    }
    const erase = host.state().erase?.erase ?? decideErase(board, offer).erase;
    const plan = host.follow.plan(port, board.chip as ChipFamily, offer);
    host.follow.expect(plan);
    host.update({ flash: { ...host.state().flash, parts: [] } });
    host.log.portal(installHeadline(offer, erase, board.firmware !== null));
    let installedProject: string | null = null;
    const ok = await host.run("flash", "Starting", async (signal) => {
      await host.follow.retry(port, (port) =>
        host.jobs.install(
          port,
          {
            offer,
            board,
            erase,
            virtualPort: host.state().port?.virtual === true,
            signal,
            onAppImage: (app) => (installedProject = app.projectName),
            onParts: (names) =>
              this.patchFlash({ parts: names.map((name) => ({ name, written: 0, total: 0, status: "pending" })) }),
            // Reset lines that did not reach the chip at connect will not now: guide the user again.
            ...(this.noAutoReset ? { onManualBoot: (manualBoot) => host.update({ manualBoot }) } : {}),
          },
          (e) => this.onInstallEvent(e),
        ),
      );
      const parts = host.state().flash.parts;
      return {
        parts: parts.length,
        bytesWritten: parts.filter((p) => p.status !== "skipped").reduce((n, p) => n + p.total, 0),
        bytesSkipped: parts.filter((p) => p.status === "skipped").reduce((n, p) => n + p.total, 0),
      };
    });
    const failure = host.state().flash.error?.code;
    this.interruptedOn = !ok && failure !== undefined && INTERRUPTIONS.has(failure) ? board.mac : null;
    if (ok) {
      host.update({
        connect: {
          ...host.state().connect,
          result: { ...board, firmware: { name: offer.name, version: offer.version } },
        },
      });
      host.update({ step: "provision" });
      host.follow.moveNow(plan);
      // The reset at the end of the install could not reach the chip: the user starts the app.
      if (this.noAutoReset)
        host.update({
          manualBoot: startAppGuidance(board.chip as ChipFamily, usbConnection(port.getInfo()).connector),
        });
      // As after any install: the console shows the new firmware boot, while the portal looks for
      // the board's way to Wi-Fi (pyDirect, Improv within the manifest's wait, or neither).
      host.track(
        host.follow
          .settled()
          .then(() => host.terminal.open())
          .then(() => host.wifiSetup.detect(true, installedProject)),
      );
    }
    return ok;
  }

  /** Go on to provisioning without flashing (the right firmware is already on the board). */
  skipFlash(): void {
    const { host } = this;
    if (host.busy() || host.state().connect.status !== "done") return;
    host.log.portal("Flashing skipped: keeping the firmware on the board.");
    host.update({ step: "provision" });
    host.track(host.wifiSetup.detect(false));
  }

  /** The firmware or the board changed: decide erase again (unless the user did) and say where the console goes. */
  refreshErase(): void {
    const state = this.host.state();
    const offer = state.firmware.result;
    if (!offer) return;
    this.refreshConsolePlan(offer);
    if (this.host.state().erase?.reason === "user-choice") return;
    this.host.update({ erase: decideErase(this.host.state().connect.result, offer) });
  }

  /** Said before installing: where the console will be when it is not this port. */
  refreshConsolePlan(offer: FirmwareOffer): void {
    const { host } = this;
    const port = host.port();
    const board = host.state().connect.result;
    const plan = port && board ? host.follow.plan(port, board.chip as ChipFamily, offer) : null;
    const consolePlan = plan && plan.kind !== "same-port" ? { kind: plan.kind, sentence: plan.sentence } : null;
    if (consolePlan?.sentence !== host.state().consolePlan?.sentence) host.update({ consolePlan });
  }

  private onInstallEvent(e: InstallEvent): void {
    const { flash, log } = foldInstallEvent(this.host.state().flash, e);
    if (flash !== this.host.state().flash) this.host.update({ flash });
    if (log) this.host.log.portal(log);
  }

  private patchFlash(patch: Partial<SessionState["flash"]>): void {
    this.host.update({ flash: { ...this.host.state().flash, ...patch } });
  }
}
