import { describe, expect, it } from "vitest";
import {
  SignalingError,
  candidatesInSdp,
  fingerprintInSdp,
  isMdnsCandidate,
  parseCandidateBatch,
  parseDeviceOffer,
  parseOfferReply,
  parseSignalLines,
  parseSignalRequest,
  resolveMdnsCandidate,
  resolveMdnsInSdp,
  certificateTrustStep,
  createFetchTransport,
} from "../../../src/core/signaling";

const SDP =
  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=fingerprint:sha-256 ab:cd\r\na=candidate:1 1 udp 2122260223 6f1c9a3e-aaaa.local 54321 typ host generation 0\r\na=candidate:2 1 udp 1686052607 198.51.100.7 61000 typ srflx raddr 0.0.0.0 rport 0\r\n";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SignalingError ? e.code : "not-a-signaling-error";
  }
  return undefined;
}

describe("signaling message parsers", () => {
  it("reads both reply shapes", () => {
    expect(parseDeviceOffer({ sdp: SDP, candidates: ["candidate:9 1 udp 1 10.0.0.2 5000 typ host"] })).toEqual({
      sdp: SDP,
      candidates: ["candidate:9 1 udp 1 10.0.0.2 5000 typ host"],
      trickle: false,
      complete: true,
    });
    expect(parseDeviceOffer({ sdp: SDP, candidates: [], trickle: true, complete: false })).toMatchObject({
      trickle: true,
      complete: false,
    });
    expect(
      parseCandidateBatch({ candidates: ["candidate:3 1 udp 1 10.0.0.3 5000 typ host"], complete: false }),
    ).toEqual({
      candidates: ["candidate:3 1 udp 1 10.0.0.3 5000 typ host"],
      complete: false,
    });
    expect(codeOf(() => parseCandidateBatch({ candidates: [] }))).toBe("bad-message");
    expect(codeOf(() => parseCandidateBatch({ candidates: "candidate:1", complete: true }))).toBe("bad-message");
    expect(codeOf(() => parseCandidateBatch({ error: "superseded by a newer connection request" }))).toBe(
      "device-refused",
    );
    const reply = parseOfferReply({
      status: "new",
      sdp: SDP,
      ice_candidates: [{ candidate: "candidate:x" }],
      connected: false,
    });
    expect(reply).toEqual({ status: "new", sdp: SDP, iceCandidates: ["candidate:x"], connected: false });
  });

  it("turns a board's {error} into device-refused with the board's words", () => {
    expect(() => parseOfferReply({ error: "busy" })).toThrow(/refused the connection: busy/);
    expect(codeOf(() => parseOfferReply({ error: "busy" }))).toBe("device-refused");
  });

  it("rejects replies it cannot use with bad-message", () => {
    for (const bad of [
      null,
      [],
      "x",
      { sdp: "hello" },
      { sdp: SDP, candidates: "no" },
      { sdp: SDP, candidates: [3] },
    ]) {
      expect(codeOf(() => parseDeviceOffer(bad))).toBe("bad-message");
    }
    expect(codeOf(() => parseOfferReply({ status: "x" }))).toBe("bad-message");
  });

  it("checks requests on the board side", () => {
    expect(parseSignalRequest({ type: "get_offer" })).toEqual({ type: "get_offer" });
    expect(parseSignalRequest({ type: "get_offer", trickle: true })).toEqual({ type: "get_offer", trickle: true });
    expect(parseSignalRequest({ type: "candidates", after: 2 })).toEqual({ type: "candidates", after: 2 });
    expect(codeOf(() => parseSignalRequest({ type: "candidates", after: -1 }))).toBe("bad-message");
    expect(codeOf(() => parseSignalRequest({ type: "candidates", after: "2" }))).toBe("bad-message");
    expect(parseSignalRequest({ type: "candidate", candidate: "" })).toEqual({ type: "candidate", candidate: "" });
    expect(codeOf(() => parseSignalRequest({ type: "answer", sdp: 4 }))).toBe("bad-message");
    expect(codeOf(() => parseSignalRequest({ type: "steal" }))).toBe("bad-message");
  });

  it("finds candidates and the DTLS fingerprint in an SDP", () => {
    expect(candidatesInSdp(SDP)).toHaveLength(2);
    expect(fingerprintInSdp(SDP)).toBe("sha-256 AB:CD");
    expect(fingerprintInSdp("v=0\r\n")).toBeNull();
  });
});

describe("mDNS host candidates", () => {
  it("replaces *.local with the request's remote address and leaves others alone", () => {
    const [mdns, srflx] = candidatesInSdp(SDP);
    expect(isMdnsCandidate(mdns)).toBe(true);
    expect(isMdnsCandidate(srflx)).toBe(false);
    expect(resolveMdnsCandidate(mdns, "::ffff:192.168.4.10")).toBe(
      "candidate:1 1 udp 2122260223 192.168.4.10 54321 typ host generation 0",
    );
    expect(resolveMdnsCandidate(srflx, "192.168.4.10")).toBe(srflx);
    expect(resolveMdnsInSdp(SDP, "192.168.4.10")).toContain(
      "a=candidate:1 1 udp 2122260223 192.168.4.10 54321 typ host",
    );
  });
});

describe("serial signaling lines", () => {
  it("picks PYDIRECT-SIG lines out of console text", () => {
    const text =
      'boot noise\r\nPYDIRECT {"event":"boot"}\r\nPYDIRECT-SIG {"id": 3, "status": 200, "body": {"ok": true}}\r\n>>> ';
    expect(parseSignalLines(text)).toEqual([{ id: 3, status: 200, body: { ok: true } }]);
  });

  it("refuses garbled lines instead of guessing", () => {
    expect(() => parseSignalLines('PYDIRECT-SIG {"id": 3, "bo')).toThrow(/not valid JSON/);
    expect(() => parseSignalLines('PYDIRECT-SIG {"body": 1}')).toThrow(/without a request id/);
  });
});

describe("browser HTTPS signaling", () => {
  it("explains the one-time trust step with the fingerprint to compare", () => {
    const step = certificateTrustStep(
      { hostname: "pyDirect-5a3c01", certFingerprint: "AB:CD" },
      "https://192.168.4.23",
    );
    expect(step.url).toBe("https://192.168.4.23/");
    expect(step.fingerprint).toBe("AB:CD");
    expect(step.explanation).toContain("AB:CD");
  });

  it("reports an unreachable board as a SignalingError pointing at the trust step", async () => {
    const failingFetch = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    const transport = createFetchTransport("https://192.168.4.23/", { fetch: failingFetch });
    await expect(transport.request("POST", "/webrtc/offer", {})).rejects.toMatchObject({
      code: "unreachable",
      message: expect.stringContaining("trust its certificate"),
    });
  });

  it("reports a non-JSON reply as bad-message", async () => {
    const htmlFetch = (async () => new Response("<html>", { status: 200 })) as unknown as typeof fetch;
    const transport = createFetchTransport("https://192.168.4.23", { fetch: htmlFetch });
    await expect(transport.request("GET", "/webrtc/status")).rejects.toMatchObject({ code: "bad-message" });
  });
});
