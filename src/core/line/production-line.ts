/**
 * The production line: several boards on their own ports, each run through
 * connect → install → provision → verify at the same time, with the firmware and Wi-Fi every board
 * shares. A board that fails, or is unplugged, fails alone with its reason while the others go on;
 * each board reaches the device registry as it finishes. DOM-free: the grid renders `state` and
 * the events, tests drive it in Node.
 */
import { PortalError } from "../errors";
import type { SerialPortLike } from "../port/serial-port";
import type { DeviceRegistry } from "../registry/device-record";
import { validateWifiCredentials } from "../provision/wifi-settings";
import type { PortalJobs } from "../session/jobs";
import { asPortalError } from "../session/session-errors";
import { runLineBoard } from "./board-run";
import { LineError } from "./line-errors";
import { type LineBoardState, type LineEvent, type LineSettings, type LineState, type LineSummary } from "./line-types";

/** A port as the line takes it (the session's PortChoice has this shape). */
export interface LinePort {
  port: SerialPortLike;
  label: string;
  virtual: boolean;
}

export interface ProductionLineOptions {
  jobs: PortalJobs;
  registry?: DeviceRegistry;
  /** Most boards on the line at once (Espressif's Flash Download Tool factory mode has 8 ports). */
  maxBoards?: number;
  /** Most boards running at once; default all of them. 1 runs them one after another. */
  concurrency?: number;
  /** How long a job may take to notice a pulled cable before the line stops it. */
  unplugGraceMs?: number;
  now?: () => number;
}

type Listener = (event: LineEvent) => void;

interface BoardSlot {
  state: LineBoardState;
  port: LinePort;
  abort: AbortController | null;
  unplugged: boolean;
  onDisconnect: () => void;
}

export const DEFAULT_MAX_BOARDS = 8;
const DEFAULT_UNPLUG_GRACE_MS = 3000;

export class ProductionLine {
  readonly maxBoards: number;
  private readonly jobs: PortalJobs;
  private readonly registry: DeviceRegistry | undefined;
  private readonly concurrency: number;
  private readonly unplugGraceMs: number;
  /** The clock boards' `startedAt`/`finishedAt` are read on (for elapsed times). */
  readonly now: () => number;
  private readonly slots = new Map<string, BoardSlot>();
  private readonly listeners = new Set<Listener>();
  private nextNumber = 1;
  /** Held only while the line runs; the Wi-Fi password never leaves memory. */
  private settings: LineSettings | null = null;
  private queue: string[] = [];
  private workers = new Set<Promise<void>>();
  private stopping = false;
  /** Boards of the current run (those started with it and those added while it ran). */
  private ran = new Set<string>();

  constructor(options: ProductionLineOptions) {
    this.jobs = options.jobs;
    this.registry = options.registry;
    this.maxBoards = options.maxBoards ?? DEFAULT_MAX_BOARDS;
    this.concurrency = Math.max(1, options.concurrency ?? this.maxBoards);
    this.unplugGraceMs = options.unplugGraceMs ?? DEFAULT_UNPLUG_GRACE_MS;
    this.now = options.now ?? (() => Date.now());
  }

  get running(): boolean {
    return this.settings !== null;
  }

  get state(): LineState {
    return { running: this.running, boards: [...this.slots.values()].map((s) => s.state) };
  }

  board(id: string): LineBoardState | undefined {
    return this.slots.get(id)?.state;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Put a board on the line. While the line runs it joins at once (plugged in mid-batch). */
  addPort(choice: LinePort): LineBoardState {
    if (this.slots.size >= this.maxBoards) throw LineError.full(this.maxBoards);
    if ([...this.slots.values()].some((s) => s.port.port === choice.port)) throw LineError.alreadyAdded(choice.label);
    const number = this.nextNumber++;
    const id = `board-${number}`;
    const slot: BoardSlot = {
      state: {
        id,
        number,
        label: choice.label,
        virtual: choice.virtual,
        chip: null,
        mac: null,
        step: "waiting",
        phase: "",
        progress: 0,
        result: null,
        error: null,
        startedAt: null,
        finishedAt: null,
      },
      port: choice,
      abort: null,
      unplugged: false,
      onDisconnect: () => this.portGone(id),
    };
    choice.port.addEventListener?.("disconnect", slot.onDisconnect);
    this.slots.set(id, slot);
    this.emit({ type: "board-added", board: slot.state });
    if (this.running && !this.stopping) {
      this.queue.push(id);
      this.ran.add(id);
      this.spawnWorkers();
    }
    return slot.state;
  }

  /** Take a board off the line (not while it runs). */
  removeBoard(id: string): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    if (slot.abort) throw LineError.running();
    slot.port.port.removeEventListener?.("disconnect", slot.onDisconnect);
    this.slots.delete(id);
    this.queue = this.queue.filter((q) => q !== id);
    this.emit({ type: "board-removed", id });
  }

  /** Take every finished board off the line, to make room for the next batch. */
  clearFinished(): void {
    for (const slot of [...this.slots.values()]) if (slot.state.step === "done") this.removeBoard(slot.state.id);
  }

  /**
   * Run every board not yet done (waiting, failed or stopped ones again) until each has finished.
   * Resolves with the tally; a board's failure is in its own state, never thrown.
   */
  async start(settings: LineSettings): Promise<LineSummary> {
    if (this.running) throw LineError.running();
    const todo = [...this.slots.values()].filter((s) => s.state.step !== "done" && !s.unplugged);
    if (todo.length === 0) throw LineError.noBoards();
    // Settings every board shares are checked once, before any board starts: a password too short
    // is one sentence, not eight failed boards.
    if (settings.wifi) validateWifiCredentials(settings.wifi);
    this.settings = { ...settings, wifi: settings.wifi ? { ...settings.wifi } : null };
    this.stopping = false;
    const started = this.now();
    for (const slot of todo)
      this.patch(slot, {
        step: "waiting",
        phase: "",
        progress: 0,
        result: null,
        error: null,
        startedAt: null,
        finishedAt: null,
      });
    this.queue = todo.map((s) => s.state.id);
    this.ran = new Set(this.queue);
    this.emit({ type: "line-started", boards: todo.length });
    this.spawnWorkers();
    try {
      // Workers may be added while others run (a board plugged in mid-batch): wait for all.
      while (this.workers.size > 0) await Promise.all([...this.workers]);
    } finally {
      this.settings = null;
    }
    const ran = [...this.slots.values()].filter((s) => this.ran.has(s.state.id));
    const summary: LineSummary = {
      passed: ran.filter((s) => s.state.step === "done").length,
      failed: ran.filter((s) => s.state.step === "failed").length,
      stopped: ran.filter((s) => s.state.step === "stopped").length,
      elapsedMs: this.now() - started,
    };
    this.emit({ type: "line-finished", summary });
    return summary;
  }

  /** Stop every running board where it is; waiting boards do not start. */
  stop(): void {
    if (!this.running) return;
    this.stopping = true;
    for (const id of this.queue) {
      const slot = this.slots.get(id);
      if (slot) this.finish(slot, { step: "stopped", phase: "", error: LineError.stopped() });
    }
    this.queue = [];
    for (const slot of this.slots.values()) slot.abort?.abort(LineError.stopped());
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * One worker per board that may run now. A new worker takes its board from the queue before its
   * first await, so each spawn consumes one queued board; workers that finish a board take the
   * next one.
   */
  private spawnWorkers(): void {
    while (this.workers.size < this.concurrency && this.queue.length > 0) {
      const worker = this.work().finally(() => this.workers.delete(worker));
      this.workers.add(worker);
    }
  }

  private async work(): Promise<void> {
    for (let id = this.queue.shift(); id !== undefined; id = this.queue.shift()) {
      const slot = this.slots.get(id);
      if (slot && !this.stopping) await this.runBoard(slot);
    }
  }

  private async runBoard(slot: BoardSlot): Promise<void> {
    const settings = this.settings;
    if (!settings) return;
    if (slot.unplugged) {
      this.finish(slot, { step: "failed", error: LineError.unplugged(slot.state.label) });
      return;
    }
    const abort = new AbortController();
    slot.abort = abort;
    this.patch(slot, { startedAt: this.now(), finishedAt: null });
    try {
      const result = await runLineBoard({
        jobs: this.jobs,
        port: slot.port.port,
        virtual: slot.port.virtual,
        settings,
        signal: abort.signal,
        now: this.now,
        update: (patch) => this.patch(slot, patch),
        ...(this.registry ? { registry: this.registry } : {}),
      });
      this.finish(slot, { step: "done", phase: "", progress: 1, result });
    } catch (err) {
      this.finish(slot, this.failure(slot, abort.signal, err));
    } finally {
      slot.abort = null;
    }
  }

  private failure(slot: BoardSlot, signal: AbortSignal, err: unknown): Partial<LineBoardState> {
    if (this.stopping && !slot.unplugged) return { step: "stopped", phase: "", error: LineError.stopped() };
    let error: PortalError = asPortalError(err);
    // Stopped by the line because the cable went: say that, not "cancelled".
    if (slot.unplugged && (signal.aborted || error.code === "cancelled")) error = LineError.unplugged(slot.state.label);
    return { step: "failed", phase: "", error };
  }

  private finish(slot: BoardSlot, patch: Partial<LineBoardState>): void {
    this.patch(slot, { ...patch, finishedAt: this.now() });
    this.emit({ type: "board-finished", board: slot.state });
  }

  private portGone(id: string): void {
    const slot = this.slots.get(id);
    if (!slot || slot.unplugged) return;
    slot.unplugged = true;
    const abort = slot.abort;
    // The running job notices the lost port itself and says how; stop it only if it does not.
    if (abort) setTimeout(() => abort.abort(LineError.unplugged(slot.state.label)), this.unplugGraceMs);
    else if (slot.state.step === "waiting") {
      this.queue = this.queue.filter((q) => q !== id);
      this.finish(slot, { step: "failed", phase: "", error: LineError.unplugged(slot.state.label) });
    }
    // A finished board being unplugged is the operator taking it off the line: nothing to say.
  }

  private patch(slot: BoardSlot, patch: Partial<LineBoardState>): void {
    slot.state = { ...slot.state, ...patch };
    this.emit({ type: "board-changed", board: slot.state });
  }

  private emit(event: LineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not stop the boards.
      }
    }
  }
}
