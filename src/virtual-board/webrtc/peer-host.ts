/**
 * The virtual board's WebRTC stack on a thread of its own, as esp_peer runs in its own FreeRTOS
 * task on the chip. Upstream pyDirect's `POST /webrtc/offer` handler waits for the answer in a plain
 * function, polling `process_queue()` between `time.sleep(0.01)` calls
 * (device-scripts/lib/sys/webrtc_signaling.py:301-318 at 362a8cc); on the chip the peer makes the
 * answer meanwhile. The interpreter's thread is blocked during that sleep, so the peers (VirtualPeer
 * on a real backend, with their promise chains and timers) live on another thread: the host, here.
 *
 * The interpreter calls the host synchronously (peer-host-client.ts): a request is posted, the
 * interpreter waits on shared memory (Atomics.wait), and the host writes the reply there. Every reply
 * carries the events (answer, candidates, states, data) the peers emitted since the last one, the
 * way esp_peer's task fills the queue `process_queue()` drains. When events wait and nobody calls,
 * the host posts an "events" notice, so an idle interpreter gets them on its own turn.
 *
 * Needs SharedArrayBuffer: a Node worker thread, or a cross-origin isolated page.
 */
import { base64FromBytes } from "../../core/verify/device-channel";
import type { PeerBackend } from "../../core/signaling/peer";
import { createWebrtcJsModule } from "./micropython-module";
import { Errno } from "./states";

/** A `_webrtc_js` peer object (createWebrtcJsModule's new_peer), method by name. */
type PeerApi = Partial<Record<string, (...args: unknown[]) => unknown>>;

/** Mailbox header (Int32 cells) and the reply's bytes after it. */
export const MAILBOX_STATE = 0;
export const MAILBOX_LENGTH = 1;
export const MAILBOX_HEADER_BYTES = 8;
/** Replies larger than this carry fewer events; the rest come with the next reply. */
export const MAILBOX_BYTES = 1 << 20;

/** A value that crossed the threads: bytes travel as base64. */
export type Wire = string | number | boolean | null | { b64: string };
export interface HostEvent {
  peer: number;
  kind: "offer" | "answer" | "ice" | "data" | "state" | "error";
  arg: Wire;
}

/** Interpreter → host. `peer` 0: module-level calls (check_options, new_peer, take). */
export type HostRequest =
  { kind: "init"; mailbox: SharedArrayBuffer } | { kind: "call"; peer: number; method: string; args: Wire[] };

/** Host → interpreter: events are waiting (only as a wake-up; the events come in the next reply). */
export interface HostNotice {
  kind: "peer-host-events";
}

export interface HostReply {
  value: Wire;
  events: HostEvent[];
}

export interface MessageEndpointLike {
  postMessage(message: unknown): void;
}

export function toWire(value: unknown): Wire {
  if (value instanceof Uint8Array) return { b64: base64FromBytes(value) };
  if (value === undefined) return null;
  return value as Wire;
}

/** Serve peers on `backend` for one interpreter; call `handle` with each request it posts. */
export function servePeerHost(backend: PeerBackend, endpoint: MessageEndpointLike) {
  let mailbox: { state: Int32Array; bytes: Uint8Array } | null = null;
  let nextPeer = 1;
  let pending: HostEvent[] = [];
  let noticed = false;
  const encoder = new TextEncoder();

  const push = (event: HostEvent): void => {
    pending.push(event);
    if (noticed) return;
    noticed = true;
    endpoint.postMessage({ kind: "peer-host-events" } satisfies HostNotice);
  };

  // The module the in-thread board uses, over our peers: its validation and error words are the
  // same, only the callbacks forward to the interpreter.
  const module = createWebrtcJsModule({
    backend,
    reportError: (text) => push({ peer: 0, kind: "error", arg: text }),
  }) as {
    check_options: (...a: unknown[]) => unknown;
    new_peer: (...a: unknown[]) => PeerApi;
  };
  const handles = new Map<number, PeerApi>();

  const call = (peer: number, method: string, args: unknown[]): unknown => {
    if (peer === 0) {
      if (method === "check_options") return module.check_options(...args);
      if (method === "take") return null;
      if (method !== "new_peer") throw new Error(`peer host: no ${method}`);
      const id = nextPeer++;
      const handle = module.new_peer(...args);
      handles.set(id, handle);
      for (const kind of ["offer", "answer", "ice", "data", "state"] as const) {
        handle.on?.(kind, (arg: unknown) => push({ peer: id, kind, arg: toWire(arg) }));
      }
      return id;
    }
    const handle = handles.get(peer);
    if (!handle) return `oserror:${String(Errno.EBADF)}`;
    if (method === "close") return close(peer);
    const fn = handle[method];
    if (!fn) throw new Error(`peer host: no ${method}`);
    return fn(...args);
  };

  const close = (id: number): unknown => {
    const result = handles.get(id)?.close?.();
    handles.delete(id);
    return result ?? null;
  };

  const reply = (value: unknown): void => {
    if (!mailbox) return;
    const room = MAILBOX_BYTES - MAILBOX_HEADER_BYTES - 1024;
    let events = pending;
    let text = JSON.stringify({ value: toWire(value), events } satisfies HostReply);
    let bytes = encoder.encode(text);
    while (bytes.length > room && events.length > 0) {
      events = events.slice(0, Math.floor(events.length / 2));
      text = JSON.stringify({ value: toWire(value), events } satisfies HostReply);
      bytes = encoder.encode(text);
    }
    pending = pending.slice(events.length);
    noticed = pending.length > 0;
    mailbox.bytes.set(bytes);
    Atomics.store(mailbox.state, MAILBOX_LENGTH, bytes.length);
    Atomics.store(mailbox.state, MAILBOX_STATE, 1);
    Atomics.notify(mailbox.state, MAILBOX_STATE);
  };

  const decode = (arg: Wire): unknown =>
    arg && typeof arg === "object" ? Uint8Array.from(atob(arg.b64), (c) => c.charCodeAt(0)) : arg;

  return {
    handle(request: HostRequest): void {
      if (request.kind === "init") {
        mailbox = {
          state: new Int32Array(request.mailbox, 0, 2),
          bytes: new Uint8Array(request.mailbox, MAILBOX_HEADER_BYTES),
        };
        return;
      }
      let value: unknown;
      try {
        value = call(request.peer, request.method, request.args.map(decode));
      } catch (err) {
        value = `value:${err instanceof Error ? err.message : String(err)}`;
      }
      reply(value);
    },
    /** Close every peer (the interpreter went away). */
    closeAll(): void {
      for (const id of [...handles.keys()]) close(id);
    },
  };
}

export type PeerHostServer = ReturnType<typeof servePeerHost>;
