/**
 * A board without the serial signaling helper (pyDirect upstream's image) is verified over HTTPS.
 * A browser's fetch cannot pin the board's self-signed certificate, so the session shows the
 * certificate trust step before it starts verifying, and verifies once the user confirms it. The
 * "browser" here is a fetch that, like a browser, fails every request to the board until the user
 * has accepted that exact certificate.
 */
import https from "node:https";
import { TLSSocket } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { PortalSession } from "../../../src/core/session/portal-session";
import { createFetchTransport } from "../../../src/core/signaling/transport";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import type { VirtualBoard } from "../../../src/virtual-board";
import { WORKSHOP, presentedCertificate, servingPort, upstreamBoard } from "../upstream/upstream-board";

let session: PortalSession | null = null;
let board: VirtualBoard | null = null;
afterEach(() => {
  session?.closeConsole();
  session = null;
  board?.unplug();
  board = null;
});

interface BrowserLike {
  /** The board's HTTPS server on loopback (its URL names its simulated Wi-Fi address). */
  port: number;
  /** The certificate the user accepted in the browser (SHA-256 "AB:CD:…"); null: none yet. */
  accepted: string | null;
  /** Paths the page's fetch sent to the board. */
  requests: string[];
}

/** fetch as a page sees it: a certificate the user has not accepted fails like a network error. */
function browserFetch(browser: BrowserLike): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      browser.requests.push(url.pathname);
      const req = https.request({
        host: "127.0.0.1",
        port: browser.port,
        path: url.pathname,
        method: init?.method ?? "GET",
        headers: (init?.headers ?? {}) as Record<string, string>,
        rejectUnauthorized: false,
        agent: false,
      });
      const fail = (cause?: unknown) => {
        req.destroy();
        reject(new TypeError("Failed to fetch", { cause }));
      };
      req.on("socket", (socket) => {
        if (!(socket instanceof TLSSocket)) {
          fail(new Error("https.request gave a socket without TLS"));
          return;
        }
        socket.once("secureConnect", () => {
          // An empty object when the server presented no certificate.
          const peer = socket.getPeerCertificate() as { fingerprint256?: string };
          const presented = peer.fingerprint256?.toUpperCase();
          if (!browser.accepted || presented !== browser.accepted) fail(new Error("net::ERR_CERT_AUTHORITY_INVALID"));
        });
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 200 })));
      });
      req.on("error", fail);
      init?.signal?.addEventListener("abort", () => fail(init.signal?.reason), { once: true });
      if (typeof init?.body === "string") req.write(init.body);
      req.end();
    });
}

describe("verifying an upstream board from a page that cannot pin its certificate", () => {
  it("shows the trust step first, starts nothing until the user confirms, then verifies", async () => {
    const started = await upstreamBoard();
    board = started.board;
    const browser: BrowserLike = { port: 0, accepted: null, requests: [] };
    const urls: string[] = [];
    const jobs = createPortalJobs({
      registry: new MemoryDeviceRegistry(),
      peerBackend: weriftPeerBackend,
      wifiTimeoutMs: 20_000,
      // The page's own transport: fetch, no pin.
      httpsTransport: (url) => {
        urls.push(url);
        return createFetchTransport(url, { fetch: browserFetch(browser) });
      },
    });
    const s = (session = new PortalSession({ jobs, sources: [] }));
    if (!(await s.connect({ port: board.port, label: "USB serial", virtual: false })))
      throw s.state.connect.error ?? new Error("connect failed without an error");
    s.skipFlash();
    s.setWifi(WORKSHOP);
    if (!(await s.provision())) throw s.state.provision.error ?? new Error("provision failed without an error");
    const prov = s.state.provision.result!;
    expect(prov.deviceScripts).toEqual({ kind: "pydirect-upstream", serialSignaling: false });

    // Straight after provisioning, before any check: the step to take, with what to compare.
    expect(s.state.step).toBe("verify");
    expect(s.state.verify.status).toBe("idle");
    expect(s.state.verify.trust).toMatchObject({
      url: "https://192.168.4.23/",
      fingerprint: prov.certFingerprint,
      hostname: prov.hostname,
    });
    expect(s.state.verify.trust?.explanation).toContain(prov.certFingerprint);

    // Pressing Verify without confirming asks again and sends nothing to the board.
    browser.port = await servingPort(started.https);
    expect(await s.verify()).toBe(false);
    expect(s.state.verify).toMatchObject({ status: "idle", error: null, trust: { url: "https://192.168.4.23/" } });
    expect(browser.requests).toEqual([]);

    // As in a browser, the board's certificate is refused until the user accepts it.
    await expect(browserFetch({ ...browser, requests: [] })("https://192.168.4.23/webrtc/status")).rejects.toThrow(
      TypeError,
    );

    // The user opens the URL, compares the fingerprint the browser shows, and accepts it.
    const shown = (await presentedCertificate(browser.port)).toUpperCase();
    expect(shown).toBe(prov.certFingerprint.toUpperCase());
    browser.accepted = shown;

    if (!(await s.confirmTrust())) throw s.state.verify.error ?? new Error("verify failed without an error");
    expect(s.state.verify.trust).toBeNull();
    expect(s.state.verify.result).toMatchObject({ ok: true, detail: expect.stringContaining("https signaling") });
    expect(browser.requests).toContain("/webrtc/offer");
    expect(urls).toEqual(["https://192.168.4.23"]);
    // Nothing left to confirm: confirming again does nothing.
    expect(await s.confirmTrust()).toBe(false);
  }, 180_000);
});
