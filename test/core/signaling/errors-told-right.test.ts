/**
 * A board that is up but has no WebRTC routes (upstream's setup mode, HTTPS off) answers ESP-IDF's
 * plain 404 without CORS headers. The portal says so, with the next step, instead of "unreachable,
 * trust the certificate": in Node from the status code, in a browser (where a missing CORS header
 * looks like a network failure) from an opaque no-cors request that does get through.
 */
import { describe, expect, it } from "vitest";
import { createFetchTransport, parseStatus } from "../../../src/core/signaling";

const BASE = "https://pydirect-3c01.local";

/** A fetch standing in for a browser's: `cors` requests meet `corsOutcome`, `no-cors` ones `opaqueOutcome`. */
function browserFetch(corsOutcome: "cors-blocked" | "network" | Response, opaqueOutcome: "network" | "opaque") {
  const seen: RequestInit[] = [];
  const fetch = ((_url: string, init: RequestInit = {}) => {
    seen.push(init);
    if (init.mode === "no-cors")
      return opaqueOutcome === "opaque"
        ? Promise.resolve(new Response(null, { status: 200 }))
        : Promise.reject(new TypeError("Failed to fetch"));
    if (corsOutcome instanceof Response) return Promise.resolve(corsOutcome);
    return Promise.reject(new TypeError("Failed to fetch"));
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const permissions = { query: () => Promise.resolve({ state: "granted" }) } as never;

describe("a board that answers without its WebRTC routes", () => {
  it("is told as having no WebRTC endpoint when only the CORS check failed (browser)", async () => {
    const { fetch, seen } = browserFetch("cors-blocked", "opaque");
    const transport = createFetchTransport(BASE, { fetch, permissions });
    const err = await transport.request("POST", "/webrtc/offer", { sdp: "v=0" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "no-webrtc-endpoint" });
    expect((err as Error).message).toMatch(/has no WebRTC endpoint/);
    expect((err as Error).message).toMatch(/setup mode/);
    expect((err as Error).message).toMatch(/Provision it again/);
    expect((err as Error).message).not.toMatch(/trust/);
    expect(seen.map((i) => i.mode ?? "cors")).toEqual(["cors", "no-cors"]);
  });

  it("is told from the status code when the 404 does reach the page", async () => {
    const { fetch } = browserFetch(new Response("Nothing matches the given URI", { status: 404 }), "opaque");
    const transport = createFetchTransport(BASE, { fetch, permissions });
    await expect(transport.request("GET", "/webrtc/status")).rejects.toMatchObject({
      code: "no-webrtc-endpoint",
      message: expect.stringContaining("HTTP 404") as unknown,
    });
  });

  it("stays unreachable (with the trust step) when nothing answers at all", async () => {
    const { fetch } = browserFetch("network", "network");
    const transport = createFetchTransport(BASE, { fetch, permissions });
    const err = await transport.request("GET", "/webrtc/status").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unreachable" });
    expect((err as Error).message).toMatch(/trust its certificate/);
  });
});

describe("/webrtc/status in upstream's shape", () => {
  it("reads `status` as the state, and keeps a last_error as information", () => {
    const status = parseStatus({ status: "STATE_CONNECTED", connected: true, started: true, ice_candidates: 3 });
    expect(status).toMatchObject({ state: "STATE_CONNECTED", connected: true, ice_candidates: 3 });
    expect(parseStatus({ state: "connected", connected: false }).state).toBe("connected");
    expect(() => parseStatus({ error: "Status error" })).toThrow(/refused/);
  });
});
