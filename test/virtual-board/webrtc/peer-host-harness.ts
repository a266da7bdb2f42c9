/**
 * A peer host (the board's WebRTC stack on its own thread, as esp_peer on the chip) in a Node
 * worker thread, and the link the board's `webrtc` module calls it through.
 */
import { Worker } from "node:worker_threads";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { PeerHostLink } from "../../../src/virtual-board/webrtc/peer-host-client";

export interface PeerHostThread {
  link: PeerHostLink;
  /**
   * offerAndOpen from a stand-in browser on the host's thread (not the interpreter's);
   * `whileConnecting` runs here once the browser has applied the answer, awaited before returning.
   */
  offerAndOpen(
    httpPort: number,
    options?: { openTimeoutMs?: number; whileConnecting?: () => Promise<unknown> },
  ): Promise<OfferOutcome>;
  close(): Promise<void>;
}

/** Resolves once the thread has loaded werift and serves (its first call would wait for that). */
export async function startPeerHostThread(): Promise<PeerHostThread> {
  const worker = new Worker(new URL("./peer-host-thread.mjs", import.meta.url));
  worker.unref();
  await new Promise<void>((resolve, reject) => {
    worker.on("message", (data: { kind?: string } | null) => data?.kind === "peer-host-ready" && resolve());
    worker.once("error", reject);
  });
  const link = new PeerHostLink({
    postMessage: (message) => worker.postMessage(message),
    addEventListener: (_type, listener) => worker.on("message", (data: unknown) => listener({ data })),
  });
  const offerAndOpenThere: PeerHostThread["offerAndOpen"] = async (httpPort, options = {}) => {
    let during: Promise<unknown> = Promise.resolve();
    let listener!: (m: { kind: string; outcome?: OfferOutcome; message?: string }) => void;
    try {
      const outcome = await new Promise<OfferOutcome>((resolve, reject) => {
        listener = (m) => {
          if (m.kind === "browser-answered") {
            // The browser keeps its side open until whileConnecting is done.
            during = Promise.resolve(options.whileConnecting?.()).finally(() =>
              worker.postMessage({ kind: "browser-release" }),
            );
          } else if (m.kind === "browser-outcome") resolve(m.outcome!);
          else if (m.kind === "browser-error") reject(new Error(m.message));
        };
        worker.on("message", listener);
        worker.postMessage({ kind: "offer-and-open", httpPort, openTimeoutMs: options.openTimeoutMs ?? 10_000 });
      });
      await during;
      return outcome;
    } finally {
      worker.off("message", listener);
    }
  };
  return {
    link,
    offerAndOpen: offerAndOpenThere,
    close: async () => {
      await worker.terminate();
    },
  };
}

export interface OfferOutcome {
  status: number;
  /** The board's reply as JSON ({"sdp", "ice_candidates", …} or {"error", …}). */
  body: Record<string, unknown>;
  /** How long the board took to answer the offer. */
  answerMs: number;
  /** Whether the DataChannel opened once the answer was applied (false without an answer). */
  opened: boolean;
}

/**
 * What a browser does with a pyDirect board's HTTP signaling: POST the offer (candidates inline),
 * apply the answer and its `ice_candidates`, and wait for the DataChannel to open.
 */
export async function offerAndOpen(
  httpPort: number,
  options: {
    openTimeoutMs?: number;
    /** Started once the answer is applied, awaited before this side closes. */
    whileConnecting?: () => Promise<unknown>;
  } = {},
): Promise<OfferOutcome> {
  const openTimeoutMs = options.openTimeoutMs ?? 10_000;
  const peer = weriftPeerBackend.createPeer();
  try {
    const channel = peer.createDataChannel("wbp");
    const opened = new Promise<boolean>((resolve) => {
      channel.onOpen(() => resolve(true));
      setTimeout(() => resolve(false), openTimeoutMs);
    });
    await peer.createOffer();
    await peer.waitForGathering(1000);
    const t0 = Date.now();
    const reply = await fetch(`http://127.0.0.1:${String(httpPort)}/webrtc/offer`, {
      method: "POST",
      body: JSON.stringify({ sdp: peer.localSdp() }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = JSON.parse(await reply.text()) as Record<string, unknown>;
    const answerMs = Date.now() - t0;
    if (typeof body.sdp !== "string") return { status: reply.status, body, answerMs, opened: false };
    await peer.setRemoteDescription("answer", body.sdp);
    const during = options.whileConnecting?.();
    for (const c of (body.ice_candidates as string[] | undefined) ?? []) await peer.addIceCandidate(c);
    const outcome = { status: reply.status, body, answerMs, opened: await opened };
    await during;
    return outcome;
  } finally {
    peer.close();
  }
}
