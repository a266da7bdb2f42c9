/**
 * The session's side of the serial console: when the port is the console's, and what the user's
 * keys do. Every step needs the port for itself, so a running step pauses the console and it comes
 * back after the step; after an install it opens by itself, so the user sees the new firmware boot.
 * What the board prints goes into the session log (masked there like everything else), which is
 * what the terminal on the page draws and what "download the log" saves.
 */
import type { PortalError } from "../errors";
import { revokedError } from "../port/port-errors";
import type { SerialPortLike } from "../port/serial-port";
import { asPortalError, SessionError } from "./session-errors";
import type { SessionLog } from "./session-log";
import type { SessionState, TerminalState } from "./session-types";
import { pasteBytes, REPL_KEYS, SerialTerminal } from "./serial-terminal";

export interface TerminalHost {
  readonly log: SessionLog;
  port(): SerialPortLike | null;
  state(): SessionState;
  update(patch: Partial<SessionState>): void;
  /** The site's permission for the port was taken back (the port is still plugged in). */
  portRevoked?(): Promise<boolean>;
}

/** A MicroPython REPL answers on this console: pyDirect and plain MicroPython builds. */
export function speaksMicroPython(state: Pick<SessionState, "connect">): boolean {
  const name = state.connect.result?.firmware?.name ?? "";
  return /pydirect|micropython/i.test(name);
}

export class TerminalController {
  private terminal: SerialTerminal | null = null;
  private opening: Promise<boolean> | null = null;

  constructor(private readonly host: TerminalHost) {}

  /** Give the port to the console (no-op when it already has it). */
  open(): Promise<boolean> {
    if (this.terminal?.isOpen) return Promise.resolve(true);
    this.opening ??= this.doOpen().finally(() => (this.opening = null));
    return this.opening;
  }

  /** Let go of the port; "paused" means a step has it and the console comes back afterwards. */
  async close(status: "closed" | "paused" = "closed"): Promise<void> {
    await this.opening?.catch(() => undefined);
    const terminal = this.terminal;
    this.terminal = null;
    await terminal?.close().catch(() => undefined);
    if (status === "paused" && !terminal) return;
    this.patch({ status, error: null });
  }

  /** Before a step uses the port: true when the console had it (resume() gives it back). */
  async suspend(): Promise<boolean> {
    await this.opening?.catch(() => undefined);
    if (!this.terminal) return false;
    await this.close("paused");
    return true;
  }

  async resume(): Promise<void> {
    if (this.host.state().terminal.status !== "paused") return;
    // The board went away during the step: nothing to come back to.
    if (!this.host.port()) this.patch({ status: "closed" });
    else await this.open();
  }

  /** Keys from the terminal: sent as they are (Enter is CR, Ctrl-C \x03, Ctrl-D \x04). */
  async input(data: string): Promise<boolean> {
    const terminal = this.ready();
    if (!terminal || !data) return false;
    return this.guard(() => terminal.send(data));
  }

  /** Pasted text: one block through MicroPython's paste mode where the board speaks it. */
  paste(text: string): Promise<boolean> {
    const terminal = this.ready();
    if (!terminal || !text) return Promise.resolve(false);
    return this.guard(() => terminal.send(pasteBytes(text, this.host.state().terminal.repl)));
  }

  /** Ctrl-C: stop what runs on the board (KeyboardInterrupt). */
  interrupt(): Promise<boolean> {
    return this.input(REPL_KEYS.interrupt);
  }

  /** The EN button: the board restarts and the console shows it boot. */
  async reset(): Promise<boolean> {
    const terminal = this.ready();
    if (!terminal) return false;
    this.host.log.portal("Resetting the board (EN).");
    return this.guard(() => terminal.reset());
  }

  private ready(): SerialTerminal | null {
    if (this.terminal?.isOpen) return this.terminal;
    this.patch({
      error: new SessionError(
        "console-closed",
        "The serial console is not connected. Press Open console (with the board plugged in) and try again.",
        { action: "none" },
      ),
    });
    return null;
  }

  private async guard(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (err) {
      this.patch({ error: asPortalError(err) });
      return false;
    }
  }

  private async doOpen(): Promise<boolean> {
    const port = this.host.port();
    if (!port) {
      this.patch({
        status: "closed",
        error: new SessionError("step-not-ready", "Connect a board first: the console reads its serial port.", {
          action: "pick-another-port",
        }),
      });
      return false;
    }
    const state = this.host.state();
    const resumed = state.terminal.status === "paused";
    this.patch({ status: "opening", repl: speaksMicroPython(state), error: null });
    let terminal: SerialTerminal;
    try {
      terminal = await SerialTerminal.open(port, {
        usbSerialJtag: state.connect.result?.usbSerialJtag ?? false,
        onOutput: (text) => this.host.log.device(text),
        onEnded: (reason) => {
          if (this.terminal !== terminal) return;
          this.terminal = null;
          this.host.log.portal(`Serial console closed: ${reason}`);
          const closed = new SessionError("console-closed", `The serial console stopped: ${reason}`, {
            action: "pick-another-port",
          });
          this.patch({ status: "closed", error: closed });
          // Still plugged in but no longer this site's: say so, with the one click that allows it again.
          void this.host.portRevoked?.().then((revoked) => {
            if (revoked && this.host.state().terminal.error === closed) this.patch({ error: revokedError(closed) });
          });
        },
      });
    } catch (err) {
      const error: PortalError = asPortalError(err);
      this.patch({ status: "closed", error });
      return false;
    }
    // The port changed hands while it opened (unplugged, another board): let go at once.
    if (this.host.port() !== port) {
      await terminal.close();
      this.patch({ status: "closed" });
      return false;
    }
    this.terminal = terminal;
    // Said once per opening by the user or after an install, not after every step that paused it.
    if (!resumed) this.host.log.portal("Serial console open (115200 baud).");
    this.patch({ status: "open" });
    return true;
  }

  private patch(patch: Partial<TerminalState>): void {
    this.host.update({ terminal: { ...this.host.state().terminal, ...patch } });
  }
}
