/**
 * The Connect step and the port it opens: choosing a port and reading the board, and what
 * happens to the port after (the cable pulled, the board back on another port, let go).
 */
import { isPortalError } from "../errors";
import { manualBootGuidance } from "../flash/manual-boot";
import { permissionWithdrawn, type PortProvider } from "../port/port-provider";
import { ESPRESSIF_VID, usbConnection } from "../port/usb-connector";
import type { SerialPortLike } from "../port/serial-port";
import { describePort, explainRequestPortFailure } from "./environment";
import type { FirmwarePicker } from "./firmware-picker";
import type { FlashStep } from "./flash-step";
import type { FollowController } from "./follow-controller";
import type { HandoffController } from "./handoff-controller";
import type { PortalJobs } from "./jobs";
import type { SessionLog } from "./session-log";
import { idle, idleVerify, unpluggedError } from "./session-state";
import type { SessionState, StepId, StepState } from "./session-types";
import type { StepRunner } from "./step-runner";
import type { TerminalController } from "./terminal-controller";
import type { WifiController } from "./wifi-controller";

export interface PortChoice {
  port: SerialPortLike;
  label: string;
  virtual: boolean;
}

/** What the Connect step needs from the session that owns it. */
export interface ConnectionHost {
  readonly log: SessionLog;
  readonly jobs: PortalJobs;
  readonly runner: StepRunner;
  readonly picker: FirmwarePicker;
  readonly handoff: HandoffController;
  readonly terminal: TerminalController;
  readonly follow: FollowController;
  readonly wifiSetup: WifiController;
  readonly flashStep: FlashStep;
  /** Granted ports and the browser's picker (absent: no way to tell a revoked port or ask again). */
  readonly ports?: PortProvider | undefined;
  state(): SessionState;
  busy(): boolean;
  update(patch: Partial<SessionState>): void;
  setStep(step: StepId, patch: Partial<StepState<unknown>>): void;
  goTo(step: StepId): void;
}

/**
 * A native-USB port with nothing behind it at Connect. A chip whose ROM talks USB only through
 * USB-OTG shows no USB device until it runs firmware that enumerates or sits in its loader: the
 * ESP32-S2 (no USB-Serial-JTAG), and the ESP32-S3 once its USB_PHY_SEL eFuse gives the PHY to
 * USB-OTG (ESP-IDF "USB OTG Console", initial upload: hold GPIO0 low while resetting, then the
 * port appears).
 */
export const LOADER_PORT_SENTENCE =
  "Nothing is behind this port right now. A board plugged in by its own USB connector whose chip talks USB only from its loader (an ESP32-S2, or an ESP32-S3 set to USB-OTG) shows no port until it runs firmware or is put in its loader by hand: do that now, and the portal carries on once its port appears.";

/** How long a job may take to notice a pulled cable before the session stops it. */
const UNPLUG_GRACE_MS = 3000;

export class BoardConnection {
  private current: SerialPortLike | null = null;
  private readonly onDisconnect = (): void => this.gone();
  private lost = false;

  constructor(private readonly host: ConnectionHost) {}

  /** The board's port, while it is there. */
  get port(): SerialPortLike | null {
    return this.current;
  }

  /** The port went away (errors of the job that ran then say so). */
  get unplugged(): boolean {
    return this.lost;
  }

  /** Use this port for the board and read what the board is. */
  async connect(choice: PortChoice): Promise<boolean> {
    const host = this.host;
    if (host.busy()) return false;
    // A Wi-Fi look at the previous board is of no use now.
    host.runner.cancelAside();
    await host.runner.asideSettled();
    host.handoff.clear();
    await host.terminal.close();
    host.follow.cancel();
    this.detach();
    this.lost = false;
    host.flashStep.noAutoReset = false;
    this.current = choice.port;
    choice.port.addEventListener?.("disconnect", this.onDisconnect);
    host.wifiSetup.reset();
    host.update({
      port: { label: choice.label, virtual: choice.virtual },
      connect: idle(),
      flash: { ...idle(), parts: [] },
      provision: { ...idle(), wifi: host.state().provision.wifi },
      verify: idleVerify(),
    });
    host.log.portal(`Port chosen: ${choice.label}`);
    const ok = await host.runner.run("connect", "Reading the board", async (signal) => {
      const inspect = (port: SerialPortLike) =>
        host.jobs.inspect(port, signal, (manualBoot) => {
          if (manualBoot) host.flashStep.noAutoReset = true;
          host.update({ manualBoot });
        });
      const board = await host.follow.retry(choice.port, async (port) => {
        try {
          return await inspect(port);
        } catch (err) {
          const loader = await this.awaitLoaderPort(port, err, signal);
          if (!loader) throw err;
          return inspect(loader);
        }
      });
      const fw = board.firmware ? `${board.firmware.name} ${board.firmware.version}` : "no app found";
      host.log.portal(
        `Connected: ${board.description}, MAC ${board.mac}, flash ${board.flashSize ?? "?"} bytes, firmware: ${fw}`,
      );
      return board;
    });
    if (ok) {
      host.flashStep.refreshErase();
      await host.picker.afterConnect();
      const fw = host.state().firmware;
      const board = host.state().connect.result;
      // An install this session started on this board was cut off: its app header may be on flash
      // while the rest is not, so "already installed" cannot be trusted; installing again writes
      // only what the board's own MD5s say is missing.
      const resume = board !== null && host.flashStep.interrupted(board.mac);
      if (resume)
        host.log.portal(
          "The last install on this board was interrupted: installing again writes only what is missing.",
        );
      if (!resume && fw.status === "done" && host.state().erase?.reason === "already-installed" && fw.result) {
        // What is on the board is what was picked: nothing to flash, straight on to provisioning.
        host.log.portal(`${fw.result.name} ${fw.result.version} is already installed: going on to provisioning.`);
        host.goTo("provision");
        host.runner.track(host.wifiSetup.detect(false));
      } else {
        // The user sees the board's facts beside the firmware choice; a production line goes on.
        host.goTo(host.state().productionLine && fw.status === "done" ? "flash" : "firmware");
      }
    }
    return ok;
  }

  /**
   * The chosen native-USB port had no device behind it (LOADER_PORT_SENTENCE): show the by-hand way
   * into the loader and wait for an Espressif port to appear; that port is adopted. null: not this case.
   */
  private async awaitLoaderPort(
    port: SerialPortLike,
    err: unknown,
    signal: AbortSignal,
  ): Promise<SerialPortLike | null> {
    const host = this.host;
    if (!isPortalError(err, "disconnected") || !host.ports || this.lost) return null;
    if (usbConnection(port.getInfo()).connector !== "native") return null;
    host.log.portal("No device behind the board's native USB port: waiting for its loader to appear.");
    host.update({ manualBoot: { ...manualBootGuidance(null, "native"), reason: "no-port" } });
    const next = await host.follow.awaitPort([{ usbVendorId: ESPRESSIF_VID }], [port], LOADER_PORT_SENTENCE, signal);
    host.update({ manualBoot: null });
    if (next) this.adopt(next);
    return next;
  }

  private gone(): void {
    const host = this.host;
    if (this.current && host.follow.portLeft(this.current)) return;
    host.log.portal("The board was unplugged.");
    this.lost = true;
    void host.terminal.close();
    this.detach();
    // The running job notices the lost port itself and says so; stop it only if it does not.
    if (!host.runner.cancelAfter(UNPLUG_GRACE_MS)) {
      host.setStep("connect", { status: "error", error: unpluggedError(), phase: "", result: null });
      host.goTo("connect");
    }
    host.update({ port: null });
  }

  /** The port is still plugged in but this site may no longer use it (forgotten, or removed in the site settings). */
  async revoked(): Promise<boolean> {
    const port = this.current;
    return port !== null && !this.lost && (await permissionWithdrawn(this.host.ports, port));
  }

  /**
   * The user's one click after the permission was taken back: ask the browser for the same USB
   * device (its chooser lists only that one) and read the board on it. An install cut off by the
   * revocation then resumes from what the board already holds (FlashStep.interrupted).
   */
  async allowPortAgain(): Promise<boolean> {
    const host = this.host;
    const old = this.current;
    if (!old || !host.ports || host.busy()) return false;
    const { usbVendorId, usbProductId } = old.getInfo();
    const filter =
      usbVendorId === undefined ? {} : { usbVendorId, ...(usbProductId === undefined ? {} : { usbProductId }) };
    let port: SerialPortLike;
    try {
      port = await host.ports.request([filter]);
    } catch (err) {
      host.setStep("connect", { status: "error", phase: "", error: explainRequestPortFailure(err), result: null });
      host.goTo("connect");
      return false;
    }
    host.log.portal("The port was allowed again.");
    return this.connect({ port, label: describePort(port.getInfo()), virtual: host.state().port?.virtual ?? false });
  }

  /** Read the board on the same port again (the Connect step's retry). */
  reconnect(): Promise<boolean> {
    const port = this.current;
    const info = this.host.state().port;
    if (!port || !info) return Promise.resolve(false);
    return this.connect({ port, label: info.label, virtual: info.virtual });
  }

  /** Production line: keep firmware and Wi-Fi, forget the board; the next one gets a fresh identity. */
  nextBoard(): void {
    const host = this.host;
    if (host.busy()) return;
    host.runner.cancelAside();
    host.handoff.clear();
    void host.terminal.close();
    this.detach();
    host.update({
      step: "connect",
      port: null,
      connect: idle(),
      // The user's own erase choice is part of the line's settings; the portal's is per board.
      erase: host.state().erase?.reason === "user-choice" ? host.state().erase : null,
      flash: { ...idle(), parts: [] },
      provision: { ...idle(), wifi: host.state().provision.wifi },
      verify: idleVerify(),
    });
    host.wifiSetup.reset();
    host.log.portal("Next board: firmware and Wi-Fi kept; a new identity will be made.");
  }

  /** Let go of the port (the user wants another one). */
  forget(): void {
    const host = this.host;
    host.runner.cancel();
    host.handoff.clear();
    void host.terminal.close();
    this.detach();
    host.update({ step: "connect", port: null, connect: idle() });
  }

  /** The board came back on another port: carry on there, every step's state kept. */
  adopt(port: SerialPortLike): void {
    const host = this.host;
    this.detach();
    this.lost = false;
    this.current = port;
    port.addEventListener?.("disconnect", this.onDisconnect);
    const label = describePort(port.getInfo());
    host.log.portal(`The board is now on ${label}.`);
    host.update({ port: { label, virtual: host.state().port?.virtual ?? false } });
    const offer = host.state().firmware.result;
    if (offer) host.flashStep.refreshConsolePlan(offer);
  }

  detach(): void {
    this.current?.removeEventListener?.("disconnect", this.onDisconnect);
    this.current = null;
  }
}
