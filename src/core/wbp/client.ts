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

/** How often an unanswered login is sent again. */
const LOGIN_RESEND_MS = 250;
/** Output that follows the "done" frame comes within the drain task's next rounds. */
const OUTPUT_SETTLE_MS = 120;
const OUTPUT_SETTLE_MAX_MS = 1500;

export class WbpClient {
  private readonly waiters = new Set<Waiter>();
  private closed = false;
  private readonly closeListeners = new Set<() => void>();
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
   *
   * The login is sent again every `LOGIN_RESEND_MS` until an answer comes: the channel is open on
   * the portal's side before the board's Python has handled the open (the state callback runs on
   * its next `process_queue()`, then `webrepl_binary.start_rtc`), and until then the board drops
   * what it would answer (wbp_send_cbor: "Transport not connected"). A login is idempotent.
   */
  login(password: string, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    return this.serial(async () => {
      const frame = encodeLogin(password);
      const resend = setInterval(() => {
        if (!this.closed && this.channel.readyState === "open") this.channel.send(frame);
      }, LOGIN_RESEND_MS);
      let reply: WbpMessage;
      try {
        reply = await this.exchange(frame, timeoutMs, "the login", (m) =>
          m.kind === "auth-ok" || m.kind === "auth-fail" ? m : null,
        );
      } finally {
        clearInterval(resend);
      }
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
   * collect what it prints. The board sends its "done" frame directly but the output through a
   * drain task (wbp_common.c), so output may follow "done": collection goes on until the board has
   * been quiet for `OUTPUT_SETTLE_MS`.
   */
  run(code: string, timeoutMs = this.defaultTimeoutMs): Promise<WbpRunResult> {
    return this.serial(async () => {
      const id = `pd${this.nextId++}`;
      let output = "";
      let lastOutputAt = 0;
      const mine = (m: { channel: number; id: string | null }) =>
        m.channel === WBP_CHANNEL.m2m && (m.id === null || m.id === id);
      const collect: Waiter = (m) => {
        // Output may come without the id (the board's drain task can lose the race, wbp_common.c).
        if (m.kind === "result" && mine(m)) {
          output += m.text;
          lastOutputAt = performance.now();
        }
        return false;
      };
      this.waiters.add(collect);
      const started = performance.now();
      try {
        const done = await this.exchange(encodeExecute(WBP_CHANNEL.m2m, code, id), timeoutMs, "the code", (m) =>
          m.kind === "auth-fail" || (m.kind === "progress" && mine(m)) ? m : null,
        );
        const doneAt = performance.now();
        if (done.kind === "auth-fail")
          throw new WbpError("not-logged-in", `The board did not run the code: ${done.reason || "not logged in"}.`);
        await this.settle(() => lastOutputAt, doneAt);
        const error = done.kind === "progress" && done.status !== 0 ? (done.error ?? "failed") : null;
        return { output, error, ms: Math.max(doneAt, lastOutputAt) - started };
      } finally {
        this.waiters.delete(collect);
      }
    });
  }

  /** Resolve once no output has come for OUTPUT_SETTLE_MS (at most OUTPUT_SETTLE_MAX_MS after `from`). */
  private async settle(lastAt: () => number, from: number): Promise<void> {
    for (;;) {
      const now = performance.now();
      const quietFor = now - Math.max(lastAt(), from);
      if (quietFor >= OUTPUT_SETTLE_MS || now - from >= OUTPUT_SETTLE_MAX_MS || this.closed) return;
      await new Promise((r) => setTimeout(r, OUTPUT_SETTLE_MS - quietFor));
    }
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
