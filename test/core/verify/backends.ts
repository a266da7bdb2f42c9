/** PeerBackend wrappers that model real-world conditions on top of werift. */
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import type { PeerBackend, PeerHandle } from "../../../src/core/signaling/peer";

/** Like a browser: the stack generates its own DTLS certificate whatever it is given. */
export const ownCertificateBackend: PeerBackend = {
  name: "werift",
  canChooseCertificate: false,
  createPeer: (options = {}) => weriftPeerBackend.createPeer({ ...options, dtls: undefined }),
};

const UNREACHABLE = "203.0.113.77"; // TEST-NET-3: never routed

function blackholeSdp(sdp: string): string {
  return sdp
    .split("\r\n")
    .map((l) =>
      l.startsWith("a=candidate:") ? l.replace(/^(a=candidate:\S+ \d+ \S+ \d+ )\S+ \d+/, `$1${UNREACHABLE} 9`) : l,
    )
    .join("\r\n");
}

/**
 * A stack whose own candidates all point at an unreachable address. With `ignoreRemote` it also
 * throws away what the other side offers, so no path can ever form; without, the other side can
 * still reach it, but only through candidates that reach this stack (e.g. by trickle).
 */
function hiddenBackend(ignoreRemote: boolean): PeerBackend {
  return {
    name: "werift",
    canChooseCertificate: true,
    createPeer(options = {}) {
      const inner = weriftPeerBackend.createPeer(options);
      const wrapped: PeerHandle = {
        ...bindAll(inner),
        onIceCandidate: (l) =>
          inner.onIceCandidate((c) =>
            l(c === null ? null : c.replace(/^(candidate:\S+ \d+ \S+ \d+ )\S+ \d+/, `$1${UNREACHABLE} 9`)),
          ),
        createOffer: async () => blackholeSdp(await inner.createOffer()),
        createAnswer: async () => blackholeSdp(await inner.createAnswer()),
        localSdp: () => {
          const sdp = inner.localSdp();
          return sdp && blackholeSdp(sdp);
        },
      };
      if (ignoreRemote) {
        wrapped.setRemoteDescription = (type, sdp) => inner.setRemoteDescription(type, blackholeSdp(sdp));
        wrapped.addIceCandidate = async () => undefined;
      }
      return wrapped;
    },
  };
}

/** A board whose network path never works: both directions see only unreachable addresses. */
export const noPathBackend: PeerBackend = hiddenBackend(true);

/** A portal the board cannot reach first: the connection needs the board's candidates to reach the portal. */
export const hiddenPortalBackend: PeerBackend = hiddenBackend(false);

function bindAll(peer: PeerHandle): PeerHandle {
  const out: Record<string, unknown> = {};
  for (const key of [
    "createDataChannel",
    "onDataChannel",
    "onIceCandidate",
    "onStateChange",
    "createOffer",
    "createAnswer",
    "setRemoteDescription",
    "addIceCandidate",
    "localSdp",
    "remoteSdp",
    "states",
    "waitForGathering",
    "close",
  ] as const) {
    out[key] = (peer[key] as (...a: unknown[]) => unknown).bind(peer);
  }
  return out as unknown as PeerHandle;
}

/** A stack whose gathering never reports completion (a STUN server that never answers). */
export const endlessGatheringBackend: PeerBackend = {
  name: "werift",
  canChooseCertificate: true,
  createPeer(options = {}) {
    const inner = weriftPeerBackend.createPeer(options);
    return {
      ...bindAll(inner),
      onIceCandidate: (l) => inner.onIceCandidate((c) => c !== null && l(c)),
      states: () => ({ ...inner.states(), gathering: "gathering" }),
      waitForGathering: async (ms) => (await new Promise((r) => setTimeout(r, ms)), false),
    };
  },
};

/**
 * A stack that gathers slowly, as an ESP32 waiting on STUN does: its descriptions carry no
 * candidates, and each candidate is reported only `delayMs` after the description, followed by
 * the end of gathering. Whatever reaches the other side arrives by trickle or in a list sent after
 * gathering, never inside the SDP.
 */
export function slowGatheringBackend(delayMs: number): PeerBackend {
  return {
    name: "werift",
    canChooseCertificate: true,
    createPeer(options = {}) {
      const inner = weriftPeerBackend.createPeer(options);
      const gathered: string[] = [];
      const listeners: Array<(c: string | null) => void> = [];
      let released = false;
      const releaseLater = () =>
        setTimeout(() => {
          released = true;
          for (const c of [...gathered, null]) for (const l of listeners) l(c);
        }, delayMs);
      inner.onIceCandidate((c) => c !== null && gathered.push(c));
      const describe = (make: () => Promise<string>) => async () => {
        const sdp = stripCandidates(await make());
        releaseLater();
        return sdp;
      };
      return {
        ...bindAll(inner),
        onIceCandidate: (l) => void listeners.push(l),
        createOffer: describe(() => inner.createOffer()),
        createAnswer: describe(() => inner.createAnswer()),
        localSdp: () => {
          const sdp = inner.localSdp();
          return sdp && stripCandidates(sdp);
        },
        states: () => ({ ...inner.states(), gathering: released ? "complete" : "gathering" }),
      };
    },
  };
}

function stripCandidates(sdp: string): string {
  return sdp
    .split("\r\n")
    .filter((l) => !l.startsWith("a=candidate:") && l !== "a=end-of-candidates")
    .join("\r\n");
}
