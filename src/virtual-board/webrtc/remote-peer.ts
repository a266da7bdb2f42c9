/**
 * A PeerBackend split across two threads. Browsers have no RTCPeerConnection in workers, so the
 * virtual board's MicroPython (in a worker) drives peers that live on the page: the worker side
 * (`createRemotePeerBackend`) sends requests, the page side (`servePeerBackend`) runs them on a
 * real backend and sends back replies and events.
 *
 * The PeerHandle getters are synchronous (`states()`, `localSdp()`, a channel's `readyState`), so
 * every reply and event carries a snapshot of them; the worker side answers from the latest one.
 * Messages on one channel between the two are ordered, so a snapshot is never older than an event
 * the worker has already seen.
 */
import {
  waitForGatheringBy,
  type ChannelHandle,
  type ChannelMessage,
  type PeerBackend,
  type PeerHandle,
  type PeerOptions,
  type PeerStates,
} from "../../core/signaling/peer";

type AsyncMethod = "createOffer" | "createAnswer" | "setRemoteDescription" | "addIceCandidate";
type ReadyState = ChannelHandle["readyState"];

export interface PeerSnapshot {
  states: PeerStates;
  localSdp: string | null;
  remoteSdp: string | null;
}

/** Worker → page. Channel ids the worker makes are positive, the page's (remote channels) negative. */
export type PeerRequest =
  | { kind: "create"; peer: number; options: PeerOptions }
  | { kind: "call"; peer: number; call: number; method: AsyncMethod; args: string[] }
  | { kind: "create-channel"; peer: number; channel: number; label: string }
  | { kind: "send"; peer: number; channel: number; data: ChannelMessage }
  | { kind: "close-channel"; peer: number; channel: number }
  | { kind: "close"; peer: number };

/** Page → worker. */
export type PeerNotice =
  | { kind: "reply"; peer: number; call: number; error: string | null; value: string | null; snapshot: PeerSnapshot }
  | { kind: "ice"; peer: number; candidate: string | null; snapshot: PeerSnapshot }
  | { kind: "states"; peer: number; snapshot: PeerSnapshot }
  | { kind: "datachannel"; peer: number; channel: number; label: string; readyState: ReadyState }
  | { kind: "channel-state"; peer: number; channel: number; readyState: ReadyState }
  | { kind: "channel-message"; peer: number; channel: number; data: ChannelMessage };

export interface BackendInfo {
  name: PeerBackend["name"];
  canChooseCertificate: boolean;
}

const NEW_STATES: PeerStates = { signaling: "stable", gathering: "new", ice: "new", dtls: "new", connection: "new" };

// ---- page side -------------------------------------------------------------------------------------

export interface PeerServer {
  handle(request: PeerRequest): void;
  /** Close every peer (the worker went away). */
  closeAll(): void;
}

export function servePeerBackend(backend: PeerBackend, notify: (notice: PeerNotice) => void): PeerServer {
  const peers = new Map<number, { handle: PeerHandle; channels: Map<number, ChannelHandle> }>();
  let nextRemoteChannel = -1;

  const snapshot = (handle: PeerHandle): PeerSnapshot => ({
    states: handle.states(),
    localSdp: handle.localSdp(),
    remoteSdp: handle.remoteSdp(),
  });

  const watchChannel = (peer: number, id: number, channel: ChannelHandle): void => {
    const state = () => notify({ kind: "channel-state", peer, channel: id, readyState: channel.readyState });
    channel.onOpen(state);
    channel.onClose(state);
    channel.onMessage((data) => notify({ kind: "channel-message", peer, channel: id, data }));
  };

  const create = (peer: number, options: PeerOptions): void => {
    const handle = backend.createPeer(options);
    const entry = { handle, channels: new Map<number, ChannelHandle>() };
    peers.set(peer, entry);
    handle.onIceCandidate((candidate) => notify({ kind: "ice", peer, candidate, snapshot: snapshot(handle) }));
    handle.onStateChange(() => notify({ kind: "states", peer, snapshot: snapshot(handle) }));
    handle.onDataChannel((channel) => {
      const id = nextRemoteChannel--;
      entry.channels.set(id, channel);
      notify({ kind: "datachannel", peer, channel: id, label: channel.label, readyState: channel.readyState });
      watchChannel(peer, id, channel);
    });
  };

  const call = async (handle: PeerHandle, method: AsyncMethod, args: string[]): Promise<string | null> => {
    switch (method) {
      case "createOffer":
        return handle.createOffer();
      case "createAnswer":
        return handle.createAnswer();
      case "setRemoteDescription":
        await handle.setRemoteDescription(args[0] as "offer" | "answer", args[1] ?? "");
        return null;
      case "addIceCandidate":
        await handle.addIceCandidate(args[0] ?? "");
        return null;
    }
  };

  return {
    handle(request) {
      if (request.kind === "create") {
        create(request.peer, request.options);
        return;
      }
      const entry = peers.get(request.peer);
      if (!entry) {
        if (request.kind === "call") {
          notify({
            kind: "reply",
            peer: request.peer,
            call: request.call,
            error: "peer closed",
            value: null,
            snapshot: { states: NEW_STATES, localSdp: null, remoteSdp: null },
          });
        }
        return;
      }
      switch (request.kind) {
        case "call":
          call(entry.handle, request.method, request.args).then(
            (value) =>
              notify({
                kind: "reply",
                peer: request.peer,
                call: request.call,
                error: null,
                value,
                snapshot: snapshot(entry.handle),
              }),
            (err: unknown) =>
              notify({
                kind: "reply",
                peer: request.peer,
                call: request.call,
                error: err instanceof Error ? err.message : String(err),
                value: null,
                snapshot: snapshot(entry.handle),
              }),
          );
          return;
        case "create-channel": {
          const channel = entry.handle.createDataChannel(request.label);
          entry.channels.set(request.channel, channel);
          watchChannel(request.peer, request.channel, channel);
          return;
        }
        case "send":
          entry.channels.get(request.channel)?.send(request.data);
          return;
        case "close-channel":
          entry.channels.get(request.channel)?.close();
          return;
        case "close":
          entry.handle.close();
          peers.delete(request.peer);
          return;
      }
    },
    closeAll() {
      for (const { handle } of peers.values()) handle.close();
      peers.clear();
    },
  };
}

// ---- worker side ----------------------------------------------------------------------------------

class RemoteChannel implements ChannelHandle {
  private readonly openListeners: Array<() => void> = [];
  private readonly closeListeners: Array<() => void> = [];
  private readonly messageListeners: Array<(data: ChannelMessage) => void> = [];

  constructor(
    readonly label: string,
    public readyState: ReadyState,
    private readonly request: (r: { kind: "send"; data: ChannelMessage } | { kind: "close-channel" }) => void,
  ) {}

  send(data: ChannelMessage): void {
    this.request({ kind: "send", data });
  }
  onOpen(listener: () => void): void {
    this.openListeners.push(listener);
  }
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }
  onMessage(listener: (data: ChannelMessage) => void): void {
    this.messageListeners.push(listener);
  }
  close(): void {
    this.request({ kind: "close-channel" });
  }

  setState(state: ReadyState): void {
    if (state === this.readyState) return;
    this.readyState = state;
    if (state === "open") this.openListeners.forEach((l) => l());
    if (state === "closed") this.closeListeners.forEach((l) => l());
  }
  deliver(data: ChannelMessage): void {
    this.messageListeners.forEach((l) => l(data));
  }
}

class RemotePeer implements PeerHandle {
  snapshot: PeerSnapshot = { states: NEW_STATES, localSdp: null, remoteSdp: null };
  readonly channels = new Map<number, RemoteChannel>();
  readonly calls = new Map<number, { resolve: (v: string | null) => void; reject: (e: Error) => void }>();
  private readonly iceListeners: Array<(c: string | null) => void> = [];
  private readonly stateListeners: Array<(s: PeerStates) => void> = [];
  private readonly channelListeners: Array<(c: ChannelHandle) => void> = [];

  constructor(
    private readonly id: number,
    private readonly client: RemotePeerClient,
  ) {}

  createDataChannel(label: string): ChannelHandle {
    const channel = this.client.nextChannel();
    const handle = new RemoteChannel(label, "connecting", (r) => this.client.send({ ...r, peer: this.id, channel }));
    this.channels.set(channel, handle);
    this.client.send({ kind: "create-channel", peer: this.id, channel, label });
    return handle;
  }
  onDataChannel(listener: (channel: ChannelHandle) => void): void {
    this.channelListeners.push(listener);
  }
  onIceCandidate(listener: (candidate: string | null) => void): void {
    this.iceListeners.push(listener);
  }
  onStateChange(listener: (states: PeerStates) => void): void {
    this.stateListeners.push(listener);
  }
  createOffer(): Promise<string> {
    return this.call("createOffer", []) as Promise<string>;
  }
  createAnswer(): Promise<string> {
    return this.call("createAnswer", []) as Promise<string>;
  }
  async setRemoteDescription(type: "offer" | "answer", sdp: string): Promise<void> {
    await this.call("setRemoteDescription", [type, sdp]);
  }
  async addIceCandidate(candidate: string): Promise<void> {
    await this.call("addIceCandidate", [candidate]);
  }
  localSdp(): string | null {
    return this.snapshot.localSdp;
  }
  remoteSdp(): string | null {
    return this.snapshot.remoteSdp;
  }
  states(): PeerStates {
    return this.snapshot.states;
  }
  waitForGathering(timeoutMs: number): Promise<boolean> {
    return waitForGatheringBy(
      () => this.states(),
      (l) => this.onStateChange(() => l()),
      timeoutMs,
    );
  }
  close(): void {
    this.client.send({ kind: "close", peer: this.id });
    this.client.forget(this.id);
    for (const { reject } of this.calls.values()) reject(new Error("peer closed"));
    this.calls.clear();
  }

  private call(method: AsyncMethod, args: string[]): Promise<string | null> {
    const call = this.client.nextCall();
    return new Promise((resolve, reject) => {
      this.calls.set(call, { resolve, reject });
      this.client.send({ kind: "call", peer: this.id, call, method, args });
    });
  }

  handle(notice: PeerNotice): void {
    switch (notice.kind) {
      case "reply": {
        this.snapshot = notice.snapshot;
        const pending = this.calls.get(notice.call);
        this.calls.delete(notice.call);
        if (notice.error === null) pending?.resolve(notice.value);
        else pending?.reject(new Error(notice.error));
        return;
      }
      case "ice":
        this.snapshot = notice.snapshot;
        this.iceListeners.forEach((l) => l(notice.candidate));
        return;
      case "states":
        this.snapshot = notice.snapshot;
        this.stateListeners.forEach((l) => l(notice.snapshot.states));
        return;
      case "datachannel": {
        const handle = new RemoteChannel(notice.label, notice.readyState, (r) =>
          this.client.send({ ...r, peer: this.id, channel: notice.channel }),
        );
        this.channels.set(notice.channel, handle);
        this.channelListeners.forEach((l) => l(handle));
        return;
      }
      case "channel-state":
        this.channels.get(notice.channel)?.setState(notice.readyState);
        return;
      case "channel-message":
        this.channels.get(notice.channel)?.deliver(notice.data);
        return;
    }
  }
}

interface RemotePeerClient {
  send(request: PeerRequest): void;
  nextCall(): number;
  nextChannel(): number;
  forget(peer: number): void;
}

export interface RemotePeerBackend {
  backend: PeerBackend;
  /** Feed every PeerNotice from the page here. */
  handle(notice: PeerNotice): void;
}

export function createRemotePeerBackend(info: BackendInfo, send: (request: PeerRequest) => void): RemotePeerBackend {
  const peers = new Map<number, RemotePeer>();
  let nextPeer = 1;
  let nextCall = 1;
  let nextChannel = 1;
  const client: RemotePeerClient = {
    send,
    nextCall: () => nextCall++,
    nextChannel: () => nextChannel++,
    forget: (peer) => peers.delete(peer),
  };
  return {
    backend: {
      name: info.name,
      canChooseCertificate: info.canChooseCertificate,
      createPeer(options: PeerOptions = {}) {
        const id = nextPeer++;
        const peer = new RemotePeer(id, client);
        peers.set(id, peer);
        send({ kind: "create", peer: id, options });
        return peer;
      },
    },
    handle(notice) {
      peers.get(notice.peer)?.handle(notice);
    },
  };
}
