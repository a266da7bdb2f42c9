/**
 * The JSON bodies of pyDirect's two signaling shapes, checked on the way in. The serial link carries
 * exactly these bodies (with the path beside them), so one set of parsers serves both transports.
 */
import { SignalingError } from "./errors";

/** The `webrtc` module's endpoint: the board offers as the controlling peer. */
export const SIGNAL_PATH = "/webrtc-signal";
/** `lib/sys/webrtc_signaling.py`'s endpoints: the board answers the portal's offer. */
export const OFFER_PATH = "/webrtc/offer";
export const STATUS_PATH = "/webrtc/status";

export type SignalRequest =
  | { type: "get_offer"; trickle?: boolean }
  | { type: "candidates"; after: number }
  | { type: "answer"; sdp: string }
  | { type: "candidate"; candidate: string };

/**
 * Reply to `get_offer`. `trickle` and `complete` are our additions: the board accepts later
 * `candidate` posts, and (asked with `trickle: true`) it answers before gathering completed, leaving
 * the rest to `candidates` polls. A board that never says `complete` gathered everything first.
 */
export interface DeviceOffer {
  sdp: string;
  candidates: string[];
  trickle: boolean;
  complete: boolean;
}

/** Reply to `{"type":"candidates","after":n}`: the board's candidates after the first n. */
export interface CandidateBatch {
  candidates: string[];
  complete: boolean;
}

export interface OfferRequest {
  sdp: string;
}

export interface OfferReply {
  status: string;
  sdp: string;
  iceCandidates: string[];
  connected: boolean;
}

export interface SignalingStatus {
  state: string;
  connected: boolean;
  [key: string]: unknown;
}

function bad(what: string): never {
  throw new SignalingError("bad-message", `The board sent a signaling reply the portal cannot use: ${what}.`);
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function refusedIfError(body: Record<string, unknown>): void {
  if (typeof body.error === "string") {
    throw new SignalingError("device-refused", `The board refused the connection: ${body.error}`);
  }
}

function candidateList(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) bad(`${what} is not a list`);
  return value.map((c) => {
    if (typeof c === "string") return c;
    // Some firmware sends RTCIceCandidateInit-shaped objects.
    if (typeof c === "object" && c !== null && typeof (c as { candidate?: unknown }).candidate === "string") {
      return (c as { candidate: string }).candidate;
    }
    return bad(`an entry of ${what} is not a candidate`);
  });
}

function sdpOf(body: Record<string, unknown>, what: string): string {
  const sdp = body.sdp;
  if (typeof sdp !== "string" || !sdp.startsWith("v=0")) bad(`${what} holds no SDP`);
  return sdp;
}

export function parseDeviceOffer(value: unknown): DeviceOffer {
  const body = asObject(value, "the offer");
  refusedIfError(body);
  return {
    sdp: sdpOf(body, "the offer"),
    candidates: candidateList(body.candidates, "candidates"),
    trickle: body.trickle === true,
    complete: body.complete !== false,
  };
}

export function parseCandidateBatch(value: unknown): CandidateBatch {
  const body = asObject(value, "the candidate list");
  refusedIfError(body);
  if (typeof body.complete !== "boolean") bad("the candidate list does not say whether gathering is complete");
  return { candidates: candidateList(body.candidates, "candidates"), complete: body.complete };
}

export function parseOfferReply(value: unknown): OfferReply {
  const body = asObject(value, "the answer");
  refusedIfError(body);
  return {
    status: typeof body.status === "string" ? body.status : "unknown",
    sdp: sdpOf(body, "the answer"),
    iceCandidates: candidateList(body.ice_candidates, "ice_candidates"),
    connected: body.connected === true,
  };
}

/**
 * `GET /webrtc/status`. Upstream's lib/sys/webrtc_signaling.py names the peer's state `status`
 * ("STATE_…"); an older shape of ours says `state`. Both are read; `state` is always filled.
 * Upstream's `last_error` is informational here, not a refusal.
 */
export function parseStatus(value: unknown): SignalingStatus {
  const body = asObject(value, "the status");
  if (typeof body.error === "string" && body.status === undefined && body.state === undefined) refusedIfError(body);
  return {
    ...body,
    state: typeof body.state === "string" ? body.state : typeof body.status === "string" ? body.status : "unknown",
    connected: body.connected === true,
  };
}

/** Any reply that is `{"ok": true}` or carries no error. */
export function parseAck(value: unknown): void {
  refusedIfError(asObject(value, "the reply"));
}

/** Board side: check a request body on `/webrtc-signal`. Throws SignalingError("bad-message"). */
export function parseSignalRequest(value: unknown): SignalRequest {
  const body = asObject(value, "the request");
  if (body.type === "get_offer")
    return body.trickle === true ? { type: "get_offer", trickle: true } : { type: "get_offer" };
  if (body.type === "candidates" && Number.isInteger(body.after) && (body.after as number) >= 0) {
    return { type: "candidates", after: body.after as number };
  }
  if (body.type === "answer") return { type: "answer", sdp: sdpOf(body, "the answer") };
  if (body.type === "candidate" && typeof body.candidate === "string")
    return { type: "candidate", candidate: body.candidate };
  return bad(`unknown request type ${JSON.stringify(body.type)}`);
}

/** `candidate:` attribute values as they appear in an SDP (`a=candidate:…`), in order. */
export function candidatesInSdp(sdp: string): string[] {
  return sdp
    .split(/\r?\n/)
    .filter((line) => line.startsWith("a=candidate:"))
    .map((line) => line.slice(2).trim());
}

/** The `a=fingerprint:` of an SDP as "sha-256 AB:CD:…", or null. Session and media level both count. */
export function fingerprintInSdp(sdp: string): string | null {
  const line = sdp.split(/\r?\n/).find((l) => l.startsWith("a=fingerprint:"));
  if (!line) return null;
  const [algorithm, value] = line.slice("a=fingerprint:".length).trim().split(/\s+/);
  if (!algorithm || !value) return null;
  return `${algorithm.toLowerCase()} ${value.toUpperCase()}`;
}
