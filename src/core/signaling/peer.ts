/**
 * The small slice of a WebRTC peer connection that the portal's verification job and the virtual
 * board's `webrtc` module both need. Two backends satisfy it: the page's `RTCPeerConnection`
 * (browser-peer.ts) and werift in Node (werift-peer-node.ts). Everything above this seam runs
 * unchanged on either.
 */

export interface DtlsIdentity {
  certPem: string;
  /** PKCS#8 PEM. Used only inside the backend; never logged. */
  keyPem: string;
}

export interface PeerOptions {
  /** "stun:host:port" / "turn:user:pass@host:port" strings, as the device API takes them. */
  iceServers?: readonly string[];
  /** Use this certificate for DTLS (honoured where `canChooseCertificate`). */
  dtls?: DtlsIdentity;
}

export type ChannelMessage = string | Uint8Array;

export interface ChannelHandle {
  readonly label: string;
  readonly readyState: "connecting" | "open" | "closing" | "closed";
  send(data: ChannelMessage): void;
  onOpen(listener: () => void): void;
  onClose(listener: () => void): void;
  onMessage(listener: (data: ChannelMessage) => void): void;
  close(): void;
}

export interface PeerStates {
  signaling: string;
  gathering: string;
  ice: string;
  dtls: string;
  connection: string;
}

export interface PeerHandle {
  createDataChannel(label: string): ChannelHandle;
  onDataChannel(listener: (channel: ChannelHandle) => void): void;
  /** A local candidate (`candidate:` value) as gathered; `null` once gathering is complete. */
  onIceCandidate(listener: (candidate: string | null) => void): void;
  onStateChange(listener: (states: PeerStates) => void): void;
  /** Create the offer and make it the local description; resolves with its SDP. */
  createOffer(): Promise<string>;
  /** Create the answer (after a remote offer) and make it the local description. */
  createAnswer(): Promise<string>;
  setRemoteDescription(type: "offer" | "answer", sdp: string): Promise<void>;
  /** A remote candidate; `""` ends remote candidates. */
  addIceCandidate(candidate: string): Promise<void>;
  /** The current local SDP (candidates gathered so far included). */
  localSdp(): string | null;
  remoteSdp(): string | null;
  states(): PeerStates;
  /** Resolves once ICE gathering is complete or `timeoutMs` passed (resolves false then). */
  waitForGathering(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export interface PeerBackend {
  readonly name: "werift" | "browser";
  /** werift takes a given DTLS certificate and key; browsers generate their own. */
  readonly canChooseCertificate: boolean;
  createPeer(options?: PeerOptions): PeerHandle;
}

/** "stun:h:p" / "turn:user:pass@h:p" → RTCIceServer. */
export function iceServerFromString(spec: string): { urls: string; username?: string; credential?: string } {
  const m = /^(turns?):([^:@]+):([^@]+)@(.+)$/.exec(spec);
  if (m) return { urls: `${m[1]}:${m[4]}`, username: m[2], credential: m[3] };
  return { urls: spec };
}

export function waitForGatheringBy(
  states: () => PeerStates,
  subscribe: (listener: () => void) => void,
  timeoutMs: number,
): Promise<boolean> {
  if (states().gathering === "complete") return Promise.resolve(true);
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(ok);
    };
    subscribe(() => {
      if (states().gathering === "complete") finish(true);
    });
  });
}
