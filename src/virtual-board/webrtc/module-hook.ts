/**
 * The hook that gives the virtual board's MicroPython its `webrtc` module
 * (`createMicroPythonApp({ modules: [webrtcModuleHook()] })`). Peers made during one boot are
 * closed when the board powers off or resets, as the chip's stack would vanish.
 */
import type { PeerBackend } from "../../core/signaling/peer";
import { defaultPeerBackend } from "./backend";
import { installWebrtcModule, type MicroPythonLike } from "./micropython-module";
import type { VirtualPeer } from "./virtual-peer";

export interface WebrtcHookOptions {
  /** Default: the page's RTCPeerConnection in a browser, werift in Node. */
  backend?: PeerBackend;
  /** Where errors from WebRTC callbacks go; default the board's console via `write`. */
  reportError?: (text: string) => void;
  /**
   * The stack hands no local candidates to `on_ice` (they are only in the SDP, or there are none
   * yet): what upstream's signaling meets when it falls back to made-up host candidates.
   */
  silentCandidates?: boolean;
}

export function webrtcModuleHook(options: WebrtcHookOptions = {}) {
  return async (mp: MicroPythonLike, ctx: { write(bytes: Uint8Array): void }): Promise<() => void> => {
    const backend = options.backend ?? (await defaultPeerBackend());
    const peers = new Set<VirtualPeer>();
    const reportError = options.reportError ?? ((text: string) => ctx.write(new TextEncoder().encode(`${text}\r\n`)));
    installWebrtcModule(mp, { backend, peers, reportError, silentCandidates: options.silentCandidates });
    return () => {
      for (const peer of peers) peer.close();
      peers.clear();
    };
  };
}
