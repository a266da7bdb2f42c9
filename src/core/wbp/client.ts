/**
 * The client side of the WebREPL Binary Protocol over an open DataChannel: log in with the board's
 * WebREPL password, run code, collect its output. Upstream's board takes exactly one client and
 * runs one piece of code at a time (a single FreeRTOS queue, modwebrepl_binary.c), so calls here
 * are serialised too.
 */
import { PortalError } from "../errors";
import type { ChannelHandle, ChannelMessage } from "../signaling/peer";
import { WBP_CHANNEL, decodeMessage, encodeExecute, encodeLogin, type WbpMessage } from "./protocol";

export type WbpErrorCode =
  "wrong-password" | "login-refused" | "not-logged-in" | "no-reply" | "channel-closed" | "code-failed" | "bad-message";

export class WbpError extends PortalError {
  declare readonly code: WbpErrorCode;

  constructor(code: WbpErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { action: code === "wrong-password" ? "fix-input" : "retry", cause: options.cause });
  }
}

/** The board's sentence for a wrong password (handle_rtc_auth_message, modwebrepl_binary.c). */
const WRONG_PASSWORD = "Invalid password";

export interface WbpRunResult {
  /** Everything the code printed (its output and, when it raised, the traceback). */
  output: string;
  /** The board's verdict: null when the code ran to the end, else its error ("Exception"). */
  error: string | null;
  /** Sending the code to the board's "done" message. */
  ms: number;
}

type Waiter = (message: WbpMessage) => boolean;

export class WbpClient {
  private readonly waiters = new Set<Waiter>();
  private closed = false;
  private closeListeners = new Set<() => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** Log records and information messages the board sent, newest last (bounded). */
  readonly notices: WbpMessage[] = [];
  loggedIn = false;

  constructor(
    readonly channel: ChannelHandle,
    private readonly defaultTimeoutMs = 5_000,
  ) {
    channel.onMessage((data) => this.receive(data));
    channel.onClose(() => {
      this.closed = true;
      for (const l of this.closeListeners) l();
    });
  }

  /**
   * Log in. Resolves when the board says so; a wrong password rejects with `wrong-password`, any
   * other refusal with `login-refused` (the board's reason in the sentence).
   */
  login(password: string, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    return this.serial(async () => {
      const reply = await this.exchange(encodeLogin(password), timeoutMs, "the login", (m) =>
        m.kind === "auth-ok" || m.kind === "auth-fail" ? m : null,
      );
      if (reply.kind === "auth-fail") {
        if (reply.reason === WRONG_PASSWORD)
          throw new WbpError(
            "wrong-password",
            "The board refused the WebREPL password: it is not the one in the board's settings (server.webrepl_password). Provision the board again to set a new one, or type the password it was given.",
          );
        throw new WbpError(
          "login-refused",
          `The board refused the WebREPL login: ${reply.reason || "no reason given"}.`,
        );
      }
      this.loggedIn = true;
    });
  }

  /**
   * Run `code` on the machine-to-machine channel (compiled as a file, no echo of expressions) and
   * collect what it prints until the board reports it finished.
   */
  run(code: string, timeoutMs = this.defaultTimeoutMs): Promise<WbpRunResult> {
    return this.serial(async () => {
      const id = `pd${this.nextId++}`;
      let output = "";
      const started = performance.now();
      const done = await this.exchange(encodeExecute(WBP_CHANNEL.m2m, code, id), timeoutMs, "the code", (m) => {
        // Output may come without the id (the board's drain task can lose the race, wbp_common.c).
        if (m.kind === "result" && m.channel === WBP_CHANNEL.m2m && (m.id === null || m.id === id)) output += m.text;
        if (m.kind === "auth-fail") return m; // "Not authenticated"
        if (m.kind === "progress" && m.channel === WBP_CHANNEL.m2m && (m.id === null || m.id === id)) return m;
        return null;
      });
      const ms = performance.now() - started;
      if (done.kind === "auth-fail")
        throw new WbpError("not-logged-in", `The board did not run the code: ${done.reason || "not logged in"}.`);
      const error = done.kind === "progress" && done.status !== 0 ? (done.error ?? "failed") : null;
      return { output, error, ms };
    });
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.channel.close();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Send `bytes` and wait until `pick` returns a message (or the channel closes, or time runs out). */
  private exchange(
    bytes: Uint8Array,
    timeoutMs: number,
    what: string,
    pick: (m: WbpMessage) => WbpMessage | null,
  ): Promise<WbpMessage> {
    if (this.closed || this.channel.readyState !== "open")
      return Promise.reject(new WbpError("channel-closed", "The DataChannel to the board is closed. Connect again."));
    return new Promise<WbpMessage>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        stopClose();
      };
      const waiter: Waiter = (m) => {
        const hit = pick(m);
        if (!hit) return false;
        finish();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new WbpError("no-reply", `The board did not answer ${what} within ${timeoutMs} ms over WebREPL.`));
      }, timeoutMs);
      const stopClose = this.onClose(() => {
        finish();
        reject(new WbpError("channel-closed", "The DataChannel to the board closed before it answered."));
      });
      this.waiters.add(waiter);
      this.channel.send(bytes);
    });
  }

  private receive(data: ChannelMessage): void {
    let message: WbpMessage;
    try {
      message = decodeMessage(typeof data === "string" ? new TextEncoder().encode(data) : data);
    } catch {
      return; // not WBP (text the board printed on the channel, say): nothing waits for it
    }
    if (message.kind === "log" || message.kind === "info") {
      this.notices.push(message);
      if (this.notices.length > 50) this.notices.shift();
    }
    for (const w of [...this.waiters]) w(message);
  }
}
