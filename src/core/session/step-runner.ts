/**
 * How the session runs its jobs: one step at a time (`run`), jobs beside the steps (`aside`:
 * Wi-Fi detection, scans) that a step waits for, and the abort that `cancel()` and a pulled cable
 * use. The console gives the port up while a job talks to the board and gets it back after.
 */
import { PortalError } from "../errors";
import { revokedError } from "../port/port-errors";
import { SessionError, asPortalError } from "./session-errors";
import type { SessionLog } from "./session-log";
import { unpluggedError } from "./session-state";
import type { SessionState, StepId, StepState } from "./session-types";

/** What the runner needs from the session that owns it. */
export interface StepRunnerHost {
  readonly log: SessionLog;
  state(): SessionState;
  update(patch: Partial<SessionState>): void;
  setStep(step: StepId, patch: Partial<StepState<unknown>>): void;
  /** The port went away while the job ran (its errors then say so). */
  unplugged(): boolean;
  /** The site's permission for the port was taken back (the port is still plugged in). */
  portRevoked?(): Promise<boolean>;
  /** The console stops reading the port; true when it was open and should resume. */
  suspendTerminal(): Promise<boolean>;
  resumeTerminal(): void;
}

export class StepRunner {
  private abort: AbortController | null = null;
  /** Jobs running aside (Wi-Fi detection, scans): a step waits for them before it starts. */
  private readonly asideJobs = new Set<Promise<unknown>>();
  /** An aside job holds the port now. */
  private asideRunning = 0;

  constructor(private readonly host: StepRunnerHost) {}

  /** A step runs. Wi-Fi detection and scans beside the steps do not count: a step waits for them. */
  get busy(): boolean {
    return this.abort !== null && this.asideRunning === 0;
  }

  /** A step or an aside job holds the port now. */
  get running(): boolean {
    return this.abort !== null;
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Stop an aside job (a Wi-Fi look at a board that is of no use now); a step runs on. */
  cancelAside(): void {
    if (this.asideRunning > 0) this.abort?.abort();
  }

  /** Stop the running job after `ms` unless it ends first; false when none runs. */
  cancelAfter(ms: number): boolean {
    const abort = this.abort;
    if (!abort) return false;
    setTimeout(() => abort.abort(), ms);
    return true;
  }

  /** Resolves when no Wi-Fi detection or scan runs (tests; steps wait for this themselves). */
  async asideSettled(): Promise<void> {
    while (this.asideJobs.size > 0) await Promise.allSettled([...this.asideJobs]);
  }

  /**
   * A job beside the steps (Wi-Fi detection, scans, Improv, change Wi-Fi): the port is its own
   * while it runs (the console pauses), `cancel()` stops it, and no step state changes.
   */
  async aside<R>(body: (signal: AbortSignal) => Promise<R>): Promise<R> {
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
        resumeTerminal = await this.host.suspendTerminal();
        return await body(abort.signal);
      } finally {
        this.abort = null;
        this.asideRunning--;
        if (resumeTerminal || this.host.state().terminal.status === "paused") this.host.resumeTerminal();
        this.host.update({});
      }
    })();
    this.track(job);
    return job;
  }

  /** Background work a step must wait for (see `asideSettled`). */
  track(job: Promise<unknown>): void {
    this.asideJobs.add(job);
    void job.then(
      () => this.asideJobs.delete(job),
      () => this.asideJobs.delete(job),
    );
  }

  async run<R>(
    step: StepId,
    phase: string,
    body: (signal: AbortSignal) => Promise<R>,
    options: { usesPort?: boolean } = {},
  ): Promise<boolean> {
    const host = this.host;
    // A Wi-Fi detection or scan the user did not start waits for no one; a step waits for it.
    if (this.asideJobs.size > 0) await this.asideSettled();
    if (this.abort) {
      host.log.portal(`Ignored: another step is still running.`);
      return false;
    }
    const abort = new AbortController();
    this.abort = abort;
    host.setStep(step, { status: "running", phase, error: null, result: null });
    host.update({ step });
    let resumeTerminal = false;
    const usesPort = options.usesPort ?? step !== "firmware";
    try {
      // Steps that talk to the board over serial need the port: the console waits for them.
      if (usesPort) resumeTerminal = await host.suspendTerminal();
      const result = await body(abort.signal);
      host.setStep(step, { status: "done", phase: "", error: null, result });
      return true;
    } catch (err) {
      let error = asPortalError(err);
      if (host.unplugged() && error.code === "cancelled") error = unpluggedError();
      // With the port gone, "try again" cannot work: the way on is picking the port again.
      else if (host.unplugged() && error.action === "retry")
        error = new PortalError(error.code, error.message, { action: "pick-another-port", cause: error });
      // Still plugged in, but no longer this site's: whatever the job saw, that is the cause.
      else if (usesPort && !host.unplugged() && error.code !== "cancelled" && (await host.portRevoked?.()))
        error = revokedError(error);
      host.log.portal(`Error (${error.code}): ${error.message}`);
      host.setStep(step, { status: "error", phase: "", error, result: null });
      return false;
    } finally {
      this.abort = null;
      if (resumeTerminal || host.state().terminal.status === "paused") host.resumeTerminal();
    }
  }
}
