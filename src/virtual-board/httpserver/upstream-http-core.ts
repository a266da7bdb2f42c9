/**
 * Browser-safe: the request handling of upstream pyDirect's `httpserver` C module (jetpax/pyDirect
 * 362a8cc, httpserver/modhttpserver.c; line numbers below are that file's), apart from any socket.
 * The Node shell (upstream-server-node.ts) feeds it requests from Node's http/https servers; the
 * browser's board worker (worker-http.ts) feeds it requests the page posts to the worker. Both
 * answer with what this core decides.
 *
 * - `start(port, cert, key)` (643-894): already running: a warning, "already" (653); one of the two
 *   files only: an error, "false" (779).
 * - `on(uri, method)` (897-1009): a slot of HTTP_HANDLER_MAX (101) for the route, which also gets an
 *   OPTIONS route (978-1005) answering 204 with CORS headers (1189-1204). Only GET and POST.
 * - A request on a route is queued (1207-1244) and handled when Python calls `process_queue()`
 *   (551): `next()` gives Python `(uri, data, remote_addr)`, `data` the POST body or None for GET
 *   (438-484), uri as ESP-IDF has it (query string included). `reply()` sends a str result as
 *   application/json with `Access-Control-Allow-Origin: *` and `Connection: close` (514-524),
 *   anything else as an empty text/html reply with the CORS origin header (526-536), or what
 *   `send(text)` answered first (text/html, no CORS header: 1148-1170).
 * - Paths with no route: ESP-IDF's own `404 Not Found` "This URI does not exist" (text/html, no
 *   CORS header); a route with another method: `405 Method Not Allowed` "Request method for this
 *   URI is not handled by server" (ESP-IDF httpd_txrx.c httpd_resp_send_err). Routes match the path
 *   only, with ESP-IDF's httpd_uri_match_wildcard (`*` at the end: prefix; `?` at the end: optional
 *   last character).
 */

/** A request as it reached the board's httpd. */
export interface HttpRequestIn {
  method: string;
  /** Path and query, as the request line had it. */
  uri: string;
  /** The body as UTF-8 text ("" when there was none). */
  body: string;
  /** The client's address as lwIP prints it (`::FFFF:a.b.c.d` for IPv4 on the dual-stack socket). */
  remote: string;
}

/** What the board's httpd sends back. */
export interface HttpReplyOut {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

export interface UpstreamHttpLog {
  /** `inline`: logged from the MicroPython task (inside a call Python made), not from httpd's. */
  (level: 1 | 2 | 3, text: string, inline?: boolean): void;
}

const IDF_ERRORS = {
  404: ["Not Found", "This URI does not exist"],
  405: ["Method Not Allowed", "Request method for this URI is not handled by server"],
} as const;

/** HTTP_HANDLER_MAX (modhttpserver.c:101). */
const HANDLER_SLOTS = 12;

interface Route {
  slot: number;
  uri: string;
  method: "GET" | "POST";
}

interface Pending {
  id: number;
  slot: number;
  uri: string;
  data: string | null;
  remote: string;
  answer: (reply: HttpReplyOut) => void;
}

/** ESP-IDF's httpd_uri_match_wildcard. */
export function matchWildcard(template: string, path: string): boolean {
  if (template.endsWith("*")) return path.startsWith(template.slice(0, -1));
  if (template.endsWith("?")) {
    const base = template.slice(0, -1);
    return path === base || (path.length === template.length && path.startsWith(base));
  }
  return template === path;
}

/** The client address as upstream's handler sees it: lwIP's dual-stack form, hex upper-case. */
export function lwipRemoteAddress(address: string): string {
  const v4 = address.replace(/^::ffff:/i, "");
  return v4.includes(":") ? v4.toUpperCase() : `::FFFF:${v4}`;
}

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

export class UpstreamHttpCore {
  private readonly routes: Array<Route | null> = new Array<Route | null>(HANDLER_SLOTS).fill(null);
  private queue: Pending[] = [];
  private readonly answered = new Set<number>();
  private readonly open = new Map<number, Pending>();
  private nextId = 1;
  private started = false;
  private readonly log: UpstreamHttpLog;

  constructor(log?: UpstreamHttpLog) {
    this.log = log ?? (() => undefined);
  }

  get running(): boolean {
    return this.started;
  }

  /**
   * `start()` with the PEM texts Python read: "ok" (the shell then listens: HTTP, and HTTPS when
   * both texts are there), "false" or "already".
   */
  start(port: number, certPem: string | null, keyPem: string | null): "ok" | "false" | "already" {
    if (this.started) {
      this.log(2, "HTTP server already running", true);
      return "already";
    }
    if ((certPem === null) !== (keyPem === null)) {
      this.log(1, "Both cert_file and key_file required for HTTPS");
      return "false";
    }
    this.started = true;
    this.log(3, `Starting HTTP server on port ${String(port)}`, true);
    this.log(3, `HTTP server started successfully on port ${String(port)}`, true);
    if (certPem !== null && keyPem !== null) {
      this.log(
        3,
        `SSL certificates loaded (cert: ${String(certPem.length)} bytes, key: ${String(keyPem.length)} bytes)`,
        true,
      );
      this.log(3, "Starting HTTPS server on port 443", true);
    }
    return "ok";
  }

  /** `on(uri, handler, method)`; the Python side keeps the handler under the returned slot. */
  on(uri: string, method: string): number | string {
    if (!this.started) return "value:Server not started";
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

  /**
   * A request reached httpd: 404/405/OPTIONS are answered at once; a route's request waits in the
   * queue until Python's `process_queue()` handles it. Rejects when the server stops first (the
   * connection closes without a reply).
   */
  handle(request: HttpRequestIn): Promise<HttpReplyOut> {
    const path = request.uri.split("?")[0];
    const onPath = this.routes.filter((r): r is Route => r !== null && matchWildcard(r.uri, path));
    if (!this.started || onPath.length === 0) return Promise.resolve(idfError(404));
    if (request.method === "OPTIONS") {
      this.log(3, `OPTIONS preflight request for: ${request.uri}`);
      return Promise.resolve({
        status: 204,
        statusText: "No Content",
        headers: {
          "access-control-allow-origin": "*",
          "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
          "access-control-allow-headers": "Content-Type, Authorization",
          "access-control-max-age": "86400",
          connection: "close",
          "content-length": "0",
        },
        body: "",
      });
    }
    const route = onPath.find((r) => r.method === request.method);
    if (!route) return Promise.resolve(idfError(405));
    this.log(
      3,
      `HTTP handler called: URI=${request.uri}, method=${request.method === "POST" ? "3" : "1"}, handler_id=${String(route.slot)}`,
    );
    return new Promise<HttpReplyOut>((answer, reject) => {
      this.queue.push({
        id: this.nextId++,
        slot: route.slot,
        uri: request.uri,
        data: request.method === "POST" ? request.body : null,
        remote: request.remote,
        answer: (reply) => (reply.status < 0 ? reject(new Error("connection closed")) : answer(reply)),
      });
      this.log(3, "Request queued successfully for async processing");
    });
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
    headers["content-length"] = String(utf8Length(body));
    req.answer({ status, statusText: status === 200 ? "OK" : "", headers, body });
    return true;
  }

  /** The request handled (whatever was sent): forget it. */
  done(id: number): void {
    this.open.delete(id);
    this.answered.delete(id);
  }

  /**
   * `stop()` (1091-1140): the handler registrations are cleared (1096-1107) and the servers stop, so
   * requests not yet answered lose their connection.
   */
  stop(): void {
    this.started = false;
    this.routes.fill(null);
    const dropped = [...this.queue, ...[...this.open.values()].filter((r) => !this.answered.has(r.id))];
    this.queue = [];
    this.open.clear();
    this.answered.clear();
    for (const req of dropped) req.answer({ status: -1, statusText: "", headers: {}, body: "" });
  }
}

function idfError(code: 404 | 405): HttpReplyOut {
  const [statusText, message] = IDF_ERRORS[code];
  return {
    status: code,
    statusText,
    headers: { "content-type": "text/html", "content-length": String(message.length), connection: "close" },
    body: message,
  };
}
