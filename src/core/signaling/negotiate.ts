/**
 * The portal's half of both pyDirect signaling shapes, on any transport. The caller creates the
 * peer (and, when the portal offers, the DataChannel) and watches it; these functions only move
 * descriptions and candidates.
 */
import { SignalingError } from "./errors";
import {
  OFFER_PATH,
  SIGNAL_PATH,
  candidatesInSdp,
  parseAck,
  parseCandidateBatch,
  parseDeviceOffer,
  parseOfferReply,
} from "./messages";
import type { PeerHandle } from "./peer";
import type { SignalingTransport } from "./transport";

export type SignalingShape = "device-offers" | "portal-offers";

export interface NegotiationRecord {
  shape: SignalingShape;
  /** The portal trickled its candidates to the board (after the answer). */
  trickle: boolean;
  /** The board trickled its candidates to the portal (its offer went before gathering completed). */
  deviceTrickle: boolean;
  /** Candidates the board said it has (SDP plus lists, trickled ones as they arrive). */
  deviceCandidates: string[];
  /** How many of those came by trickle, after the offer. */
  deviceCandidatesTrickled: number;
}

export interface NegotiateOptions {
  signal?: AbortSignal;
  /** How long to wait for local gathering where the other end cannot trickle. */
  gatheringTimeoutMs?: number;
  /** Offer to trickle both ways where the board supports it (`/webrtc-signal`). Default true. */
  trickle?: boolean;
}

/**
 * A finished offer/answer exchange. Trickled candidates may still be moving: `stop()` ends that
 * (once the DataChannel is open, or the attempt is given up) and resolves when nothing is in
 * flight on the transport any more, so a serial link can be released safely.
 */
export interface Negotiation {
  record: NegotiationRecord;
  stop(): Promise<void>;
}

/**
 * `/webrtc-signal`: the board offers as the controlling peer, the portal answers. Trickle goes each
 * way where both ends take it: the portal's candidates follow its answer when the board says
 * `trickle`, and the board's follow its offer (fetched by `candidates` polls) when it answered a
 * `trickle: true` request before its gathering completed. Otherwise descriptions carry everything.
 */
export async function negotiateDeviceOffers(
  peer: PeerHandle,
  transport: SignalingTransport,
  options: NegotiateOptions = {},
): Promise<Negotiation> {
  const wantTrickle = options.trickle ?? true;
  const stopping = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopping.signal]) : stopping.signal;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };
  const stop = async () => {
    stopping.abort();
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  };

  const request = wantTrickle ? { type: "get_offer", trickle: true } : { type: "get_offer" };
  const offer = parseDeviceOffer(await transport.request("POST", SIGNAL_PATH, request, options.signal));
  await peer.setRemoteDescription("offer", offer.sdp);
  const inSdp = new Set(candidatesInSdp(offer.sdp));
  for (const c of offer.candidates) if (!inSdp.has(c)) await peer.addIceCandidate(c);
  const record: NegotiationRecord = {
    shape: "device-offers",
    trickle: wantTrickle && offer.trickle,
    deviceTrickle: !offer.complete,
    deviceCandidates: [...inSdp, ...offer.candidates.filter((c) => !inSdp.has(c))],
    deviceCandidatesTrickled: 0,
  };

  let sdp: string;
  if (record.trickle) {
    const pending: string[] = [];
    let answered = false;
    // A trickled candidate that does not arrive only removes one path; the open timeout and the
    // report's candidate lists cover the case where no path is left.
    const sendCandidate = (candidate: string) =>
      signal.aborted
        ? Promise.resolve()
        : track(
            transport
              .request("POST", SIGNAL_PATH, { type: "candidate", candidate }, signal)
              .then(parseAck, () => undefined),
          );
    peer.onIceCandidate((c) => {
      const candidate = c ?? "";
      if (answered) void sendCandidate(candidate);
      else pending.push(candidate);
    });
    sdp = await peer.createAnswer();
    parseAck(await transport.request("POST", SIGNAL_PATH, { type: "answer", sdp }, options.signal));
    answered = true;
    const already = new Set(candidatesInSdp(sdp));
    for (const c of pending) if (!already.has(c)) await sendCandidate(c);
  } else {
    await peer.createAnswer();
    await peer.waitForGathering(options.gatheringTimeoutMs ?? 5_000);
    const gathered = peer.localSdp();
    if (!gathered) throw new SignalingError("bad-message", "The portal's WebRTC stack produced no answer.");
    sdp = gathered;
    parseAck(await transport.request("POST", SIGNAL_PATH, { type: "answer", sdp }, options.signal));
  }

  if (record.deviceTrickle)
    void track(receiveDeviceCandidates(peer, transport, record, offer.candidates.length, signal));
  return { record, stop };
}

/** Poll the board for the candidates it gathers after its offer, until it says it is done. */
async function receiveDeviceCandidates(
  peer: PeerHandle,
  transport: SignalingTransport,
  record: NegotiationRecord,
  after: number,
  signal: AbortSignal,
): Promise<void> {
  const known = new Set(record.deviceCandidates);
  while (!signal.aborted) {
    let batch;
    try {
      batch = parseCandidateBatch(await transport.request("POST", SIGNAL_PATH, { type: "candidates", after }, signal));
    } catch {
      return; // as with the portal's own trickle: a lost candidate removes a path, the report shows which
    }
    after += batch.candidates.length;
    for (const c of batch.candidates) {
      if (known.has(c)) continue;
      known.add(c);
      record.deviceCandidates.push(c);
      record.deviceCandidatesTrickled++;
      await peer.addIceCandidate(c).catch(() => undefined);
    }
    if (batch.complete) {
      await peer.addIceCandidate("").catch(() => undefined);
      return;
    }
  }
}

/**
 * `/webrtc/offer` (upstream `lib/sys/webrtc_signaling.py`): the portal offers with every candidate
 * in the SDP (the board takes no trickle on this shape), the board answers in the reply.
 * The caller must have created the DataChannel before calling, so the offer carries it.
 */
export async function negotiatePortalOffers(
  peer: PeerHandle,
  transport: SignalingTransport,
  options: NegotiateOptions = {},
): Promise<Negotiation> {
  await peer.createOffer();
  await peer.waitForGathering(options.gatheringTimeoutMs ?? 5_000);
  const sdp = peer.localSdp();
  if (!sdp) throw new SignalingError("bad-message", "The portal's WebRTC stack produced no offer.");
  const reply = parseOfferReply(await transport.request("POST", OFFER_PATH, { sdp }, options.signal));
  await peer.setRemoteDescription("answer", reply.sdp);
  const inSdp = new Set(candidatesInSdp(reply.sdp));
  for (const c of reply.iceCandidates) if (!inSdp.has(c)) await peer.addIceCandidate(c);
  const record: NegotiationRecord = {
    shape: "portal-offers",
    trickle: false,
    deviceTrickle: false,
    deviceCandidates: [...inSdp, ...reply.iceCandidates.filter((c) => !inSdp.has(c))],
    deviceCandidatesTrickled: 0,
  };
  return { record, stop: async () => undefined };
}
