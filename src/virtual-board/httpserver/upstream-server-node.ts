/**
 * NODE-ONLY: upstream pyDirect's `httpserver` C module (jetpax/pyDirect 362a8cc,
 * httpserver/modhttpserver.c), as the virtual board runs it. Line numbers below are that file's.
 *
 * - `start(port=80, *, cert_file, key_file)` (643-894): an HTTP server on `port`, and with both
 *   files an HTTPS server on 443 (httpd_ssl_start, 876). Already running: a warning, True (653).
 *   One of the two files only: an error, False (779). A certificate ESP-IDF cannot use: HTTPS is
 *   left off, HTTP runs, True (880-884). A missing file: OSError from open() (691).
 * - `on(uri, handler, method="GET")` (897-1009): the route on both servers plus an OPTIONS route
 *   (978-1005) answering 204 with CORS headers (1189-1204); returns the slot. Only GET and POST.
 * - A request on a route is queued (1207-1244) and handled when Python calls `process_queue()`
 *   (551): the handler gets `(uri, data, remote_addr)`, `data` the POST body (str) or None for GET
 *   (438-484); uri as ESP-IDF has it, query string included. A str result goes out as
 *   application/json with `Access-Control-Allow-Origin: *` and `Connection: close` (514-524);
 *   anything else as an empty text/html reply with the CORS origin header (526-536), unless
 *   `send(text)` already answered (text/html, no CORS header: 1148-1170). A handler that raises:
 *   its traceback on the console and a 200 "Internal Server Error" text/html reply (500-509).
 * - Paths with no route: ESP-IDF's own error page, `404 Not Found` "This URI does not exist"
 *   (text/html, no CORS header); a route with another method: `405 Method Not Allowed` "Request
 *   method for this URI is not handled by server" (ESP-IDF httpd_txrx.c httpd_resp_send_err).
 *   Routes match the path only, with ESP-IDF's httpd_uri_match_wildcard (`*` at the end: prefix).
 * - The board's lwIP listens dual-stack, so an IPv4 client's address reaches Python as
 *   `::FFFF:a.b.c.d` (lwIP's ip6addr_ntoa_r writes hex upper-case; upstream's signaling strips
 *   that prefix, device-scripts/lib/sys/webrtc_signaling.py:218).
 *
 * The request handling (routing, CORS, OPTIONS, ESP-IDF's 404/405, the queue) is the browser-safe
 * core's (upstream-http-core.ts, which the browser's board worker uses too); this shell listens.
 *
 * Ports below 1024 need privileges: 80 and 443 are mapped to free ports here (`httpPort`, `httpsPort`).
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { lwipRemoteAddress, UpstreamHttpCore, type HttpReplyOut, type UpstreamHttpLog } from "./upstream-http-core";

export { matchWildcard } from "./upstream-http-core";
export type UpstreamServerLog = UpstreamHttpLog;

export interface UpstreamServerOptions {
  host?: string;
  /** Where the board's port 80 / 443 listen on this machine; default 0 (any free port). */
  httpPortOverride?: number;
  httpsPortOverride?: number;
  log?: UpstreamServerLog;
}

export class UpstreamHttpServer {
  private readonly core: UpstreamHttpCore;
  private httpServer: http.Server | null = null;
  private httpsServer: https.Server | null = null;
  httpPort: number | null = null;
  httpsPort: number | null = null;
  private readonly log: UpstreamServerLog;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: UpstreamServerOptions = {}) {
    this.log = options.log ?? (() => undefined);
    this.core = new UpstreamHttpCore(this.log);
  }

  get running(): boolean {
    return this.httpServer !== null;
  }

  /** Resolves once start() has its servers listening (HTTPS when it was asked for and started). */
  whenListening(): Promise<void> {
    if (this.httpPort !== null) return Promise.resolve();
    return new Promise((resolve) => this.listeners.add(resolve));
  }

  /** `start()` with the PEM texts Python read; returns "ok" / "false" / "already". */
  start(port: number, certPem: string | null, keyPem: string | null): "ok" | "false" | "already" {
    const outcome = this.core.start(port, certPem, keyPem);
    if (outcome !== "ok") return outcome;
    const host = this.options.host ?? "127.0.0.1";
    const pending: Array<Promise<void>> = [];
    const listen = (server: http.Server | https.Server, want: number, set: (p: number) => void) =>
      new Promise<void>((resolve) => {
        server.listen(want, host, () => {
          set((server.address() as AddressInfo).port);
          resolve();
        });
      });
    this.httpServer = http.createServer((req, res) => this.onRequest(req, res));
    pending.push(
      listen(this.httpServer, this.options.httpPortOverride ?? (port < 1024 ? 0 : port), (p) => (this.httpPort = p)),
    );
    if (certPem !== null && keyPem !== null) {
      try {
        this.httpsServer = https.createServer({ cert: certPem, key: keyPem }, (req, res) => this.onRequest(req, res));
        pending.push(listen(this.httpsServer, this.options.httpsPortOverride ?? 0, (p) => (this.httpsPort = p)));
        this.log(3, "HTTPS server started successfully on port 443", true);
      } catch {
        // httpd_ssl_start failed: the module carries on with HTTP only (modhttpserver.c:880-884).
        this.httpsServer = null;
        this.log(1, "Failed to start HTTPS server: -1 (0xffffffff)");
      }
    }
    void Promise.all(pending).then(() => {
      this.listeners.forEach((l) => l());
      this.listeners.clear();
    });
    return "ok";
  }

  /** `on(uri, handler, method)`; the Python side keeps the handler under the returned slot. */
  on(uri: string, method: string): number | string {
    return this.core.on(uri, method);
  }

  /** `off(uri, method)`: the slot freed, or -1 when no such route. */
  off(uri: string, method: string): number {
    return this.core.off(uri, method);
  }

  /** The next queued request as JSON text for Python ("" when none). */
  next(): string {
    return this.core.next();
  }

  /** Answer request `id` unless it already was (a send() before the handler returned). */
  reply(id: number, status: number, contentType: string, body: string, cors: boolean): boolean {
    return this.core.reply(id, status, contentType, body, cors);
  }

  /** The request handled (whatever was sent): forget it. */
  done(id: number): void {
    this.core.done(id);
  }

  async close(): Promise<void> {
    const servers = [this.httpServer, this.httpsServer].filter((s): s is http.Server => s !== null);
    this.httpServer = null;
    this.httpsServer = null;
    this.httpPort = null;
    this.httpsPort = null;
    this.core.stop();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.core
        .handle({
          method: req.method ?? "GET",
          uri: req.url ?? "/",
          body: Buffer.concat(chunks).toString("utf8"),
          remote: lwipRemoteAddress(req.socket.remoteAddress ?? "0.0.0.0"),
        })
        .then(
          (reply: HttpReplyOut) => {
            res.writeHead(reply.status, reply.statusText, reply.headers);
            res.end(reply.body);
          },
          () => res.destroy(),
        );
    });
  }
}
