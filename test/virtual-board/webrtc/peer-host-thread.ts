/**
 * The virtual board's WebRTC stack (werift) in a Node worker thread of its own, serving the peer
 * host (src/virtual-board/webrtc/peer-host.ts) to the interpreter on the test's thread. The same
 * thread can play the browser too ({kind: "offer-and-open"}): a real browser is another machine,
 * and the board's interpreter blocks the test's thread while a handler sleeps. Loaded through
 * peer-host-thread.mjs (tsx).
 */
import { parentPort } from "node:worker_threads";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { servePeerHost, type HostRequest } from "../../../src/virtual-board/webrtc/peer-host";
import { offerAndOpen } from "./peer-host-harness";

const port = parentPort!;
const host = servePeerHost(weriftPeerBackend, { postMessage: (message) => port.postMessage(message) });
type BrowserRequest = { kind: "offer-and-open"; httpPort: number; openTimeoutMs: number } | { kind: "browser-release" };
let release = (): void => undefined;
port.on("message", (request: HostRequest | BrowserRequest) => {
  if (request.kind === "browser-release") {
    release();
    return;
  }
  if (request.kind !== "offer-and-open") {
    host.handle(request);
    return;
  }
  offerAndOpen(request.httpPort, {
    openTimeoutMs: request.openTimeoutMs,
    // Held open until the test's thread has done what it does meanwhile.
    whileConnecting: () =>
      new Promise<void>((resolve) => {
        release = resolve;
        port.postMessage({ kind: "browser-answered" });
      }),
  }).then(
    (outcome) => port.postMessage({ kind: "browser-outcome", outcome }),
    (err: unknown) =>
      port.postMessage({ kind: "browser-error", message: err instanceof Error ? err.message : String(err) }),
  );
});
port.postMessage({ kind: "peer-host-ready" });
