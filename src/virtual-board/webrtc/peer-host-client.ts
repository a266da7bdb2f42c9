/**
 * The interpreter's side of the peer host (peer-host.ts): a `_webrtc_js` module whose calls reach
 * peers on another thread synchronously, so Python sees fresh state (answer, candidates, states,
 * `is_connected()`) even from inside a blocking `time.sleep` loop, as it would on the chip where
 * esp_peer runs in its own task. Callbacks are delivered on the interpreter's thread, from
 * `process_queue()` or on their own turn (a macrotask), never from inside another call — as
 * VirtualPeer does in-thread.
 */
import { bytesFromBase64 } from "../../core/verify/device-channel";
import { CallbackQueue, type Callback, type EventKind } from "./callback-queue";
import {
  MAILBOX_BYTES,
  MAILBOX_HEADER_BYTES,
  MAILBOX_LENGTH,
  MAILBOX_STATE,
  toWire,
  type HostEvent,
  type HostReply,
  type HostRequest,
  type Wire,
} from "./peer-host";

/** Where the host is: a worker thread (Node) or the page (a board's worker in a browser). */
export interface PeerHostEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

/** How long a call may wait for the host before the peer is taken as gone. */
const CALL_TIMEOUT_MS = 10_000;

/** One interpreter's connection to a host; reusable across boots (peers are closed at each reset). */
export class PeerHostLink {
  private readonly state: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly decoder = new TextDecoder();
  private readonly listeners = new Set<(events: HostEvent[]) => void>();
  private calling = false;

  constructor(private readonly endpoint: PeerHostEndpoint) {
    const mailbox = new SharedArrayBuffer(MAILBOX_BYTES);
    this.state = new Int32Array(mailbox, 0, 2);
    this.bytes = new Uint8Array(mailbox, MAILBOX_HEADER_BYTES);
    endpoint.postMessage({ kind: "init", mailbox } satisfies HostRequest);
    endpoint.addEventListener("message", (event) => {
      const data = event.data as { kind?: string } | null;
      // The host has events and nobody called: fetch them on this (idle) turn.
      if (data?.kind === "peer-host-events" && !this.calling) this.call(0, "take", []);
    });
  }

  onEvents(listener: (events: HostEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A synchronous call: the host's answer, after handing its events to the listeners. */
  call(peer: number, method: string, args: unknown[]): unknown {
    this.calling = true;
    let reply: HostReply;
    try {
      Atomics.store(this.state, MAILBOX_STATE, 0);
      this.endpoint.postMessage({ kind: "call", peer, method, args: args.map(toWire) } satisfies HostRequest);
      const deadline = Date.now() + CALL_TIMEOUT_MS;
      while (Atomics.load(this.state, MAILBOX_STATE) === 0) {
        const left = deadline - Date.now();
        if (left <= 0) return "oserror:110";
        Atomics.wait(this.state, MAILBOX_STATE, 0, left);
      }
      const length = Atomics.load(this.state, MAILBOX_LENGTH);
      // TextDecoder does not read shared memory directly: copy out first.
      reply = JSON.parse(this.decoder.decode(this.bytes.slice(0, length))) as HostReply;
    } finally {
      this.calling = false;
    }
    if (reply.events.length) this.listeners.forEach((l) => l(reply.events));
    return fromWire(reply.value);
  }
}

function fromWire(value: Wire): unknown {
  return value && typeof value === "object" ? bytesFromBase64(value.b64) : value;
}

export interface PeerHostModuleOptions {
  reportError?: (text: string) => void;
  /** No local candidates reach `on_ice` (see WebrtcHookOptions.silentCandidates). */
  silentCandidates?: boolean;
}

class HostedPeer {
  private readonly events: CallbackQueue;

  constructor(
    private readonly link: PeerHostLink,
    readonly id: number,
    private readonly options: PeerHostModuleOptions,
  ) {
    this.events = new CallbackQueue(
      (run) => setTimeout(run, 0),
      (text) => options.reportError?.(text),
    );
  }

  /** The `_webrtc_js` peer object (the shape createWebrtcJsModule gives). */
  api(): Record<string, unknown> {
    const call =
      (method: string) =>
      (...args: unknown[]) =>
        this.link.call(this.id, method, args);
    return {
      on: (kind: EventKind, cb: Callback | null) => {
        this.events.on(kind, kind === "ice" && this.options.silentCandidates ? null : cb);
        return null;
      },
      create_offer: call("create_offer"),
      set_remote_sdp: call("set_remote_sdp"),
      add_ice_candidate: call("add_ice_candidate"),
      send: call("send"),
      send_base64: call("send_base64"),
      state: call("state"),
      fingerprint: call("fingerprint"),
      sign_base64: call("sign_base64"),
      process_queue: () => {
        // The host's own queue first (process_queue there moves it into this reply), then ours.
        this.link.call(this.id, "process_queue", []);
        return this.events.flush();
      },
      close: call("close"),
    };
  }

  receive(kind: EventKind, arg: unknown): void {
    this.events.push(kind, arg);
  }
}

/** The `_webrtc_js` module over a host; `closeAll` ends this boot's peers. */
export function createPeerHostJsModule(link: PeerHostLink, options: PeerHostModuleOptions = {}) {
  const peers = new Map<number, HostedPeer>();
  const stopListening = link.onEvents((events) => {
    for (const event of events) {
      if (event.kind === "error")
        options.reportError?.(typeof event.arg === "string" ? event.arg : JSON.stringify(event.arg));
      else peers.get(event.peer)?.receive(event.kind, fromWire(event.arg));
    }
  });
  const module = {
    check_options: (...args: unknown[]) => link.call(0, "check_options", args),
    new_peer: (...args: unknown[]) => {
      const id = link.call(0, "new_peer", args);
      if (typeof id !== "number") throw new Error(`webrtc: the peer host failed (${String(id)})`);
      const peer = new HostedPeer(link, id, options);
      peers.set(id, peer);
      return peer.api();
    },
  };
  const closeAll = (): void => {
    stopListening();
    for (const id of peers.keys()) link.call(id, "close", []);
    peers.clear();
  };
  return { module, closeAll };
}
