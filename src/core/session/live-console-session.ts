/**
 * The session's side of the hand-off: it owns the DataChannel left open after a pass and turns the
 * user's lines (and the WebREPL password) into console calls, keeping `HandoffState` current.
 * The password is handed to the session log's redaction before it goes anywhere, and never into state.
 */
import { asPortalError, SessionError } from "./session-errors";
import type { SessionLog } from "./session-log";
import type { LiveConsole } from "./live-console";
import type { HandoffState } from "./session-types";

/** Enough for a session's worth of typing without the state growing without bound. */
const MAX_ENTRIES = 200;

export type HandoffBase = Omit<HandoffState, "transport" | "console" | "busy" | "entries" | "error">;

export class LiveConsoleSession {
  private live: LiveConsole | null = null;

  constructor(
    private readonly log: SessionLog,
    private readonly current: () => HandoffState | null,
    private readonly publish: (handoff: HandoffState | null) => void,
  ) {}

  /** Show the hand-off for a board that just passed, with its channel (null: no console). */
  attach(base: HandoffBase, live: LiveConsole | null, transport: "serial" | "https"): void {
    this.close();
    this.live = live;
    this.publish({
      ...base,
      transport,
      console: live ? (live.locked ? "locked" : "open") : "closed",
      busy: false,
      entries: [],
      error: null,
    });
    live?.onClosed(() => {
      if (this.live !== live) return;
      this.live = null;
      this.patch({ console: "closed", busy: false });
      this.log.portal("The DataChannel to the board closed.");
    });
  }

  /** Close the channel (the user left the step, or went on to the next board). */
  close(): void {
    const live = this.live;
    this.live = null;
    live?.close();
    if (this.current()?.console !== "closed" && this.current()) this.patch({ console: "closed", busy: false });
  }

  /** Forget the hand-off entirely (another board is coming). */
  clear(): void {
    this.close();
    this.publish(null);
  }

  async exec(line: string): Promise<boolean> {
    const live = this.live;
    const state = this.current();
    if (!state || state.busy || !line.trim()) return false;
    if (!live || !live.isOpen) {
      this.patch({
        error: new SessionError(
          "console-closed",
          "The DataChannel to the board is closed. Press Connect again to open a new one.",
          { action: "none" },
        ),
      });
      return false;
    }
    if (live.locked) {
      this.patch({
        error: new SessionError("console-locked", "The console is locked: enter the board's WebREPL password first.", {
          action: "fix-input",
        }),
      });
      return false;
    }
    this.patch({ busy: true, error: null });
    let entry;
    try {
      const result = await live.exec(line);
      entry = { input: line, output: result.output, error: result.error };
    } catch (err) {
      entry = { input: line, output: "", error: asPortalError(err).message };
    }
    const entries = [...(this.current()?.entries ?? []), entry].slice(-MAX_ENTRIES);
    this.patch({ busy: false, entries });
    return entry.error === null;
  }

  async unlock(password: string): Promise<boolean> {
    const live = this.live;
    const state = this.current();
    if (!state || state.busy) return false;
    if (!password) {
      this.patch({
        error: new SessionError("console-unlock-failed", "Enter the board's WebREPL password to unlock its console.", {
          action: "fix-input",
        }),
      });
      return false;
    }
    if (!live || !live.isOpen) {
      this.patch({
        error: new SessionError(
          "console-closed",
          "The DataChannel to the board is closed. Press Connect again to open a new one.",
          { action: "none" },
        ),
      });
      return false;
    }
    this.log.protect(password);
    this.patch({ busy: true, error: null });
    try {
      await live.unlock(password);
      this.log.portal("Console unlocked with the board's WebREPL password.");
      this.patch({ busy: false, console: "open" });
      return true;
    } catch (err) {
      const reason = asPortalError(err).message;
      const error = new SessionError(
        "console-unlock-failed",
        `The board refused the password (${reason}). Use the WebREPL password shown when it was provisioned; after 5 wrong tries the board locks its console until it is reset.`,
        { action: "fix-input", cause: err },
      );
      this.log.portal(`Console unlock failed: ${reason}`);
      this.patch({ busy: false, error });
      return false;
    }
  }

  private patch(patch: Partial<HandoffState>): void {
    const state = this.current();
    if (state) this.publish({ ...state, ...patch });
  }
}
