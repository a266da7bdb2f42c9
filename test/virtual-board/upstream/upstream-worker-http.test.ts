/**
 * Upstream's `httpserver` on a board whose MicroPython runs in a worker (as the browser runs
 * boards, which cannot listen on a socket): the worker tells the page which ports serve and with
 * which certificate, and requests the page routes to the board get upstream's answers from the
 * same core as the Node server (routes, CORS `*`, OPTIONS 204, ESP-IDF's plain 404/405).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoParts } from "../../../scripts/lib/demo-firmware";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { VirtualBoard } from "../../../src/virtual-board";
import type { HttpRequestIn } from "../../../src/virtual-board/httpserver/upstream-http-core";
import { keyMatchesCertificate } from "../../../src/virtual-board/httpserver/worker-http";
import {
  createMicroPythonWorkerApp,
  type MicroPythonWorkerApp,
} from "../../../src/virtual-board/micropython/worker/worker-app";
import { Terminal } from "../micropython/board-harness";
import { spawnNodeBoardWorker } from "../micropython/worker-harness";
import {
  ACCESS_POINTS,
  certificateFiles,
  provisionedSettings,
  upstreamDeviceFiles,
} from "../../core/upstream/upstream-board";

let board: VirtualBoard;
let app: MicroPythonWorkerApp;
let term: Terminal;
let certPem: string;

const req = (method: string, uri: string, body = ""): HttpRequestIn => ({
  method,
  uri,
  body,
  remote: "::FFFF:192.168.4.2",
});

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen; the console showed:\n${term.text.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const certs = await certificateFiles();
  certPem = certs["/certs/servercert.pem"];
  app = createMicroPythonWorkerApp({
    modules: ["webrtc", "upstream", "httpserver"],
    frozenFiles: {
      ...upstreamDeviceFiles(),
      ...certs,
      "/settings/user_settings.json": JSON.stringify(provisionedSettings(false)),
    },
    accessPoints: ACCESS_POINTS,
    connectDelayMs: 100,
    spawn: spawnNodeBoardWorker,
    peerBackend: async () => weriftPeerBackend,
  });
  board = new VirtualBoard({ chip: "ESP32-S3", app });
  for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
  // The console is read through the open port, as a host reads it.
  await board.waitForMode("app");
  term = new Terminal(board);
  await term.open();
  await until(() => term.text.includes("WebRTC signaling server started"), "signaling start", 60_000);
}, 90_000);
afterAll(() => board.unplug());

it("tells the page it serves HTTP and HTTPS, with the certificate from cert_file, at its Wi-Fi address", async () => {
  expect(app.network.ip).toBe("192.168.4.23");
  expect(app.network.serving).toEqual({ http: true, https: true, certificatePem: certPem });
  // ESP-IDF's lines come from the server's own task and may reach the console after the script's
  // "signaling server started" print.
  const logged = (line: string) => term.text.includes(line);
  await until(
    () => logged("HTTPS server started successfully") && logged("Registering handler for URI: /webrtc/offer"),
    "the HTTPS server's log lines",
    10_000,
  );
  expect(term.text).toMatch(/I \(\d+\) HTTPSERVER: Registering handler for URI: \/webrtc\/offer, Method: POST/);
  expect(term.text).toMatch(/I \(\d+\) HTTPSERVER: HTTPS server started successfully on port 443/);
});

it("answers a route through the handler with JSON and CORS *, and the rest as ESP-IDF does", async () => {
  const status = await app.network.request("https", req("GET", "/webrtc/status"));
  expect(status.status).toBe(200);
  expect(status.headers["content-type"]).toBe("application/json");
  expect(status.headers["access-control-allow-origin"]).toBe("*");
  expect(JSON.parse(status.body)).toHaveProperty("status");

  const missing = await app.network.request("https", req("POST", "/nowhere", "{}"));
  expect(missing).toMatchObject({ status: 404, body: "This URI does not exist" });
  expect(missing.headers["access-control-allow-origin"]).toBeUndefined();

  const wrongMethod = await app.network.request("http", req("POST", "/webrtc/status", "{}"));
  expect(wrongMethod).toMatchObject({ status: 405, body: "Request method for this URI is not handled by server" });
  expect(wrongMethod.headers["access-control-allow-origin"]).toBeUndefined();

  const preflight = await app.network.request("https", req("OPTIONS", "/webrtc/offer"));
  expect(preflight.status).toBe(204);
  expect(preflight.headers["access-control-allow-origin"]).toBe("*");
});

it("hands the handler the request's remote address in lwIP's form", async () => {
  await app.network.request("https", req("GET", "/webrtc/status?x=1"));
  // The log lines cross the serial link after the reply crossed to the page.
  await until(() => /HTTPSERVER: Processing request: \/webrtc\/status\?x=1 /.test(term.text), "the request's log line");
  expect(term.text).toMatch(/HTTPSERVER: Client IP: ::FFFF:192\.168\.4\.2/);
});

it("refuses connections once the chip resets, until its scripts start the server again", async () => {
  board.reset("normal");
  await until(() => app.network.serving === null, "the server stopping");
  expect((await app.network.request("https", req("GET", "/webrtc/status"))).status).toBe(-1);
  const from = term.text.length;
  await until(() => term.text.slice(from).includes("WebRTC signaling server started"), "signaling restart", 60_000);
  expect((await app.network.request("https", req("GET", "/webrtc/status"))).status).toBe(200);
}, 90_000);

it("lets TLS handshakes succeed only with the certificate's own key", async () => {
  const [a, b] = [await certificateFiles("board-a"), await certificateFiles("board-b")];
  expect(await keyMatchesCertificate(a["/certs/servercert.pem"], a["/certs/prvtkey.pem"])).toBe(true);
  expect(await keyMatchesCertificate(a["/certs/servercert.pem"], b["/certs/prvtkey.pem"])).toBe(false);
  expect(
    await keyMatchesCertificate(
      a["/certs/servercert.pem"],
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    ),
  ).toBe(false);
});
