/** The page's own RTCPeerConnection behind the PeerHandle seam. */
import {
  iceServerFromString,
  type ChannelHandle,
  type ChannelMessage,
  type PeerBackend,
  type PeerHandle,
  type PeerOptions,
  type PeerStates,
} from "./peer";
import { PeerBase } from "./peer-base";

function wrapChannel(channel: RTCDataChannel): ChannelHandle {
  channel.binaryType = "arraybuffer";
  return {
    get label() {
      return channel.label;
    },
    get readyState() {
      return channel.readyState;
    },
    send(data: ChannelMessage) {
      if (typeof data === "string") channel.send(data);
      else channel.send(data as Uint8Array<ArrayBuffer>);
    },
    onOpen: (l) => channel.addEventListener("open", () => l()),
    onClose: (l) => channel.addEventListener("close", () => l()),
    onMessage: (l) =>
      channel.addEventListener("message", (ev: MessageEvent) =>
        l(typeof ev.data === "string" ? ev.data : new Uint8Array(ev.data as ArrayBuffer)),
      ),
    close: () => channel.close(),
  };
}

class BrowserPeer extends PeerBase<RTCPeerConnection> implements PeerHandle {
  constructor(options: PeerOptions) {
    super(new RTCPeerConnection({ iceServers: (options.iceServers ?? []).map(iceServerFromString) }));
    for (const ev of [
      "signalingstatechange",
      "icegatheringstatechange",
      "iceconnectionstatechange",
      "connectionstatechange",
    ]) {
      this.pc.addEventListener(ev, () => this.notifyStates());
    }
  }

  createDataChannel(label: string): ChannelHandle {
    return wrapChannel(this.pc.createDataChannel(label));
  }
  onDataChannel(listener: (channel: ChannelHandle) => void): void {
    this.pc.addEventListener("datachannel", (ev) => listener(wrapChannel(ev.channel)));
  }
  onIceCandidate(listener: (candidate: string | null) => void): void {
    this.pc.addEventListener("icecandidate", (ev) => {
      if (ev.candidate && ev.candidate.candidate) listener(ev.candidate.candidate);
      else if (!ev.candidate) listener(null);
    });
  }
  async addIceCandidate(candidate: string): Promise<void> {
    await this.pc.addIceCandidate(candidate ? { candidate, sdpMLineIndex: 0 } : { candidate: "" });
  }
  states(): PeerStates {
    return {
      signaling: this.pc.signalingState,
      gathering: this.pc.iceGatheringState,
      ice: this.pc.iceConnectionState,
      dtls: this.pc.sctp?.transport.state ?? "new",
      connection: this.pc.connectionState,
    };
  }
  close(): void {
    this.pc.close();
  }
}

export const browserPeerBackend: PeerBackend = {
  name: "browser",
  canChooseCertificate: false,
  createPeer: (options = {}) => new BrowserPeer(options),
};

export function hasBrowserWebRtc(): boolean {
  return typeof globalThis.RTCPeerConnection === "function";
}
