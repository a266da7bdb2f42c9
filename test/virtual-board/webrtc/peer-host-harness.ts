/**
 * A peer host (the board's WebRTC stack on its own thread, as esp_peer on the chip) in a Node
 * worker thread, and the link the board's `webrtc` module calls it through.
 */
import { Worker } from "node:worker_threads";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { PeerHostLink } from "../../../src/virtual-board/webrtc/peer-host-client";

export interface PeerHostThread {
  link: PeerHostLink;
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
  return {
    link,
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
export async function offerAndOpen(httpPort: number, openTimeoutMs = 10_000): Promise<OfferOutcome> {
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
    for (const c of (body.ice_candidates as string[] | undefined) ?? []) await peer.addIceCandidate(c);
    return { status: reply.status, body, answerMs, opened: await opened };
  } finally {
    peer.close();
  }
}
