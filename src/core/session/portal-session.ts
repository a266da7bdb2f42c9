/**
 * The portal's flow as a DOM-free state machine: Connect → Firmware → Flash → Provision → Verify.
 * It calls the jobs, folds their events into `SessionState`, and notifies subscribers. The Lit
 * elements render `state` and call the intent methods; nothing here knows about the page. Each
 * step's work and each side job lives with a collaborator; this class holds state and navigation.
 */
import type { SerialPortLike } from "../port/serial-port";
import { HandoffController } from "./handoff-controller";
import type { DeviceRecord, DeviceRegistry } from "../registry/device-record";
import type { PhaseEvent, PortalJobs, WifiCredentials } from "./jobs";
import { SessionError } from "./session-errors";
import { PortalError } from "../errors";
import { SessionLog } from "./session-log";
import { initialState } from "./session-state";
import type { FirmwareSourceInput, SessionState, StepId, StepState } from "./session-types";
import type { FirmwareChoiceMemory, LocalFile } from "../firmware-sources/types";
import { FirmwarePicker } from "./firmware-picker";
import { TerminalController } from "./terminal-controller";
import { WifiController } from "./wifi-controller";
import { FollowController } from "./follow-controller";
import type { PortProvider } from "../port/port-provider";
import { StepRunner } from "./step-runner";
import { FlashStep } from "./flash-step";
import { ProvisionSteps } from "./provision-steps";
import { BoardConnection, type PortChoice } from "./board-connection";

export type { PortChoice } from "./board-connection";

export interface PortalSessionOptions {
  jobs: PortalJobs;
  /** Where firmware can come from, in the order listed; see `FirmwareSource`. */
  sources: FirmwareSourceInput[];
  registry?: DeviceRegistry;
  now?: () => number;
  /** Remembers the last source and version picked in this browser (never file contents). */
  memory?: FirmwareChoiceMemory;
  /** Id of a source the page linked (`?manifest=`): the default for every port. */
  preferredSource?: string;
  /** Granted ports, the picker and ports appearing: lets the session follow a board that re-enumerates. */
  ports?: PortProvider;
  /** How long a granted port may take to come back before the page asks for a click (ms). */
  followWaitMs?: number;
}

type Listener = (state: SessionState) => void;

export class PortalSession {
  readonly log: SessionLog;
  private current: SessionState;
  private readonly listeners = new Set<Listener>();
  private readonly runner: StepRunner;
  private readonly connection: BoardConnection;
  private readonly handoff: HandoffController;
  private readonly picker: FirmwarePicker;
  private readonly terminal: TerminalController;
  private readonly wifiSetup: WifiController;
  private readonly follow: FollowController;
  private readonly flashStep: FlashStep;
  private readonly provisionSteps: ProvisionSteps;

  constructor(options: PortalSessionOptions) {
    const now = options.now ?? (() => Date.now());
    this.log = new SessionLog(now);
    this.current = initialState([]);
    // The few internals the collaborators need (each declares its part as its own host interface).
    const host = {
      log: this.log,
      jobs: options.jobs,
      registry: options.registry,
      now,
      port: () => this.connection.port,
      state: () => this.current,
      busy: () => this.busy,
      update: (patch: Partial<SessionState>) => this.update(patch),
      setStep: (step: StepId, patch: Partial<StepState<unknown>>) => this.setStep(step, patch),
      goTo: (step: StepId) => this.goTo(step),
      run: <R>(step: StepId, phase: string, body: (signal: AbortSignal) => Promise<R>, opts?: { usesPort?: boolean }) =>
        this.runner.run(step, phase, body, opts),
      aside: <R>(body: (signal: AbortSignal) => Promise<R>) => this.runner.aside(body),
      track: (job: Promise<unknown>) => this.runner.track(job),
      notReady: (step: StepId, message: string) => this.notReady(step, message),
      onPhase: (step: "provision" | "verify", e: PhaseEvent) => this.provisionSteps.onPhase(step, e),
      reverify: (record: DeviceRecord) => this.reverify(record),
      protect: (secret: string) => this.log.protect(secret),
      firmwareChanged: () => this.flashStep.refreshErase(),
      unplugged: () => this.connection.unplugged,
      portRevoked: () => this.connection.revoked(),
      ports: options.ports,
      suspendTerminal: () => this.terminal.suspend(),
      resumeTerminal: () => void this.terminal.resume(),
      adopt: (port: SerialPortLike) => this.connection.adopt(port),
      release: () => this.connection.detach(),
      portSettled: () => this.follow.settled(),
    };
    this.runner = new StepRunner(host);
    this.picker = new FirmwarePicker(host, options.sources, options.memory ?? null, options.preferredSource ?? null);
    this.current = initialState(this.picker.offered(), this.picker.initialSelection());
    this.handoff = new HandoffController(host);
    this.terminal = new TerminalController(host);
    this.wifiSetup = new WifiController(host);
    this.follow = new FollowController(host, options.ports, options.followWaitMs);
    const { picker, follow, terminal, wifiSetup, handoff } = this;
    this.flashStep = new FlashStep({ ...host, picker, follow, terminal, wifiSetup });
    this.provisionSteps = new ProvisionSteps({ ...host, handoff, follow });
    const { runner, flashStep } = this;
    this.connection = new BoardConnection({ ...host, runner, picker, handoff, terminal, follow, wifiSetup, flashStep });
  }

  /** The site's permission for the port was taken back: the user's click allows it again and reconnects. */
  allowPortAgain(): Promise<boolean> {
    return this.connection.allowPortAgain();
  }

  /** The board re-enumerated or moved connector and the port is not granted yet: the user's click asks for it. */
  pickFollowedPort(): Promise<boolean> {
    return this.follow.pick();
  }

  get state(): SessionState {
    return this.current;
  }

  /** A step runs. Wi-Fi detection and scans beside the steps do not count: a step waits for them. */
  get busy(): boolean {
    return this.runner.busy;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  /** Use this port for the board and read what the board is. */
  connect(choice: PortChoice): Promise<boolean> {
    return this.connection.connect(choice);
  }

  /** Pick a listed source by id, or load a manifest URL (a configured one, or one the user typed). */
  selectFirmware(sourceOrUrl: string): Promise<boolean> {
    const offered = this.current.firmware.sources;
    const source = offered.find((s) => s.id === sourceOrUrl) ?? offered.find((s) => s.manifestUrl === sourceOrUrl);
    return source ? this.picker.selectSource(source.id) : this.picker.enterManifestUrl(sourceOrUrl);
  }

  /** A manifest URL typed into the page. */
  enterManifestUrl(url: string): Promise<boolean> {
    return this.picker.enterManifestUrl(url);
  }

  /** Another version (and product) of the listed releases. */
  selectRelease(version: string, product: string | null = null): Promise<boolean> {
    return this.picker.selectRelease(version, product);
  }

  /** List pre-releases (the beta channel) too. */
  setIncludeBeta(include: boolean): Promise<boolean> {
    return this.picker.setIncludeBeta(include);
  }

  /** Files picked or dropped (a manifest with its parts, a merged .bin, several .bin). */
  addLocalFiles(files: LocalFile[]): Promise<boolean> {
    return this.picker.addLocalFiles(files);
  }

  /** The user's offset for one of the local files. */
  setLocalOffset(name: string, offset: number): Promise<boolean> {
    return this.picker.setLocalOffset(name, offset);
  }

  /** Pick another version from the loaded manifest. */
  selectVersion(version: string): void {
    if (this.busy) return;
    const offer = this.current.firmware.choices.find((c) => c.version === version);
    if (!offer) return;
    this.update({ firmware: { ...this.current.firmware, result: offer } });
    this.log.portal(`Firmware: ${offer.name} ${offer.version}`);
    this.flashStep.refreshErase();
  }

  /** The user's answer to "erase before installing?" (overrides the portal's choice). */
  setErase(erase: boolean): void {
    this.flashStep.setErase(erase);
  }

  flash(): Promise<boolean> {
    return this.flashStep.flash();
  }

  /** Go on to provisioning without flashing (the right firmware is already on the board). */
  skipFlash(): void {
    this.flashStep.skipFlash();
  }

  /** Remember Wi-Fi for this and the following boards; the password stays in memory only. */
  setWifi(wifi: WifiCredentials, deviceName = ""): void {
    this.provisionSteps.setWifi(wifi, deviceName);
  }

  /** The WebREPL password the next provisioning sets (empty: a fresh one). Memory only, never logged. */
  setWebreplPassword(password: string): void {
    this.provisionSteps.setWebreplPassword(password);
  }

  provision(): Promise<boolean> {
    return this.provisionSteps.provision();
  }

  verify(): Promise<boolean> {
    return this.provisionSteps.verify();
  }

  /** The user opened the board's URL and trusted its certificate: verification starts now. */
  confirmTrust(): Promise<boolean> {
    return this.provisionSteps.confirmTrust();
  }

  /**
   * Check again a board from the device list: it must be the board connected now (its identity
   * and certificate are read back from it), then the usual verification runs.
   */
  reverify(record: DeviceRecord): Promise<boolean> {
    return this.provisionSteps.reverify(record);
  }

  /**
   * Open a new DataChannel to a board verified before: over HTTPS to the board's own endpoint, or
   * over serial for the in-page virtual board (which has no network a page can reach).
   */
  connectAgain(record: DeviceRecord): Promise<boolean> {
    return this.handoff.connectAgain(record);
  }

  /** "Connect again" by id: the device list's record, or the board this session just verified. */
  connectAgainTo(deviceId: string): Promise<boolean> {
    return this.handoff.connectAgainTo(deviceId);
  }

  /** Run one line of Python on the verified board (the live console). */
  execLine(line: string): Promise<boolean> {
    return this.handoff.execLine(line);
  }

  /** Unlock the console after HTTPS signaling with the board's WebREPL password (never kept). */
  unlockConsole(password: string): Promise<boolean> {
    return this.handoff.unlockConsole(password);
  }

  /** Close the DataChannel to the board (the user is done with the console). */
  closeConsole(): void {
    this.handoff.closeConsole();
  }

  /**
   * The Wi-Fi this session will give boards, for the production line that provisions several at
   * once with the same settings. The password stays in memory, as it does here.
   */
  lineWifi(): WifiCredentials | null {
    return this.provisionSteps.lineWifi();
  }

  /** Open the serial console on the connected board (after the current step, if one runs). */
  openTerminal(): Promise<boolean> {
    if (this.runner.running) {
      this.update({ terminal: { ...this.current.terminal, status: "paused", error: null } });
      return Promise.resolve(false);
    }
    return this.terminal.open();
  }

  /** Give the port back (the console stops reading it). */
  closeTerminal(): Promise<void> {
    return this.terminal.close();
  }

  /** Keys typed in the terminal, as the terminal encodes them (Enter CR, Ctrl-C \x03, Ctrl-D \x04). */
  terminalInput(data: string): Promise<boolean> {
    return this.terminal.input(data);
  }

  /** Text pasted into the terminal (a block goes through MicroPython's paste mode on pyDirect boards). */
  terminalPaste(text: string): Promise<boolean> {
    return this.terminal.paste(text);
  }

  /** Reset the board through EN, as its button does, with the console open. */
  resetBoard(): Promise<boolean> {
    return this.terminal.reset();
  }

  /** Look again how the board takes Wi-Fi (pyDirect, Improv, neither). */
  detectWifiSetup(): Promise<unknown> {
    return this.wifiSetup.detect(false);
  }

  /** Scan on the board for the Wi-Fi picker (pyDirect over its REPL, Improv RPC 4). */
  scanWifi(): Promise<boolean> {
    return this.wifiSetup.scan();
  }

  /** Improv: send the network to the board and wait for it to join (the password is never kept). */
  improvConnect(wifi: WifiCredentials): Promise<boolean> {
    return this.wifiSetup.improvConnect(wifi);
  }

  /** Device list: change a provisioned board's Wi-Fi without flashing (scans when a port is connected). */
  openWifiChange(deviceId: string): Promise<boolean> {
    return this.wifiSetup.openChange(deviceId);
  }

  scanWifiChange(): Promise<boolean> {
    return this.wifiSetup.changeScan();
  }

  applyWifiChange(wifi: WifiCredentials): Promise<boolean> {
    return this.wifiSetup.changeApply(wifi);
  }

  closeWifiChange(): void {
    this.wifiSetup.closeChange();
  }

  /** Resolves when no Wi-Fi detection or scan runs (tests; steps wait for this themselves). */
  asideSettled(): Promise<void> {
    return this.runner.asideSettled();
  }

  /** Production line: keep firmware and Wi-Fi, forget the board; the next one gets a fresh identity. */
  nextBoard(): void {
    this.connection.nextBoard();
  }

  /** Run the step that failed (or the current one) again. */
  retry(): Promise<boolean> {
    const step = this.current.step;
    switch (step) {
      case "connect":
        return this.connection.reconnect();
      case "firmware":
        return this.picker.retry();
      case "flash":
        return this.flash();
      case "provision":
        return this.provision();
      case "verify":
        return this.verify();
    }
  }

  /** Go back to an earlier step (to pick other firmware, change Wi-Fi); never past an unfinished one. */
  show(step: StepId): void {
    if (this.busy) return;
    const need: Record<StepId, boolean> = {
      connect: true,
      firmware: true,
      flash: this.current.connect.status === "done" && this.current.firmware.status === "done",
      provision: this.current.connect.status === "done",
      verify: this.current.provision.status === "done",
    };
    if (!need[step]) return;
    if (step !== "verify") this.handoff.closeConsole();
    this.goTo(step);
    const wifi = this.current.wifiSetup;
    if (step === "provision" && wifi.choice === null && wifi.status === "idle")
      this.runner.track(this.wifiSetup.detect(false));
  }

  cancel(): void {
    this.runner.cancel();
  }

  /** Let go of the port (the user wants another one). */
  forgetPort(): void {
    this.connection.forget();
  }

  // ---- internals -------------------------------------------------------------------------------

  private notReady(step: StepId, message: string): boolean {
    const error: PortalError = new SessionError("step-not-ready", message, { action: "none" });
    this.setStep(step, { status: "error", phase: "", error, result: null });
    return false;
  }

  private setStep(step: StepId, patch: Partial<StepState<unknown>>): void {
    const prev = this.current[step];
    this.update({ [step]: { ...prev, ...patch } });
  }

  private goTo(step: StepId): void {
    this.update({ step });
  }

  private update(patch: Partial<SessionState>): void {
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l(this.current);
  }
}
