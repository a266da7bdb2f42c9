/**
 * The application a pyDirect image runs on the virtual board: MicroPython with the board's files
 * in flash, the device scripts frozen in, a simulated radio, and the console protocol on the
 * serial link. One MicroPythonRuntime lives from power-on (or hard reset) to power-off.
 */
import type { AppContext, AppRuntime } from "../types";
import { ConsoleOutput } from "./console-output";
import {
  FilesystemFullError,
  findFilesystemRegion,
  listBoardFiles,
  restoreFilesystem,
  saveFilesystem,
  writeFileMakingDirs,
  type FlashRegion,
  type FsEntry,
} from "./flash-fs";
import { Interpreter, blockFor, type ExecOutcome, type ResetKind } from "./interpreter";
import type { MicroPythonInstance } from "./load-wasm";
import { ReplConsole, type ReplHost, type ReplMode } from "./repl-console";
import {
  VirtualWifi,
  type ConnectDelays,
  type VirtualAccessPoint,
  type WifiEvent,
  type WifiSnapshot,
} from "./virtual-wifi";

/** Registers JS-backed modules (webrtc, httpserver…) before boot.py; may return a cleanup for power-off. */
export type MicroPythonModuleHook = (
  mp: MicroPythonInstance,
  ctx: AppContext,
) => (() => void) | undefined | Promise<(() => void) | undefined>;

/** One `PYDIRECT {...}` status line the device scripts printed, parsed. */
export type DeviceStatusEvent = { event: string; [key: string]: unknown };

export interface RuntimeSettings {
  accessPoints: VirtualAccessPoint[];
  delays: ConnectDelays;
  rawPaste: boolean;
  ip: string;
  modules: MicroPythonModuleHook[];
  frozenFiles: Record<string, string>;
  /** Paths (e.g. "/lib/", "/settings/default_settings.json") the firmware refreshes every boot. */
  firmwareOwned: (path: string) => boolean;
  /** How sleeps in plain functions wait (see InterpreterHost.blockingWait); default: block the thread. */
  blockingWait?: (ms: number, interruptible: boolean) => boolean;
  /** See MicroPythonAppOptions.threadHeldLimitMs. */
  threadHeldLimitMs?: number;
}

/**
 * The interpreter on the host's own thread (Node, default blockingWait) cannot serve anything while
 * a plain-function loop sleeps in it: the HTTP server and everything else on the thread starve, and
 * a loop that never returns (upstream pyDirect's setup server, device-scripts/lib/sys/
 * setup_server.py:184-193) would hold the thread, and the test process with it, for ever. On a chip
 * the other tasks run on; here, past this long without one event-loop turn, the board says so on
 * its console and interrupts the program (KeyboardInterrupt where it sleeps). A simulator limit,
 * not chip behaviour; a board in a worker (browser, createMicroPythonWorkerApp) is just busy.
 */
export const THREAD_HELD_LIMIT_MS = 20_000;

export interface RuntimeEvents {
  wifi(e: WifiEvent): void;
  status(e: DeviceStatusEvent): void;
  /** The filesystem image was written to ctx.flash at [offset, offset + length). */
  flashWritten?(offset: number, length: number): void;
}

/** machine.reset_cause() as the ESP32 port maps esp_reset_reason(): EN pin and power-on → PWRON, esp_restart → SOFT. */
const RESET_CAUSE = { power: 1, hard: 2, soft: 5 } as const;
const MICROPYTHON_VERSION = "v1.27.0 on 2025-12-10";

export class MicroPythonRuntime implements AppRuntime, ReplHost {
  readonly out: ConsoleOutput;
  /** Resolves once boot.py and main.py have run and the first prompt is out. */
  readonly ready: Promise<void>;
  private interp: Interpreter | undefined;
  private readonly console: ReplConsole;
  private readonly wifiRadio: VirtualWifi;
  private readonly region: FlashRegion;
  private cleanups: Array<() => void> = [];
  private stopped = false;
  private lineBuffer = "";
  private warnedFull = false;
  /** The reset a boot.py/main.py that raised SystemExit asked for (see bootInterpreter). */
  private scriptExit: ResetKind | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly settings: RuntimeSettings,
    private readonly events: RuntimeEvents,
  ) {
    this.out = new ConsoleOutput((bytes) => ctx.write(bytes));
    this.out.onText((text) => this.watchStatusLines(text));
    this.console = new ReplConsole(this, { rawPaste: settings.rawPaste });
    this.region = findFilesystemRegion(ctx.flash);
    this.wifiRadio = new VirtualWifi({
      accessPoints: settings.accessPoints,
      delays: settings.delays,
      ip: settings.ip,
      hostname: "espressif",
    });
    this.wifiRadio.onEvent((e) => events.wifi(e));
    ctx.signal.addEventListener("abort", () => this.stop(), { once: true });
    this.ready = this.console
      .occupy(async () => {
        await this.bootInterpreter("friendly", ctx.resetCause === "software" ? RESET_CAUSE.soft : RESET_CAUSE.power);
        if (!this.stopped) this.console.prompt();
      })
      .catch((err: unknown) => this.reportFault("MicroPython failed to start", err));
  }

  // ---- AppRuntime --------------------------------------------------------------------------------

  input(bytes: Uint8Array): void {
    if (!this.stopped) this.console.input(bytes);
  }

  stop(): void {
    if (this.stopped) return;
    this.persist();
    this.stopped = true;
    this.shutdownInterpreter();
    this.wifiRadio.dispose();
  }

  // ---- what tests and the portal's virtual mode read ------------------------------------------

  get wifi(): WifiSnapshot {
    return this.wifiRadio.snapshot();
  }

  get mode(): ReplMode {
    return this.console.mode;
  }

  /** The running interpreter (replaced on every soft reset). */
  get micropython(): MicroPythonInstance | undefined {
    return this.interp?.mp;
  }

  /** The board's files as the filesystem holds them now. */
  files(): FsEntry[] {
    return this.interp ? listBoardFiles(this.interp.mp.FS) : [];
  }

  get filesystemRegion(): FlashRegion {
    return this.region;
  }

  /** Bytes the files take as a block filesystem would count them: whole 4 KB blocks. */
  filesystemUsage(): { size: number; used: number } {
    const block = 4096;
    const used = this.files().reduce((sum, f) => sum + (f.data ? Math.ceil(f.data.length / block) : 1) * block, 0);
    return { size: this.region.size, used };
  }

  // ---- ReplHost ------------------------------------------------------------------------------------

  async run(code: string): Promise<ExecOutcome> {
    const interp = this.interp;
    if (!interp) return { kind: "exception", type: "RuntimeError", traceback: "RuntimeError: no interpreter\n" };
    const outcome = await this.execute(interp, code);
    this.persist();
    return outcome;
  }

  isExpression(source: string): boolean {
    return this.interp?.isExpression(source) ?? false;
  }

  interrupt(): void {
    this.interp?.interrupt();
  }

  inputQueued(): void {
    this.interp?.inputArrived();
  }

  async reset(kind: ResetKind, mode: ReplMode): Promise<void> {
    this.persist();
    if (kind === "hard" && this.ctx.restart) {
      // machine.reset(): the whole chip restarts and this runtime is stopped; nothing follows here.
      this.ctx.restart();
      return new Promise(() => {});
    }
    this.shutdownInterpreter();
    this.wifiRadio.setActive(false);
    if (kind === "soft") this.out.raw("MPY: soft reboot\r\n");
    const nextMode: ReplMode = kind === "hard" ? "friendly" : mode;
    this.console.mode = nextMode;
    await this.bootInterpreter(nextMode, kind === "hard" ? RESET_CAUSE.hard : RESET_CAUSE.soft);
    if (!this.stopped) this.console.prompt();
  }

  banner(): string {
    return `MicroPython ${MICROPYTHON_VERSION}; ${this.machine}`;
  }

  /** What the port calls the board: "<board> with <chip>". */
  get machine(): string {
    return `${this.ctx.app.projectName || "pyDirect"} with ${this.ctx.board.chip.replace("-", "")}`;
  }

  // ---- internals -------------------------------------------------------------------------------------

  private async bootInterpreter(mode: ReplMode, resetCause: number): Promise<void> {
    const interp = await Interpreter.start({
      wifi: this.wifiRadio,
      mac: this.ctx.board.mac,
      resetCause,
      machine: this.machine,
      platform: this.ctx.board.chip === "ESP8266" ? "esp8266" : "esp32",
      output: (b) => this.out.cooked(b),
      input: () => this.console.takeInputByte(),
      inputLine: () => this.console.takeInputLine(),
      filesystemUsage: () => this.filesystemUsage(),
      // What was printed before a blocking sleep must reach the host before the sleep, as a UART's would.
      blockingWait: (ms, interruptible) => {
        this.out.flush();
        if (this.settings.blockingWait) return this.settings.blockingWait(ms, interruptible);
        if (this.threadHeld()) return true;
        blockFor(ms);
        return false;
      },
    });
    if (this.stopped) {
      interp.dispose();
      return;
    }
    this.interp = interp;
    interp.onDisplaced = () =>
      this.out.raw("\r\nvirtual board: another board's MicroPython took over this page; this one stopped.\r\n");
    this.installFiles(interp.mp);
    for (const hook of this.settings.modules) {
      try {
        const cleanup = await hook(interp.mp, this.ctx);
        if (typeof cleanup === "function") this.cleanups.push(cleanup);
      } catch (err) {
        // The board still boots, as firmware whose optional module failed to initialise would.
        this.reportFault("a module hook failed", err);
      }
    }
    // The hooks awaited above may have seen the board powered off; the compiler's narrowing from
    // the check before them does not know that.
    if (this.stopped as boolean) return;
    const ranBoot = await this.runScript("boot.py");
    if (ranBoot && mode === "friendly") await this.runScript("main.py");
    this.persist();
    await this.resetAfterScripts(mode);
  }

  /**
   * boot.py or main.py ended with SystemExit (machine.soft_reset(), sys.exit()): the ESP32 port's
   * main.c sees PYEXEC_FORCED_EXIT from pyexec_file_if_exists and soft-resets (machine.reset()
   * restarts the chip), instead of going on to the REPL.
   */
  private async resetAfterScripts(mode: ReplMode): Promise<void> {
    const exit = this.scriptExit;
    this.scriptExit = undefined;
    if (!exit || this.stopped) return;
    if (exit === "hard" && this.ctx.restart) {
      this.ctx.restart();
      return new Promise(() => {});
    }
    this.shutdownInterpreter();
    this.wifiRadio.setActive(false);
    this.out.raw("MPY: soft reboot\r\n");
    await this.bootInterpreter(mode, RESET_CAUSE.soft);
  }

  /**
   * Runs a script from the filesystem as pyexec_file does. True when it ran to the end or is
   * absent: like the firmware, main.py is skipped when boot.py raised or exited.
   */
  private async runScript(name: string): Promise<boolean> {
    const interp = this.interp;
    if (!interp || this.stopped) return false;
    const fs = interp.mp.FS;
    if (!fs.analyzePath(`/${name}`).exists) return true;
    const source = new TextDecoder().decode(fs.readFile(`/${name}`));
    const outcome = await this.execute(interp, source, { filename: name });
    if (outcome.kind === "exception") this.out.cooked(new TextEncoder().encode(outcome.traceback));
    if (outcome.kind === "exit") this.scriptExit = outcome.reset;
    return outcome.kind === "ok";
  }

  /** Everything printed so far (the raw REPL's "OK", echo, boot lines) is on the wire before the code runs, even code that never yields. */
  private execute(interp: Interpreter, code: string, options?: { filename?: string }): Promise<ExecOutcome> {
    this.out.flush();
    return interp.exec(code, options);
  }

  /** Files from flash; on a blank filesystem, the frozen device scripts as a fresh flash has them. */
  private installFiles(mp: MicroPythonInstance): void {
    const restored = restoreFilesystem(mp.FS, this.ctx.flash, this.region);
    for (const [path, text] of Object.entries(this.settings.frozenFiles)) {
      const exists = mp.FS.analyzePath(path).exists;
      if (!restored || !exists || this.settings.firmwareOwned(path)) writeFileMakingDirs(mp.FS, path, text);
    }
  }

  private persist(): void {
    if (this.stopped || !this.interp || this.interp.isDisposed) return;
    try {
      const written = saveFilesystem(this.interp.mp.FS, this.ctx.flash, this.region);
      this.warnedFull = false;
      this.events.flashWritten?.(this.region.offset, written);
    } catch (err) {
      if (!(err instanceof FilesystemFullError)) throw err;
      if (!this.warnedFull) this.out.raw(`\r\nvirtual board: ${err.message}\r\n`);
      this.warnedFull = true;
    }
  }

  private shutdownInterpreter(): void {
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // A module's cleanup failing must not keep the board from resetting.
      }
    }
    this.interp?.dispose();
    this.interp = undefined;
  }

  private heldSince: number | null = null;

  /** Whether Python has held this thread past the limit (see THREAD_HELD_LIMIT_MS). */
  private threadHeld(): boolean {
    const now = Date.now();
    if (this.heldSince === null) {
      this.heldSince = now;
      // Runs at the thread's next event-loop turn, i.e. once Python lets go.
      setTimeout(() => (this.heldSince = null), 0);
      return false;
    }
    const limit = this.settings.threadHeldLimitMs ?? THREAD_HELD_LIMIT_MS;
    if (now - this.heldSince < limit) return false;
    this.heldSince = null;
    this.out.raw(
      `\r\nvirtual board: a blocking loop held the JavaScript thread for ${String(limit / 1000)} s; ` +
        "nothing else on it (HTTP server, WebRTC) could run, so the program is interrupted.\r\n",
    );
    return true;
  }

  private reportFault(what: string, err: unknown): void {
    if (this.stopped) return;
    this.out.raw(`\r\nvirtual board: ${what}: ${err instanceof Error ? err.message : String(err)}\r\n`);
  }

  private watchStatusLines(text: string): void {
    this.lineBuffer += text;
    let nl: number;
    while ((nl = this.lineBuffer.indexOf("\n")) !== -1) {
      const line = this.lineBuffer.slice(0, nl).replace(/\r$/, "");
      this.lineBuffer = this.lineBuffer.slice(nl + 1);
      const at = line.indexOf("PYDIRECT {");
      if (at === -1) continue;
      try {
        const parsed = JSON.parse(line.slice(at + "PYDIRECT ".length)) as DeviceStatusEvent | null;
        if (parsed && typeof parsed.event === "string") this.events.status(parsed);
      } catch {
        // Not a status line after all (e.g. echoed source); ignore.
      }
    }
    if (this.lineBuffer.length > 4096) this.lineBuffer = this.lineBuffer.slice(-4096);
  }
}
