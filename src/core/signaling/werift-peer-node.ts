/**
 * NODE-ONLY: werift behind the PeerHandle seam. Never imported by browser code (werift needs
 * node:dgram); browser bundles use browser-peer.ts.
 */
import { RTCPeerConnection, type RTCDataChannel } from "werift";
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

/** ECDSA (3) with SHA-256 (4): what a provisioned P-256 certificate signs with. */
const ECDSA_SHA256 = { hash: 4, signature: 3 } as const;

function wrapChannel(channel: RTCDataChannel): ChannelHandle {
  return {
    get label() {
      return channel.label;
    },
    get readyState() {
      return channel.readyState;
    },
    send(data: ChannelMessage) {
      channel.send(typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    },
    onOpen: (l) => {
      if (channel.readyState === "open") queueMicrotask(l);
      else channel.stateChanged.subscribe((s) => s === "open" && l());
    },
    onClose: (l) => channel.stateChanged.subscribe((s) => s === "closed" && l()),
    onMessage: (l) => channel.onMessage.subscribe((data) => l(typeof data === "string" ? data : new Uint8Array(data))),
    close: () => channel.close(),
  };
}

class WeriftPeer extends PeerBase<RTCPeerConnection> implements PeerHandle {
  private dtlsState = "new";

  constructor(options: PeerOptions) {
    super(
      new RTCPeerConnection({
        iceServers: (options.iceServers ?? []).map(iceServerFromString),
        ...(options.dtls
          ? {
              dtls: {
                keys: { certPem: options.dtls.certPem, keyPem: options.dtls.keyPem, signatureHash: ECDSA_SHA256 },
              },
            }
          : {}),
      }),
    );
    const fire = () => {
      const transport = this.pc.dtlsTransports.at(0);
      if (transport) this.dtlsState = transport.state;
      this.notifyStates();
    };
    this.pc.signalingStateChange.subscribe(fire);
    this.pc.iceGatheringStateChange.subscribe(fire);
    this.pc.iceConnectionStateChange.subscribe(fire);
    this.pc.connectionStateChange.subscribe(fire);
  }

  createDataChannel(label: string): ChannelHandle {
    return wrapChannel(this.pc.createDataChannel(label));
  }
  onDataChannel(listener: (channel: ChannelHandle) => void): void {
    this.pc.onDataChannel.subscribe((channel) => listener(wrapChannel(channel)));
  }
  onIceCandidate(listener: (candidate: string | null) => void): void {
    this.pc.onIceCandidate.subscribe((c) => {
      if (c?.candidate) listener(c.candidate);
    });
    this.pc.iceGatheringStateChange.subscribe((s) => s === "complete" && listener(null));
  }
  async addIceCandidate(candidate: string): Promise<void> {
    await this.pc.addIceCandidate(candidate ? { candidate, sdpMLineIndex: 0 } : null);
  }
  states(): PeerStates {
    const transport = this.pc.dtlsTransports.at(0);
    return {
      signaling: this.pc.signalingState,
      gathering: this.pc.iceGatheringState,
      ice: this.pc.iceConnectionState,
      dtls: transport?.state ?? this.dtlsState,
      connection: this.pc.connectionState,
    };
  }
  close(): void {
    void this.pc.close();
  }
}

export const weriftPeerBackend: PeerBackend = {
  name: "werift",
  canChooseCertificate: true,
  createPeer: (options = {}) => new WeriftPeer(options),
};
