/**
 * The portal's flow as a DOM-free state machine: Connect → Firmware → Flash → Provision → Verify.
 * It calls the jobs, folds their events into `SessionState`, and notifies subscribers. The Lit
 * elements render `state` and call the intent methods; nothing here knows about the page.
 */
import { installHeadline } from "./first-screen";
import { PortalError } from "../errors";
import type { SerialPortLike } from "../port/serial-port";
import { finishedBoardRecord } from "./board-record";
import { HandoffController } from "./handoff-controller";
import { decideErase } from "./erase-decision";
import { foldInstallEvent } from "./install-progress";
import type { DeviceRecord, DeviceRegistry } from "../registry/device-record";
import type { InstallEvent, PhaseEvent, PortalJobs, WifiCredentials } from "./jobs";
import { SessionError, asPortalError } from "./session-errors";
import { SessionLog } from "./session-log";
import { idle, idleVerify, initialState, unpluggedError } from "./session-state";
import type {
  BoardSummary,
  FirmwareOffer,
  FirmwareSourceInput,
  ProvisionSummary,
  SessionState,
  StepId,
  StepState,
} from "./session-types";
import type { CertificateTrustStep } from "../signaling/transport";
import type { FirmwareChoiceMemory, LocalFile } from "../firmware-sources/types";
import { FirmwarePicker } from "./firmware-picker";
import { TerminalController } from "./terminal-controller";
import { WifiController } from "./wifi-controller";
import { FollowController } from "./follow-controller";
import type { PortProvider } from "../port/port-provider";
import { describePort } from "./environment";
import { startAppGuidance } from "../flash/manual-boot";
import { usbConnection } from "../port/usb-connector";
import type { ChipFamily } from "../image/chips";

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

export interface PortChoice {
  port: SerialPortLike;
  label: string;
  virtual: boolean;
}

type Listener = (state: SessionState) => void;

/** How long a job may take to notice a pulled cable before the session stops it. */
const UNPLUG_GRACE_MS = 3000;

export class PortalSession {
  readonly log: SessionLog;
  private current: SessionState;
  private readonly listeners = new Set<Listener>();
  private readonly jobs: PortalJobs;
  private readonly registry: DeviceRegistry | undefined;
  private port: SerialPortLike | null = null;
  private wifi: WifiCredentials | null = null;
  private deviceName = "";
  /** A WebREPL password the user typed for the next board; memory only, used once. */
  private webreplPassword: string | null = null;
  private abort: AbortController | null = null;
  private readonly onDisconnect = (): void => this.portGone();
  private unplugged = false;
  private readonly now: () => number;
  private readonly handoff: HandoffController;
  private readonly picker: FirmwarePicker;
  private readonly terminal: TerminalController;
  private readonly wifiSetup: WifiController;
  private readonly follow: FollowController;
  /** This board needed BOOT and RESET by hand: its reset lines do not reach the chip. */
  private noAutoReset = false;
  /** MAC of the board whose install was cut off (cable, reset) after writing began. */
  private interruptedOn: string | null = null;
  /** Jobs running aside (Wi-Fi detection, scans): a step waits for them before it starts. */
  private readonly asideJobs = new Set<Promise<unknown>>();
  /** An aside job holds the port now. */
  private asideRunning = 0;
  /** Board URL + certificate fingerprint pairs whose trust step the user confirmed in this session. */
  private readonly trusted = new Set<string>();

  constructor(options: PortalSessionOptions) {
    this.jobs = options.jobs;
    this.registry = options.registry;
    this.now = options.now ?? (() => Date.now());
    this.log = new SessionLog(this.now);
    this.current = initialState([]);
    this.picker = new FirmwarePicker(
      {
        log: this.log,
        jobs: this.jobs,
        state: () => this.current,
        busy: () => this.busy,
        update: (patch) => this.update(patch),
        run: (step, phase, body) => this.run(step, phase, body),
        firmwareChanged: () => this.refreshErase(),
      },
      options.sources,
      options.memory ?? null,
      options.preferredSource ?? null,
    );
    this.current = initialState(this.picker.offered(), this.picker.initialSelection());
    this.handoff = new HandoffController({
      log: this.log,
      jobs: this.jobs,
      registry: this.registry,
      now: this.now,
      state: () => this.current,
      busy: () => this.busy,
      update: (patch) => this.update(patch),
      run: (step, phase, body, options) => this.run(step, phase, body, options),
      notReady: (step, message) => this.notReady(step, message),
      onPhase: (step, e) => this.onPhase(step, e),
      reverify: (record) => this.reverify(record),
    });
    this.terminal = new TerminalController({
      log: this.log,
      port: () => this.port,
      state: () => this.current,
      update: (patch) => this.update(patch),
    });
    this.wifiSetup = new WifiController({
      log: this.log,
      jobs: this.jobs,
      registry: this.registry,
      port: () => this.port,
      state: () => this.current,
      update: (patch) => this.update(patch),
      aside: (body) => this.aside(body),
      protect: (secret) => this.log.protect(secret),
    });
    this.follow = new FollowController(
      {
        log: this.log,
        port: () => this.port,
        adopt: (port) => this.adoptPort(port),
        release: () => this.detachPort(),
        update: (patch) => this.update(patch),
      },
      options.ports,
      options.followWaitMs,
    );
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
    return this.abort !== null && this.asideRunning === 0;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  /** Use this port for the board and read what the board is. */
  async connect(choice: PortChoice): Promise<boolean> {
    if (this.busy) return false;
    // A Wi-Fi look at the previous board is of no use now.
    if (this.asideRunning > 0) this.abort?.abort();
    await this.asideSettled();
    this.handoff.clear();
    await this.terminal.close();
    this.follow.cancel();
    this.detachPort();
    this.unplugged = false;
    this.noAutoReset = false;
    this.port = choice.port;
    choice.port.addEventListener?.("disconnect", this.onDisconnect);
    this.wifiSetup.reset();
    this.update({
      port: { label: choice.label, virtual: choice.virtual },
      connect: idle(),
      flash: { ...idle(), parts: [] },
      provision: { ...idle(), wifi: this.current.provision.wifi },
      verify: idleVerify(),
    });
    this.log.portal(`Port chosen: ${choice.label}`);
    const ok = await this.run("connect", "Reading the board", async (signal) => {
      const board = await this.follow.retry(choice.port, (port) =>
        this.jobs.inspect(port, signal, (manualBoot) => {
          if (manualBoot) this.noAutoReset = true;
          this.update({ manualBoot });
        }),
      );
      const fw = board.firmware ? `${board.firmware.name} ${board.firmware.version}` : "no app found";
      this.log.portal(
        `Connected: ${board.description}, MAC ${board.mac}, flash ${board.flashSize ?? "?"} bytes, firmware: ${fw}`,
      );
      return board;
    });
    if (ok) {
      this.refreshErase();
      await this.picker.afterConnect();
      const fw = this.current.firmware;
      const board = this.current.connect.result;
      // An install this session started on this board was cut off: its app header may be on flash
      // while the rest is not, so "already installed" cannot be trusted; installing again writes
      // only what the board's own MD5s say is missing.
      const resume = board !== null && this.interruptedOn === board.mac;
      if (resume)
        this.log.portal(
          "The last install on this board was interrupted: installing again writes only what is missing.",
        );
      if (!resume && fw.status === "done" && this.current.erase?.reason === "already-installed" && fw.result) {
        // What is on the board is what was picked: nothing to flash, straight on to provisioning.
        this.log.portal(`${fw.result.name} ${fw.result.version} is already installed: going on to provisioning.`);
        this.goTo("provision");
        this.track(this.wifiSetup.detect(false));
      } else {
        // The user sees the board's facts beside the firmware choice; a production line goes on.
        this.goTo(this.current.productionLine && fw.status === "done" ? "flash" : "firmware");
      }
    }
    return ok;
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
    this.refreshErase();
  }

  /** The user's answer to "erase before installing?" (overrides the portal's choice). */
  setErase(erase: boolean): void {
    if (this.busy) return;
    this.update({ erase: { erase, reason: "user-choice", overridable: true } });
  }

  async flash(): Promise<boolean> {
    await this.follow.settled();
    const port = this.port;
    const board = this.current.connect.result;
    const offer = this.current.firmware.result;
    if (!port || !board) return this.notReady("flash", "Connect a board first.");
    if (!offer) return this.notReady("flash", "Choose the firmware to install first.");
    try {
      this.picker.assertAllowed(offer);
    } catch (err) {
      this.log.portal(`Refused: ${asPortalError(err).message}`);
      this.setStep("flash", { status: "error", phase: "", error: asPortalError(err), result: null });
      return false;
    }
    const erase = this.current.erase?.erase ?? decideErase(board, offer).erase;
    const plan = this.follow.plan(port, board.chip as ChipFamily, offer);
    this.follow.expect(plan);
    this.update({ flash: { ...this.current.flash, parts: [] } });
    this.log.portal(installHeadline(offer, erase, board.firmware !== null));
    const ok = await this.run("flash", "Starting", async (signal) => {
      await this.follow.retry(port, (port) =>
        this.jobs.install(
          port,
          {
            offer,
            board,
            erase,
            virtualPort: this.current.port?.virtual === true,
            signal,
            onParts: (names) =>
              this.patchFlash({ parts: names.map((name) => ({ name, written: 0, total: 0, status: "pending" })) }),
            // Reset lines that did not reach the chip at connect will not now: guide the user again.
            ...(this.noAutoReset ? { onManualBoot: (manualBoot) => this.update({ manualBoot }) } : {}),
          },
          (e) => this.onInstallEvent(e),
        ),
      );
      const parts = this.current.flash.parts;
      return {
        parts: parts.length,
        bytesWritten: parts.filter((p) => p.status !== "skipped").reduce((n, p) => n + p.total, 0),
        bytesSkipped: parts.filter((p) => p.status === "skipped").reduce((n, p) => n + p.total, 0),
      };
    });
    const failure = this.current.flash.error?.code;
    this.interruptedOn = !ok && (failure === "disconnected" || failure === "write-failed") ? board.mac : null;
    if (ok) {
      this.update({
        connect: {
          ...this.current.connect,
          result: { ...board, firmware: { name: offer.name, version: offer.version } },
        },
      });
      this.goTo("provision");
      this.follow.moveNow(plan);
      // The reset at the end of the install could not reach the chip: the user starts the app.
      if (this.noAutoReset)
        this.update({
          manualBoot: startAppGuidance(board.chip as ChipFamily, usbConnection(port.getInfo()).connector),
        });
      // As after any install: the console shows the new firmware boot, while the portal looks for
      // the board's way to Wi-Fi (pyDirect, Improv within the manifest's wait, or neither).
      this.track(
        this.follow
          .settled()
          .then(() => this.terminal.open())
          .then(() => this.wifiSetup.detect(true)),
      );
    }
    return ok;
  }

  /** Go on to provisioning without flashing (the right firmware is already on the board). */
  skipFlash(): void {
    if (this.busy || this.current.connect.status !== "done") return;
    this.log.portal("Flashing skipped: keeping the firmware on the board.");
    this.goTo("provision");
    this.track(this.wifiSetup.detect(false));
  }

  /** Remember Wi-Fi for this and the following boards; the password stays in memory only. */
  setWifi(wifi: WifiCredentials, deviceName = ""): void {
    if (this.wifi && this.wifi.password !== wifi.password) this.log.forget(this.wifi.password);
    this.wifi = { ssid: wifi.ssid, password: wifi.password };
    this.log.protect(wifi.password);
    this.deviceName = deviceName;
    this.update({
      provision: { ...this.current.provision, wifi: { ssid: wifi.ssid, hasPassword: wifi.password.length > 0 } },
    });
  }

  /** The WebREPL password the next provisioning sets (empty: a fresh one). Memory only, never logged. */
  setWebreplPassword(password: string): void {
    if (this.webreplPassword) this.log.forget(this.webreplPassword);
    this.webreplPassword = password || null;
    if (password) this.log.protect(password);
  }

  async provision(): Promise<boolean> {
    await this.follow.settled();
    const port = this.port;
    const board = this.current.connect.result;
    const wifi = this.wifi;
    if (!port || !board) return this.notReady("provision", "Connect a board first.");
    if (!wifi) return this.notReady("provision", "Enter the Wi-Fi network the board should join.");
    if (this.current.manualBoot) this.update({ manualBoot: null });
    const ok = await this.run("provision", "Making identity and certificate", async (signal) => {
      // Retried where the board came back when it left the port before the job could open it (the
      // reset that ends an install over USB-OTG/CDC lands just after the user moved on).
      const result = await this.follow.retry(port, (port) =>
        this.jobs.provision(
          port,
          {
            wifi,
            deviceName: this.deviceName,
            board,
            firmware: this.current.firmware.result,
            signal,
            ...(this.webreplPassword ? { webreplPassword: this.webreplPassword } : {}),
            nextPort: (lost) => this.follow.whereNext(lost),
          },
          (e) => this.onPhase("provision", e),
        ),
      );
      // Used once: the next board gets a fresh password unless the user types one again.
      this.webreplPassword = null;
      if (result.webreplPassword) this.log.protect(result.webreplPassword.reveal());
      this.log.portal(`Provisioned ${result.hostname}; certificate SHA-256 ${result.certFingerprint}`);
      return result;
    });
    if (ok) {
      this.goTo("verify");
      // Shown now, before the user presses anything: without it the first check cannot reach the board.
      const provisioned = this.current.provision.result;
      const trust = provisioned ? this.trustStepFor(board, provisioned) : null;
      if (trust) this.update({ verify: { ...this.current.verify, trust } });
    }
    return ok;
  }

  async verify(): Promise<boolean> {
    await this.follow.settled();
    const port = this.port;
    const board = this.current.connect.result;
    const provisioned = this.current.provision.result;
    if (!port || !board) return this.notReady("verify", "Connect a board first.");
    if (!provisioned) return this.notReady("verify", "Provision the board first.");
    if (this.busy) return false;
    this.handoff.clear();
    const trust = this.trustStepFor(board, provisioned);
    if (trust) {
      // Over HTTPS from a browser the check fails until the user has trusted the board's certificate.
      this.log.portal(
        `Before verifying: open ${trust.url} and trust ${trust.hostname}'s certificate (SHA-256 ${trust.fingerprint}).`,
      );
      this.update({ step: "verify", verify: { ...idleVerify(), trust } });
      return false;
    }
    const ok = await this.run("verify", "Opening a WebRTC DataChannel", async (signal) => {
      const result = await this.jobs.verify(port, { board, provisioned, signal }, (e) => this.onPhase("verify", e));
      if (!result.ok) {
        result.live?.close();
        throw new SessionError(
          "unexpected",
          `The board answered but the check failed: ${result.detail}. Retry; if it repeats, re-provision the board.`,
          { action: "retry" },
        );
      }
      this.log.portal(
        `Verified over WebRTC${result.roundTripMs !== null ? ` (round trip ${result.roundTripMs.toFixed(1)} ms)` : ""}`,
      );
      return this.handoff.handOff(result, await this.handoff.serialBase(provisioned), result.transport ?? "serial");
    });
    await this.recordFinished(ok);
    if (ok) this.update({ boardsDone: this.current.boardsDone + 1, productionLine: true });
    return ok;
  }

  /** The user opened the board's URL and trusted its certificate: verification starts now. */
  confirmTrust(): Promise<boolean> {
    const trust = this.current.verify.trust;
    if (!trust || this.busy) return Promise.resolve(false);
    this.trusted.add(trustKey(trust));
    this.log.portal(`Certificate of ${trust.hostname} trusted in the browser: verifying.`);
    this.update({ verify: { ...this.current.verify, trust: null } });
    return this.verify();
  }

  /**
   * Check again a board from the device list: it must be the board connected now (its identity
   * and certificate are read back from it), then the usual verification runs.
   */
  async reverify(record: DeviceRecord): Promise<boolean> {
    const port = this.port;
    const board = this.current.connect.result;
    if (!port || !board)
      return this.notReady("verify", `Connect ${record.hostname} first, then press Re-verify again.`);
    if (this.busy) return false;
    this.handoff.clear();
    const ok = await this.run("verify", `Reading ${record.hostname}'s certificate`, async (signal) => {
      const found = await this.jobs.readProvisioned(port, signal);
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
      this.update({ provision: { ...this.current.provision, status: "done", result: found } });
      this.log.portal(`Re-verifying ${record.hostname}`);
      const result = await this.jobs.verify(port, { board, provisioned: found, signal }, (e) =>
        this.onPhase("verify", e),
      );
      return this.handoff.handOff(result, await this.handoff.serialBase(found), "serial");
    });
    await this.recordFinished(ok);
    return ok;
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
    return this.wifi ? { ...this.wifi } : null;
  }

  /** Open the serial console on the connected board (after the current step, if one runs). */
  openTerminal(): Promise<boolean> {
    if (this.abort !== null) {
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
  async asideSettled(): Promise<void> {
    while (this.asideJobs.size > 0) await Promise.allSettled([...this.asideJobs]);
  }

  /** Production line: keep firmware and Wi-Fi, forget the board; the next one gets a fresh identity. */
  nextBoard(): void {
    if (this.busy) return;
    if (this.asideRunning > 0) this.abort?.abort();
    this.handoff.clear();
    void this.terminal.close();
    this.detachPort();
    this.update({
      step: "connect",
      port: null,
      connect: idle(),
      // The user's own erase choice is part of the line's settings; the portal's is per board.
      erase: this.current.erase?.reason === "user-choice" ? this.current.erase : null,
      flash: { ...idle(), parts: [] },
      provision: { ...idle(), wifi: this.current.provision.wifi },
      verify: idleVerify(),
    });
    this.wifiSetup.reset();
    this.log.portal("Next board: firmware and Wi-Fi kept; a new identity will be made.");
  }

  /** Run the step that failed (or the current one) again. */
  retry(): Promise<boolean> {
    const step = this.current.step;
    switch (step) {
      case "connect": {
        const port = this.port;
        const info = this.current.port;
        if (!port || !info) return Promise.resolve(false);
        return this.connect({ port, label: info.label, virtual: info.virtual });
      }
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
      this.track(this.wifiSetup.detect(false));
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Let go of the port (the user wants another one). */
  forgetPort(): void {
    this.cancel();
    this.handoff.clear();
    void this.terminal.close();
    this.detachPort();
    this.update({ step: "connect", port: null, connect: idle() });
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * A job beside the steps (Wi-Fi detection, scans, Improv, change Wi-Fi): the port is its own
   * while it runs (the console pauses), `cancel()` stops it, and no step state changes.
   */
  private async aside<R>(body: (signal: AbortSignal) => Promise<R>): Promise<R> {
    if (this.abort)
      throw new SessionError(
        "step-not-ready",
        "Another step is still running; wait for it to finish, then try again.",
        { action: "none" },
      );
    const abort = new AbortController();
    this.abort = abort;
    this.asideRunning++;
    let resumeTerminal = false;
    const job = (async () => {
      try {
        resumeTerminal = await this.terminal.suspend();
        return await body(abort.signal);
      } finally {
        this.abort = null;
        this.asideRunning--;
        if (resumeTerminal || this.current.terminal.status === "paused") void this.terminal.resume();
        this.update({});
      }
    })();
    this.track(job);
    return job;
  }

  /** Background work a step must wait for (see `asideSettled`). */
  private track(job: Promise<unknown>): void {
    this.asideJobs.add(job);
    void job.then(
      () => this.asideJobs.delete(job),
      () => this.asideJobs.delete(job),
    );
  }

  private async run<R>(
    step: StepId,
    phase: string,
    body: (signal: AbortSignal) => Promise<R>,
    options: { usesPort?: boolean } = {},
  ): Promise<boolean> {
    // A Wi-Fi detection or scan the user did not start waits for no one; a step waits for it.
    if (this.asideJobs.size > 0) await this.asideSettled();
    if (this.abort) {
      this.log.portal(`Ignored: another step is still running.`);
      return false;
    }
    const abort = new AbortController();
    this.abort = abort;
    this.setStep(step, { status: "running", phase, error: null, result: null });
    this.update({ step });
    let resumeTerminal = false;
    try {
      // Steps that talk to the board over serial need the port: the console waits for them.
      if (options.usesPort ?? step !== "firmware") resumeTerminal = await this.terminal.suspend();
      const result = await body(abort.signal);
      this.setStep(step, { status: "done", phase: "", error: null, result });
      return true;
    } catch (err) {
      let error = asPortalError(err);
      if (this.unplugged && error.code === "cancelled") error = unpluggedError();
      // With the port gone, "try again" cannot work: the way on is picking the port again.
      else if (this.unplugged && error.action === "retry")
        error = new PortalError(error.code, error.message, { action: "pick-another-port", cause: error });
      this.log.portal(`Error (${error.code}): ${error.message}`);
      this.setStep(step, { status: "error", phase: "", error, result: null });
      return false;
    } finally {
      this.abort = null;
      if (resumeTerminal || this.current.terminal.status === "paused") void this.terminal.resume();
    }
  }

  /** The trust step verification needs first, unless none is needed or the user already confirmed it. */
  private trustStepFor(board: BoardSummary, provisioned: ProvisionSummary): CertificateTrustStep | null {
    let step: CertificateTrustStep | null;
    try {
      step = this.jobs.verifyTrust?.({ board, provisioned }) ?? null;
    } catch (err) {
      // The verification itself will meet the same problem and report it as its error.
      this.log.portal(`Could not work out how to reach the board: ${asPortalError(err).message}`);
      return null;
    }
    return step && !this.trusted.has(trustKey(step)) ? step : null;
  }

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

  private refreshErase(): void {
    const offer = this.current.firmware.result;
    if (!offer) return;
    this.refreshConsolePlan(offer);
    if (this.current.erase?.reason === "user-choice") return;
    this.update({ erase: decideErase(this.current.connect.result, offer) });
  }

  /** Said before installing: where the console will be when it is not this port. */
  private refreshConsolePlan(offer: FirmwareOffer): void {
    const board = this.current.connect.result;
    const plan = this.port && board ? this.follow.plan(this.port, board.chip as ChipFamily, offer) : null;
    const consolePlan = plan && plan.kind !== "same-port" ? { kind: plan.kind, sentence: plan.sentence } : null;
    if (consolePlan?.sentence !== this.current.consolePlan?.sentence) this.update({ consolePlan });
  }

  private onInstallEvent(e: InstallEvent): void {
    const { flash, log } = foldInstallEvent(this.current.flash, e);
    if (flash !== this.current.flash) this.update({ flash });
    if (log) this.log.portal(log);
  }

  private patchFlash(patch: Partial<SessionState["flash"]>): void {
    this.update({ flash: { ...this.current.flash, ...patch } });
  }

  private onPhase(step: "provision" | "verify", e: PhaseEvent): void {
    const phase = e.detail ? `${e.state}: ${e.detail}` : e.state;
    this.setStep(step, { phase });
    this.log.portal(`${step}: ${phase}`);
  }

  private async recordFinished(ok: boolean): Promise<void> {
    if (!this.registry) return;
    try {
      const id = this.current.provision.result?.deviceId;
      const before = id ? await this.registry.get(id) : undefined;
      const record = finishedBoardRecord(this.current, ok, new Date(this.now()).toISOString(), before);
      if (record) await this.registry.put(record);
    } catch (err) {
      this.log.portal(`Could not save the board to the device list: ${asPortalError(err).message}`);
    }
  }

  private portGone(): void {
    if (this.port && this.follow.portLeft(this.port)) return;
    this.log.portal("The board was unplugged.");
    this.unplugged = true;
    void this.terminal.close();
    this.detachPort();
    // The running job notices the lost port itself and says so; stop it only if it does not.
    const abort = this.abort;
    if (abort) setTimeout(() => abort.abort(), UNPLUG_GRACE_MS);
    else {
      this.setStep("connect", { status: "error", error: unpluggedError(), phase: "", result: null });
      this.goTo("connect");
    }
    this.update({ port: null });
  }

  /** The board came back on another port: carry on there, every step's state kept. */
  private adoptPort(port: SerialPortLike): void {
    this.detachPort();
    this.unplugged = false;
    this.port = port;
    port.addEventListener?.("disconnect", this.onDisconnect);
    const label = describePort(port.getInfo());
    this.log.portal(`The board is now on ${label}.`);
    this.update({ port: { label, virtual: this.current.port?.virtual ?? false } });
    if (this.current.firmware.result) this.refreshConsolePlan(this.current.firmware.result);
  }

  private detachPort(): void {
    this.port?.removeEventListener?.("disconnect", this.onDisconnect);
    this.port = null;
  }

  private update(patch: Partial<SessionState>): void {
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l(this.current);
  }
}

function trustKey(step: CertificateTrustStep): string {
  return `${step.url} ${step.fingerprint}`;
}
