/**
 * Which WebRTC stack the virtual board uses: the page's RTCPeerConnection in a browser, werift in
 * Node. werift is loaded only in Node (dynamic import), so browser bundles never pull it in.
 */
import { browserPeerBackend, hasBrowserWebRtc } from "../../core/signaling/browser-peer";
import type { PeerBackend } from "../../core/signaling/peer";

export async function defaultPeerBackend(): Promise<PeerBackend> {
  if (hasBrowserWebRtc()) return browserPeerBackend;
  const modulePath = "../../core/signaling/werift-peer-node";
  const mod = (await import(/* @vite-ignore */ modulePath)) as typeof import("../../core/signaling/werift-peer-node");
  return mod.weriftPeerBackend;
}
