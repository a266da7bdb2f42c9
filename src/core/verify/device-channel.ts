/**
 * The verification protocol on the DataChannel, portal side: JSON text messages, one per DataChannel
 * message, each request carrying an `id` the reply repeats.
 *
 *   {"op":"hello","id":1}                 → {"op":"hello","id":1,"version":"0.1.0","hostname":"…","fingerprint":"sha-256 …"}
 *   {"op":"echo","id":2,"data":"…"}       → {"op":"echo","id":2,"data":"…"}
 *   {"op":"prove","id":3,"nonce":"<b64>"} → {"op":"proof","id":3,"signature":"<b64 DER>"}
 *   {"op":"exec","id":4,"line":"1+1"}     → {"op":"result","id":4,"output":"2\n","error":null}
 *   {"op":"unlock","id":5,"password":"…"} → {"op":"unlocked","id":5}
 *   any failure                           → {"op":"error","id":n,"message":"…"}
 *
 * The console (exec) runs any Python, so the board opens it only to a peer that signaled over the
 * USB serial link or that unlocked it with the board's WebREPL password.
 *
 * The board signs `PROOF_CONTEXT + nonce`, never the bare nonce, so the verification call cannot be
 * used to make the board sign arbitrary data (a TLS handshake, say) with its key.
 */
import type { ChannelHandle, ChannelMessage } from "../signaling/peer";
import { VerifyError } from "./errors";
import { textOf } from "../text";

export const PROOF_CONTEXT = "pydirect-proof-v1:";
export const NONCE_BYTES = 32;

export interface DeviceHello {
  version: string;
  hostname: string;
  /** The board's own view of its DTLS certificate, "sha-256 AB:…". */
  fingerprint: string | null;
  /** "open" after serial signaling; "locked" until `unlock()` over the network. */
  console: "open" | "locked";
}

export interface ExecResult {
  output: string;
  /** Python's exception text when the line raised, else null. */
  error: string | null;
}

type Reply = Record<string, unknown> & { op: string; id: number };

const decoder = new TextDecoder();

export function base64FromBytes(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function bytesFromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** An open DataChannel to a pyDirect board speaking the verification protocol. */
export class DeviceChannel {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();
  private closed = false;

  constructor(
    readonly channel: ChannelHandle,
    private readonly defaultTimeoutMs = 5_000,
    private readonly onClosed?: () => void,
  ) {
    channel.onMessage((data) => this.receive(data));
    channel.onClose(() => this.shutDown());
  }

  get isOpen(): boolean {
    return !this.closed && this.channel.readyState === "open";
  }

  async hello(timeoutMs?: number): Promise<DeviceHello> {
    const r = await this.call({ op: "hello" }, timeoutMs);
    if (typeof r.version !== "string" || typeof r.hostname !== "string") {
      throw new VerifyError("device-error", "The board's hello reply lacks its firmware version or hostname.");
    }
    return {
      version: r.version,
      hostname: r.hostname,
      fingerprint: typeof r.fingerprint === "string" ? r.fingerprint : null,
      console: r.console === "open" ? "open" : "locked",
    };
  }

  /** One echo round trip; resolves with its time in ms. */
  async echo(data: string, timeoutMs?: number): Promise<number> {
    const started = performance.now();
    const r = await this.call({ op: "echo", data }, timeoutMs);
    const ms = performance.now() - started;
    if (r.data !== data) throw new VerifyError("device-error", "The board echoed different data than it was sent.");
    return ms;
  }

  /** The DER ECDSA signature the board makes over PROOF_CONTEXT + nonce. */
  async prove(nonce: Uint8Array, timeoutMs?: number): Promise<Uint8Array> {
    const r = await this.call({ op: "prove", nonce: base64FromBytes(nonce) }, timeoutMs);
    if (typeof r.signature !== "string")
      throw new VerifyError("device-error", "The board's proof reply holds no signature.");
    return bytesFromBase64(r.signature);
  }

  /**
   * Open the live console with the board's WebREPL password (needed after HTTPS signaling). The
   * password travels only inside the DTLS-encrypted channel; rejects with the board's reason.
   */
  async unlock(password: string, timeoutMs?: number): Promise<void> {
    await this.call({ op: "unlock", password }, timeoutMs);
  }

  /** Run one line of Python on the board (live console); the result as the REPL would print it. */
  async exec(line: string, timeoutMs?: number): Promise<ExecResult> {
    const r = await this.call({ op: "exec", line }, timeoutMs ?? 15_000);
    return {
      output: typeof r.output === "string" ? r.output : "",
      error: typeof r.error === "string" ? r.error : null,
    };
  }

  close(): void {
    this.channel.close();
    this.shutDown();
  }

  private call(request: Record<string, unknown>, timeoutMs = this.defaultTimeoutMs): Promise<Reply> {
    if (!this.isOpen)
      return Promise.reject(
        new VerifyError("channel-closed", "The DataChannel to the board is closed. Connect again."),
      );
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VerifyError("no-reply", `The board did not answer "${String(request.op)}" within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.channel.send(JSON.stringify({ ...request, id }));
    }).then((r) => {
      if (r.op === "error")
        throw new VerifyError("device-error", `The board reported: ${textOf(r.message ?? "an error")}`);
      return r;
    });
  }

  private receive(data: ChannelMessage): void {
    let reply: Reply | null;
    try {
      reply = JSON.parse(typeof data === "string" ? data : decoder.decode(data)) as Reply | null;
    } catch {
      return; // not ours: the board may also print free text on the channel
    }
    if (typeof reply?.id !== "number") return;
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    clearTimeout(waiter.timer);
    waiter.resolve(reply);
  }

  private shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, w] of this.pending) {
      clearTimeout(w.timer);
      w.reject(new VerifyError("channel-closed", "The DataChannel to the board closed before it answered."));
    }
    this.pending.clear();
    this.onClosed?.();
  }
}
