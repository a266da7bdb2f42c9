/**
 * Our upstream-behaviour fixtures booting as a freshly provisioned upstream board would: setup
 * mode on (upstream's default_settings.json), ESP-IDF log lines on the console (boot.py's
 * esp.osdebug(esp.LOG_INFO), the S3 image's INFO), only /setup, /set-password and / served, no
 * /webrtc/offer; then anyone on the LAN sets the WebREPL password and the board leaves setup mode.
 * Also a board whose WebRTC stack reports no candidates: the answer carries made-up host ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  certificateFiles,
  provisionedSettings,
  upstreamBoard,
  type OpenConsole,
} from "../../core/upstream/upstream-board";
import { WbpTestClient } from "./wbp-client";

describe("setup mode", () => {
  let started: Awaited<ReturnType<typeof upstreamBoard>>;
  let term: OpenConsole;
  let base: string;
  beforeAll(async () => {
    started = await upstreamBoard({
      files: await certificateFiles(),
      userSettings: provisionedSettings(true),
      connectDelayMs: 100,
      openConsole: true,
    });
    term = started.term!;
    await term.waitFor("[SETUP] Setup server ready");
    await started.https.current!.upstream.whenListening();
    base = `http://127.0.0.1:${String(started.https.current!.upstream.httpPort)}`;
  }, 30_000);
  afterAll(() => started.board.unplug());

  it("boots with ESP-IDF's coloured log lines among the scripts' own", () => {
    const text = term.text();
    expect(text).toContain("System booting...\r\n");
    expect(text).toContain("[MAIN] Setup mode detected, starting setup server...");
    expect(text).toMatch(/\x1b\[0;32mI \(\d+\) wifi:state: init -> auth \(b0\)\x1b\[0m\r\n/);
    expect(text).toMatch(
      /\x1b\[0;32mI \(\d+\) esp_netif_handlers: sta ip: 192\.168\.4\.23, mask: 255\.255\.255\.0, gw: 192\.168\.4\.1\x1b\[0m\r\n/,
    );
    expect(text).toMatch(/I \(\d+\) network: GOT_IP/);
    expect(text).toMatch(/I \(\d+\) HTTPSERVER: Registering handler for URI: \/set-password, Method: POST/);
    expect(started.app.idfLog.levelFor()).toBe(3);
  });

  it("serves the setup routes only: /webrtc/offer is ESP-IDF's plain 404 without CORS", async () => {
    const offer = await fetch(`${base}/webrtc/offer`, { method: "POST", body: JSON.stringify({ sdp: "v=0" }) });
    expect(offer.status).toBe(404);
    expect(offer.headers.get("access-control-allow-origin")).toBeNull();
    expect(await offer.text()).toBe("This URI does not exist");
    const page = await fetch(`${base}/setup`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html");
    expect(page.headers.get("access-control-allow-origin")).toBeNull();
    expect(await page.text()).toContain("pydirect-3c01");
    expect((await fetch(`${base}/set-password`, { method: "OPTIONS" })).status).toBe(204);
  });

  it("takes a new WebREPL password from anyone, prints it in ESP-IDF's INFO line, and leaves setup mode", async () => {
    const short = await fetch(`${base}/set-password`, { method: "POST", body: JSON.stringify({ password: "abc" }) });
    expect(await short.json()).toMatchObject({ success: false });
    const from = term.text().length;
    const set = await fetch(`${base}/set-password`, { method: "POST", body: JSON.stringify({ password: "intruder" }) });
    expect(set.headers.get("access-control-allow-origin")).toBe("*");
    expect(await set.json()).toMatchObject({ success: true });
    await term.waitFor("[SETUP] Resetting device for normal boot...", 5000, from);
    expect(term.text().slice(from)).toMatch(/Received POST data \(\d+ bytes\): \{"password": ?"intruder"\}/);
    // After the soft reset the normal server comes up, with /webrtc/offer.
    await term.waitFor("WebRTC signaling server started", 15_000, from);
    await started.https.current!.upstream.whenListening();
    const again = `http://127.0.0.1:${String(started.https.current!.upstream.httpPort)}`;
    expect((await fetch(`${again}/webrtc/offer`, { method: "OPTIONS" })).status).toBe(204);
  }, 30_000);
});

describe("a stack that hands no candidates to on_ice", () => {
  let started: Awaited<ReturnType<typeof upstreamBoard>>;
  beforeAll(async () => {
    started = await upstreamBoard({
      files: await certificateFiles(),
      userSettings: provisionedSettings(false),
      connectDelayMs: 100,
      openConsole: true,
      silentCandidates: true,
    });
    await started.term!.waitFor("WebRTC signaling server started");
    await started.https.current!.upstream.whenListening();
  }, 30_000);
  afterAll(() => started.board.unplug());

  it("answers with host candidates made up from its address and the answer's port, +1, +2", async () => {
    const client = await WbpTestClient.offer(`http://127.0.0.1:${String(started.https.current!.upstream.httpPort)}`);
    client.close();
    const { body, elapsedMs } = client.answer;
    expect(elapsedMs).toBeLessThan(2500);
    const port = Number(/m=application (\d+) /.exec(body.sdp!)![1]);
    expect(body.ice_candidates).toEqual(
      [port, port + 1, port + 2].map((p) => `candidate:1 1 udp 2113667327 192.168.4.23 ${String(p)} typ host`),
    );
  });
});
