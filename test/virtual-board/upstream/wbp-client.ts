/**
 * Test client for a board's WebRTC signaling and the WebREPL Binary Protocol on its DataChannel,
 * written from upstream's wire format (see src/virtual-board/upstream/wbp-session.ts): a werift
 * peer offers, POSTs the offer to /webrtc/offer, applies the answer and its candidates, then
 * speaks CBOR frames.
 */
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import type { ChannelHandle, PeerHandle } from "../../../src/core/signaling/peer";
import { decodeCbor, encodeCbor, type CborValue } from "../../../src/virtual-board/upstream";

export interface OfferAnswer {
  status: number;
  body: { status?: string; sdp?: string; ice_candidates?: string[]; connected?: boolean; error?: string };
  elapsedMs: number;
}

export class WbpTestClient {
  readonly frames: CborValue[][] = [];
  private waiters = new Set<() => void>();
  private constructor(
    readonly peer: PeerHandle,
    readonly channel: ChannelHandle,
    readonly answer: OfferAnswer,
  ) {
    channel.onMessage((m) => {
      const value = decodeCbor(typeof m === "string" ? new TextEncoder().encode(m) : m);
      if (Array.isArray(value)) this.frames.push(value);
      this.waiters.forEach((w) => w());
    });
  }

  /** Offer to the board at `baseUrl` (http://127.0.0.1:port); resolves once the answer is in. */
  static async offer(baseUrl: string): Promise<WbpTestClient> {
    const peer = weriftPeerBackend.createPeer();
    const channel = peer.createDataChannel("wbp");
    await peer.createOffer();
    await peer.waitForGathering(1000);
    const t0 = Date.now();
    const r = await fetch(`${baseUrl}/webrtc/offer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sdp: peer.localSdp() }),
      signal: AbortSignal.timeout(10_000),
    });
    const answer: OfferAnswer = {
      status: r.status,
      body: (await r.json()) as OfferAnswer["body"],
      elapsedMs: Date.now() - t0,
    };
    if (answer.body.sdp) {
      await peer.setRemoteDescription("answer", answer.body.sdp);
      for (const c of answer.body.ice_candidates ?? []) await peer.addIceCandidate(c).catch(() => undefined);
    }
    return new WbpTestClient(peer, channel, answer);
  }

  opened(timeoutMs = 10_000): Promise<void> {
    if (this.channel.readyState === "open") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the DataChannel never opened")), timeoutMs);
      this.channel.onOpen(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  send(frame: CborValue[]): void {
    this.channel.send(encodeCbor(frame));
  }

  /** The first frame (from index `from`) that `match` accepts. */
  next(match: (f: CborValue[]) => boolean, timeoutMs = 5000, from = 0): Promise<CborValue[]> {
    const find = () => this.frames.slice(from).find(match);
    const hit = find();
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching WBP frame; got ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      const check = () => {
        const f = find();
        if (!f) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(f);
      };
      this.waiters.add(check);
    });
  }

  /** `[0, 0, password]` → the board's `[0, 1]` or `[0, 2, reason]`. */
  async login(password: string): Promise<CborValue[]> {
    const from = this.frames.length;
    this.send([0, 0, password]);
    return this.next((f) => f[0] === 0 && (f[1] === 1 || f[1] === 2), 5000, from);
  }

  /** EXE on `channel` with an id; resolves with the output text and the progress frame. */
  async exec(code: string, id: string, channel = 1): Promise<{ output: string; progress: CborValue[] }> {
    this.send([channel, 0, code, 0, id]);
    const progress = await this.next((f) => f[0] === channel && f[1] === 2 && f.at(-1) === id);
    // Output may follow the progress frame (upstream's drain task): give it a moment.
    await new Promise((r) => setTimeout(r, 100));
    const output = this.frames
      .filter((f) => f[0] === channel && f[1] === 0 && f[3] === id)
      .map((f) => String(f[2]))
      .join("");
    return { output, progress };
  }

  close(): void {
    this.peer.close();
  }
}
