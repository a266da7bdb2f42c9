/**
 * A provisioned board running our upstream-behaviour fixtures (test/fixtures/upstream-device) in
 * normal mode: upstream's httpserver API (routes, CORS, OPTIONS 204, ESP-IDF's 404/405), WebRTC
 * signaling as upstream answers it (no end-of-candidates, `status` key), and WBP over the
 * DataChannel with the WebREPL password. One board for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  certificateFiles,
  provisionedSettings,
  upstreamBoard,
  type OpenConsole,
} from "../../core/upstream/upstream-board";
import { WbpTestClient } from "./wbp-client";

const PASSWORD = "s3cret-pw";
let started: Awaited<ReturnType<typeof upstreamBoard>>;
let term: OpenConsole;
let base: string;

beforeAll(async () => {
  started = await upstreamBoard({
    files: await certificateFiles(),
    userSettings: provisionedSettings(false, PASSWORD),
    connectDelayMs: 100,
    openConsole: true,
  });
  term = started.term!;
  await term.waitFor("WebRTC signaling server started");
  await started.https.current!.upstream.whenListening();
  base = `http://127.0.0.1:${String(started.https.current!.upstream.httpPort)}`;
}, 30_000);
afterAll(() => started.board.unplug());

describe("upstream httpserver on the virtual board", () => {
  it("serves HTTP and HTTPS with the board's certificate", () => {
    const up = started.https.current!.upstream;
    expect(up.httpPort).not.toBeNull();
    expect(up.httpsPort).not.toBeNull();
    expect(term.text()).toMatch(
      /\x1b\[0;32mI \(\d+\) HTTPSERVER: HTTPS server started successfully on port 443\x1b\[0m\r\n/,
    );
  });

  it("answers a registered route with CORS and OPTIONS 204, anything else with ESP-IDF's plain 404/405", async () => {
    const status = await fetch(`${base}/webrtc/status`);
    expect(status.status).toBe(200);
    expect(status.headers.get("access-control-allow-origin")).toBe("*");
    expect(status.headers.get("content-type")).toBe("application/json");

    const preflight = await fetch(`${base}/webrtc/offer`, { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");

    const missing = await fetch(`${base}/webrtc-signal`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBeNull();
    expect(missing.headers.get("content-type")).toBe("text/html");
    expect(await missing.text()).toBe("This URI does not exist");

    const missingPreflight = await fetch(`${base}/nothing`, { method: "OPTIONS" });
    expect(missingPreflight.status).toBe(404);

    const wrongMethod = await fetch(`${base}/webrtc/offer`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("hands the handler the uri with its query, the body, and the client as ::FFFF:a.b.c.d, and logs them at INFO", async () => {
    const from = term.text().length;
    await fetch(`${base}/webrtc/status?x=1`);
    await term.waitFor("Client IP: ::FFFF:127.0.0.1", 5000, from);
    expect(term.text().slice(from)).toContain("Processing request: /webrtc/status?x=1 (handler 1)");
  });

  it("answers GET /webrtc/status with the key `status`", async () => {
    const body = (await (await fetch(`${base}/webrtc/status`)).json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["connected", "ice_candidates", "started", "status"]);
    expect(body.status).toMatch(/^STATE_/);
    expect(body).not.toHaveProperty("state");
  });
});

describe("WebRTC signaling and WBP as upstream's board speaks them", () => {
  let client: WbpTestClient;
  beforeAll(async () => {
    client = await WbpTestClient.offer(base);
    await client.opened();
  }, 20_000);
  afterAll(() => client.close());

  it("answers the offer within about 2 s with the candidates it has and no end-of-candidates", () => {
    const { status, body, elapsedMs } = client.answer;
    expect(status).toBe(200);
    expect(elapsedMs).toBeLessThan(2500);
    expect(body.sdp).toMatch(/^v=0/);
    expect(body.status).toMatch(/^STATE_/);
    expect(body.ice_candidates!.length).toBeGreaterThan(0);
    expect(body.ice_candidates).not.toContain("");
  });

  it("refuses everything before login, and a wrong password, with upstream's sentences", async () => {
    const from = client.frames.length;
    client.send([1, 0, "1+1", 0, "early"]);
    expect(await client.next((f) => f[0] === 0 && f[1] === 2, 5000, from)).toEqual([0, 2, "Not authenticated"]);
    expect(await client.login("wrong-password")).toEqual([0, 2, "Invalid password"]);
  });

  it("logs in with the WebREPL password and runs an expression, a statement and a failing statement", async () => {
    expect(await client.login(PASSWORD)).toEqual([0, 1]);
    const t0 = Date.now();
    const sum = await client.exec("6*7", "q1");
    const roundTripMs = Date.now() - t0;
    expect(sum.output).toBe("42\r\n");
    expect(sum.progress).toEqual([1, 2, 0, null, "q1"]);
    expect(roundTripMs).toBeLessThan(2000);

    const printed = await client.exec("print('a', 'b')\nprint(2)", "q2", 2);
    expect(printed.output).toBe("a b\r\n2\r\n");
    expect(printed.progress).toEqual([2, 2, 0, null, "q2"]);

    const failed = await client.exec("1/0", "q3");
    expect(failed.progress).toEqual([1, 2, 1, "Exception", "q3"]);
    expect(failed.output).toMatch(
      /^Traceback \(most recent call last\):\r\n {2}File "<stdin>", line 1, in <module>\r\nZeroDivisionError/,
    );
  });

  it("tells /webrtc/status about the connection, and the channel's state on the console", async () => {
    const body = (await (await fetch(`${base}/webrtc/status`)).json()) as Record<string, unknown>;
    expect(body.status).toBe("STATE_DATA_CHANNEL_OPENED");
    expect(body.ice_candidates).toBe(client.answer.body.ice_candidates!.length);
    expect(term.text()).toMatch(/I \(\d+\) WEBREPL: WebRTC authenticated/);
    expect(term.text()).toMatch(/W \(\d+\) WEBREPL: WebRTC auth failed/);
  });
});
