/**
 * The virtual board's WebRTC stack (werift) in a Node worker thread of its own, serving the peer
 * host (src/virtual-board/webrtc/peer-host.ts) to the interpreter on the test's thread. Loaded
 * through peer-host-thread.mjs (tsx).
 */
import { parentPort } from "node:worker_threads";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { servePeerHost, type HostRequest } from "../../../src/virtual-board/webrtc/peer-host";

const port = parentPort!;
const host = servePeerHost(weriftPeerBackend, { postMessage: (message) => port.postMessage(message) });
port.on("message", (request: HostRequest) => host.handle(request));
port.postMessage({ kind: "peer-host-ready" });
