/**
 * The virtual board's `webrtc.Peer`, in JavaScript, on a PeerBackend (werift in Node, the page's
 * RTCPeerConnection in a browser). It mirrors the C module: calls return at once, work happens on
 * the WebRTC stack, and results come back as callbacks that are queued and delivered on their own
 * turn (a macrotask, or `process_queue()`), never from inside another Python call.
 *
 * Methods return `null` on success or an error word the Python shim turns into an exception:
 * "value:<message>", "oserror:<errno>".
 */
import type { ChannelHandle, PeerBackend, PeerHandle, PeerStates } from "../../core/signaling/peer";
import { certificateFingerprintSync, p256ScalarFromPem, signDer } from "./device-key";
import { CallbackQueue, type Callback, type EventKind } from "./callback-queue";
import { Errno, PeerState, type PeerStateValue } from "./states";

export type PeerRole = "controlling" | "controlled";

export interface VirtualPeerOptions {
  role?: PeerRole;
  iceServers?: string[];
  sendBuffer?: number;
  recvBuffer?: number;
  cert?: string | null;
  key?: string | null;
  /** Where callback errors go (the board's console, as MicroPython prints unhandled ones). */
  reportError?: (text: string) => void;
  /** How a queued delivery is scheduled; default a macrotask. */
  schedule?: (run: () => void) => void;
}

export const CHANNEL_LABEL = "pydirect";
const SDP_LOOKS_VALID = /^v=0\r?\n[\s\S]*\bm=application /;
/**
 * Upstream device code waits at most 2 s for candidates before answering; a STUN server that never
 * replies must not hold the answer back longer, so gathering is declared complete then.
 */
export const GATHERING_LIMIT_MS = 2_000;

export class VirtualPeer {
  readonly role: PeerRole;
  private readonly peer: PeerHandle;
  private channel: ChannelHandle | null = null;
  private current: PeerStateValue = PeerState.NEW_CONNECTION;
  private closed = false;
  private readonly events: CallbackQueue;
  private ops: Promise<unknown> = Promise.resolve();
  private remoteSet = false;
  private gatheringEnded = false;
  private gatheringTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly scalar: Uint8Array | null;
  private readonly certFingerprint: string | null;
  private readonly sendBuffer: number;
  private readonly recvBuffer: number;
  private readonly reportError: (text: string) => void;

  constructor(
    private readonly backend: PeerBackend,
    options: VirtualPeerOptions = {},
  ) {
    this.role = options.role ?? "controlling";
    this.sendBuffer = options.sendBuffer ?? 16_384;
    this.recvBuffer = options.recvBuffer ?? 16_384;
    this.reportError = options.reportError ?? ((text) => console.error(text));
    this.events = new CallbackQueue(options.schedule ?? ((run) => setTimeout(run, 0)), this.reportError);
    this.scalar = options.key ? p256ScalarFromPem(options.key) : null;
    this.certFingerprint = options.cert ? certificateFingerprintSync(options.cert) : null;
    const dtls =
      options.cert && options.key && backend.canChooseCertificate
        ? { certPem: options.cert, keyPem: options.key }
        : undefined;
    this.peer = backend.createPeer({ iceServers: options.iceServers ?? [], dtls });
    this.peer.onIceCandidate((c) => (c === null ? this.endGathering() : !this.gatheringEnded && this.emit("ice", c)));
    this.peer.onStateChange((s) => this.followStates(s));
    this.peer.onDataChannel((ch) => this.adoptChannel(ch));
  }

  /** Validation the constructor cannot return: a key that is not P-256 PEM. */
  static checkOptions(options: VirtualPeerOptions): string | null {
    const role: unknown = options.role; // from Python: any value at all
    if (role && role !== "controlling" && role !== "controlled")
      return `value:role must be 'controlling' or 'controlled'`;
    if (options.key && !p256ScalarFromPem(options.key)) return "value:key is not an EC P-256 private key in PEM";
    if (options.cert && !certificateFingerprintSync(options.cert)) return "value:cert is not a PEM certificate";
    return null;
  }

  on(kind: EventKind, cb: Callback | null): null {
    this.events.on(kind, cb ?? null);
    return null;
  }

  create_offer(): string | null {
    if (this.closed) return `oserror:${Errno.EBADF}`;
    if (this.role !== "controlling") return "value:create_offer() needs role='controlling'";
    this.adoptChannel(this.peer.createDataChannel(CHANNEL_LABEL));
    this.run(async () => {
      const sdp = await this.peer.createOffer();
      this.limitGathering();
      this.emit("offer", sdp);
    });
    return null;
  }

  set_remote_sdp(sdp: string): string | null {
    if (this.closed) return `oserror:${Errno.EBADF}`;
    if (typeof sdp !== "string" || !SDP_LOOKS_VALID.test(sdp))
      return "value:not an SDP with a DataChannel (m=application) section";
    this.run(async () => {
      if (this.role === "controlled") {
        await this.peer.setRemoteDescription("offer", sdp);
        this.remoteSet = true;
        const answer = await this.peer.createAnswer();
        this.limitGathering();
        this.emit("answer", answer);
      } else {
        await this.peer.setRemoteDescription("answer", sdp);
        this.remoteSet = true;
      }
    });
    return null;
  }

  add_ice_candidate(candidate: string): string | null {
    if (this.closed) return `oserror:${Errno.EBADF}`;
    if (typeof candidate !== "string" || (candidate !== "" && !/^(a=)?candidate:/.test(candidate))) {
      return "value:not a candidate: attribute value";
    }
    // Queued behind set_remote_sdp: a stack takes candidates only once it has the remote description.
    this.run(async () => {
      if (!this.remoteSet) return;
      await this.peer.addIceCandidate(candidate.replace(/^a=/, ""));
    });
    return null;
  }

  send(data: string | Uint8Array): string | null {
    if (this.closed) return `oserror:${Errno.EBADF}`;
    const size = typeof data === "string" ? new TextEncoder().encode(data).length : data.length;
    if (size > this.sendBuffer) return `value:message of ${size} bytes is larger than send_buffer (${this.sendBuffer})`;
    if (!this.channel || this.channel.readyState !== "open") return `oserror:${Errno.ENOTCONN}`;
    this.channel.send(data);
    return null;
  }

  state(): number {
    return this.current;
  }

  fingerprint(): string {
    if (this.certFingerprint && this.backend.canChooseCertificate) return this.certFingerprint;
    const line = (this.peer.localSdp() ?? "").split(/\r?\n/).find((l) => l.startsWith("a=fingerprint:"));
    return line ? line.slice("a=fingerprint:".length).trim() : "";
  }

  /** DER signature, or an error word when no key was given. */
  sign(nonce: Uint8Array): Uint8Array | string {
    if (!this.scalar) return "value:no key was given to Peer()";
    return signDer(this.scalar, nonce);
  }

  process_queue(): number {
    return this.events.flush();
  }

  close(): null {
    if (this.closed) return null;
    this.closed = true;
    clearTimeout(this.gatheringTimer);
    this.channel?.close();
    this.peer.close();
    this.setState(PeerState.CLOSED);
    return null;
  }

  private limitGathering(): void {
    if (this.gatheringEnded || this.peer.states().gathering === "complete") return;
    this.gatheringTimer = setTimeout(() => this.endGathering(), GATHERING_LIMIT_MS);
  }

  private endGathering(): void {
    clearTimeout(this.gatheringTimer);
    if (this.gatheringEnded) return;
    this.gatheringEnded = true;
    this.emit("ice", "");
  }

  private adoptChannel(ch: ChannelHandle): void {
    this.channel = ch;
    ch.onOpen(() => {
      this.setState(PeerState.DATA_CHANNEL_CONNECTED);
      this.setState(PeerState.DATA_CHANNEL_OPENED);
    });
    ch.onClose(() => !this.closed && this.setState(PeerState.DATA_CHANNEL_CLOSED));
    ch.onMessage((m) => {
      const bytes = typeof m === "string" ? new TextEncoder().encode(m) : m;
      // The C module has recv_buffer bytes to put a message in; a bigger one cannot reach Python.
      if (bytes.length > this.recvBuffer) {
        this.reportError(
          `webrtc: dropped a ${bytes.length}-byte message, larger than recv_buffer (${this.recvBuffer})`,
        );
        return;
      }
      this.emit("data", bytes);
    });
  }

  private followStates(s: PeerStates): void {
    if (this.closed) return;
    if (
      this.current >= PeerState.DATA_CHANNEL_CONNECTED &&
      s.connection !== "failed" &&
      s.connection !== "disconnected" &&
      s.connection !== "closed"
    )
      return;
    if (s.connection === "failed" || s.ice === "failed") this.setState(PeerState.CONNECT_FAILED);
    else if (s.connection === "disconnected" || s.ice === "disconnected") {
      this.setState(
        this.current >= PeerState.DATA_CHANNEL_CONNECTED ? PeerState.DATA_CHANNEL_DISCONNECTED : PeerState.DISCONNECTED,
      );
    } else if (s.connection === "connected" || s.dtls === "connected") this.setState(PeerState.CONNECTED);
    else if (s.dtls === "connecting" || (s.ice === "connected" && s.connection === "connecting"))
      this.setState(PeerState.CONNECTING);
    else if (s.ice === "connected" || s.ice === "completed") this.setState(PeerState.PAIRED);
    else if (s.ice === "checking") this.setState(PeerState.PAIRING);
  }

  private setState(state: PeerStateValue): void {
    if (state === this.current) return;
    this.current = state;
    this.emit("state", state);
  }

  private run(work: () => Promise<void>): void {
    this.ops = this.ops.then(work).catch((err: unknown) => {
      this.reportError(`webrtc: ${(err as Partial<Error> | null)?.message ?? String(err)}`);
      this.setState(PeerState.CONNECT_FAILED);
    });
  }

  private emit(kind: EventKind, arg: unknown): void {
    this.events.push(kind, arg);
  }
}
