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
 * Ports below 1024 need privileges: 80 and 443 are mapped to free ports here (`httpPort`, `httpsPort`).
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

const IDF_ERRORS = {
  404: ["404 Not Found", "This URI does not exist"],
  405: ["405 Method Not Allowed", "Request method for this URI is not handled by server"],
} as const;

interface Route {
  slot: number;
  uri: string;
  method: "GET" | "POST";
}

interface Pending {
  id: number;
  slot: number;
  uri: string;
  method: string;
  data: string | null;
  remote: string;
  res: http.ServerResponse;
}

export interface UpstreamServerLog {
  /** `inline`: logged from the MicroPython task (inside a call Python made), not from httpd's. */
  (level: 1 | 2 | 3, text: string, inline?: boolean): void;
}

export interface UpstreamServerOptions {
  host?: string;
  /** Where the board's port 80 / 443 listen on this machine; default 0 (any free port). */
  httpPortOverride?: number;
  httpsPortOverride?: number;
  log?: UpstreamServerLog;
}

/** HTTP_HANDLER_MAX (modhttpserver.c:101). */
const HANDLER_SLOTS = 12;

export function matchWildcard(template: string, path: string): boolean {
  if (template.endsWith("*")) return path.startsWith(template.slice(0, -1));
  if (template.endsWith("?")) {
    const base = template.slice(0, -1);
    return path === base || (path.length === template.length && path.startsWith(base));
  }
  return template === path;
}

export class UpstreamHttpServer {
  private readonly routes: Array<Route | null> = new Array<Route | null>(HANDLER_SLOTS).fill(null);
  private readonly queue: Pending[] = [];
  private readonly answered = new Set<number>();
  private readonly open = new Map<number, Pending>();
  private nextId = 1;
  private httpServer: http.Server | null = null;
  private httpsServer: https.Server | null = null;
  httpPort: number | null = null;
  httpsPort: number | null = null;
  private readonly log: UpstreamServerLog;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: UpstreamServerOptions = {}) {
    this.log = options.log ?? (() => undefined);
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
    if (this.httpServer) {
      this.log(2, "HTTP server already running", true);
      return "already";
    }
    if ((certPem === null) !== (keyPem === null)) {
      this.log(1, "Both cert_file and key_file required for HTTPS");
      return "false";
    }
    const host = this.options.host ?? "127.0.0.1";
    const pending: Array<Promise<void>> = [];
    const listen = (server: http.Server | https.Server, want: number, set: (p: number) => void) =>
      new Promise<void>((resolve) => {
        server.listen(want, host, () => {
          set((server.address() as AddressInfo).port);
          resolve();
        });
      });
    this.log(3, `Starting HTTP server on port ${String(port)}`, true);
    this.httpServer = http.createServer((req, res) => this.onRequest(req, res));
    pending.push(
      listen(this.httpServer, this.options.httpPortOverride ?? (port < 1024 ? 0 : port), (p) => (this.httpPort = p)),
    );
    this.log(3, `HTTP server started successfully on port ${String(port)}`, true);
    if (certPem !== null && keyPem !== null) {
      this.log(
        3,
        `SSL certificates loaded (cert: ${String(certPem.length)} bytes, key: ${String(keyPem.length)} bytes)`,
        true,
      );
      this.log(3, "Starting HTTPS server on port 443", true);
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
    if (!this.httpServer) return "value:Server not started";
    const upper = method.toUpperCase();
    if (upper !== "GET" && upper !== "POST") return "value:Method must be 'GET' or 'POST'";
    const slot = this.routes.findIndex((r) => r === null);
    if (slot < 0) return "runtime:No more handler slots available";
    this.log(3, `Registering handler for URI: ${uri}, Method: ${upper}`, true);
    this.routes[slot] = { slot, uri, method: upper };
    return slot;
  }

  /** `off(uri, method)`: the slot freed, or -1 when no such route. */
  off(uri: string, method: string): number {
    const upper = method.toUpperCase();
    const slot = this.routes.findIndex((r) => r?.uri === uri && r.method === upper);
    if (slot < 0) {
      this.log(2, `Handler not found for URI: ${uri}, method: ${upper === "POST" ? "3" : "1"}`);
      return -1;
    }
    this.routes[slot] = null;
    this.log(3, `Handler unregistered successfully for URI: ${uri} (slot ${String(slot)})`);
    return slot;
  }

  /** The next queued request as JSON text for Python ("" when none). */
  next(): string {
    const req = this.queue.shift();
    if (!req) return "";
    this.log(3, `Processing request: ${req.uri} (handler ${String(req.slot)})`, true);
    this.log(3, `Client IP: ${req.remote}`, true);
    if (req.data !== null) this.log(3, `Received POST data (${String(req.data.length)} bytes): ${req.data}`, true);
    this.open.set(req.id, req);
    return JSON.stringify({ id: req.id, slot: req.slot, uri: req.uri, data: req.data, remote: req.remote });
  }

  /** Answer request `id` unless it already was (a send() before the handler returned). */
  reply(id: number, status: number, contentType: string, body: string, cors: boolean): boolean {
    const req = this.open.get(id);
    if (!req || this.answered.has(id)) return false;
    this.answered.add(id);
    const headers: Record<string, string> = { "content-type": contentType };
    if (cors) {
      headers["access-control-allow-origin"] = "*";
      if (contentType === "application/json") {
        headers["access-control-allow-methods"] = "GET, POST, OPTIONS";
        headers["access-control-allow-headers"] = "Content-Type";
      }
    }
    headers.connection = "close";
    // httpd_resp_send always sends Content-Length (ESP-IDF httpd_txrx.c); never chunked.
    headers["content-length"] = String(Buffer.byteLength(body));
    req.res.writeHead(status, headers);
    req.res.end(body);
    return true;
  }

  /** The request handled (whatever was sent): forget it. */
  done(id: number): void {
    this.open.delete(id);
    this.answered.delete(id);
  }

  async close(): Promise<void> {
    const servers = [this.httpServer, this.httpsServer].filter((s): s is http.Server => s !== null);
    this.httpServer = null;
    this.httpsServer = null;
    this.httpPort = null;
    this.httpsPort = null;
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
      const uri = req.url ?? "/";
      const path = uri.split("?")[0];
      const method = req.method ?? "GET";
      const onPath = this.routes.filter((r): r is Route => r !== null && matchWildcard(r.uri, path));
      if (onPath.length === 0) {
        this.idfError(res, 404);
        return;
      }
      if (method === "OPTIONS") {
        this.log(3, `OPTIONS preflight request for: ${uri}`);
        res.writeHead(204, {
          "access-control-allow-origin": "*",
          "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
          "access-control-allow-headers": "Content-Type, Authorization",
          "access-control-max-age": "86400",
          connection: "close",
          "content-length": "0",
        });
        res.end();
        return;
      }
      const route = onPath.find((r) => r.method === method);
      if (!route) {
        this.idfError(res, 405);
        return;
      }
      const v4 = (req.socket.remoteAddress ?? "0.0.0.0").replace(/^::ffff:/i, "");
      const remote = v4.includes(":") ? v4.toUpperCase() : `::FFFF:${v4}`;
      this.log(
        3,
        `HTTP handler called: URI=${uri}, method=${method === "POST" ? "3" : "1"}, handler_id=${String(route.slot)}`,
      );
      this.queue.push({
        id: this.nextId++,
        slot: route.slot,
        uri,
        method,
        data: method === "POST" ? Buffer.concat(chunks).toString("utf8") : null,
        remote,
        res,
      });
      this.log(3, "Request queued successfully for async processing");
    });
  }

  private idfError(res: http.ServerResponse, code: 404 | 405): void {
    const [status, message] = IDF_ERRORS[code];
    res.writeHead(code, status.slice(4), {
      "content-type": "text/html",
      "content-length": String(message.length),
      connection: "close",
    });
    res.end(message);
  }
}
