/**
 * NODE-ONLY (never imported by browser code): the virtual board's `httpserver` module. A Node HTTPS
 * server on 127.0.0.1 with the certificate and key the portal installed in the board's /certs,
 * handing each request to the Python handler the device script registered. The handler runs on
 * its own turn and replies through `respond(status, json_text)`, possibly later (the WebRTC stack
 * answers asynchronously).
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import { UpstreamHttpServer, type UpstreamServerLog } from "./upstream-server-node";

type PythonHandler = (
  method: string,
  path: string,
  body: string,
  remoteAddr: string,
  respond: (status: number, jsonText: string) => void,
) => unknown;

export interface VirtualHttpsOptions {
  /** Default 127.0.0.1: the virtual board's "LAN" is this machine. */
  host?: string;
  /** Ports below 1024 need privileges: map the board's port (443) to this one. Default 0 (any free). */
  portOverride?: number;
  /** A request with no reply after this long gets 504. */
  replyTimeoutMs?: number;
  reportError?: (text: string) => void;
  /** Where the upstream API's ESP_LOGx lines go (tag HTTPSERVER); default nowhere. */
  log?: UpstreamServerLog;
  /** Where the upstream API's port 80 listens; default any free port. */
  httpPortOverride?: number;
}

export interface VirtualHttpsServer {
  /** The `httpserver` module object to register into MicroPython. */
  readonly module: Record<string, unknown>;
  /** Resolves with the listening port once the device script called `start()`. */
  readonly listening: Promise<number>;
  readonly port: number | null;
  /** The server behind upstream's API (`start(port, cert_file=…)`, `on`, `process_queue`). */
  readonly upstream: UpstreamHttpServer;
  close(): Promise<void>;
}

export function createVirtualHttpsServer(options: VirtualHttpsOptions = {}): VirtualHttpsServer {
  let handler: PythonHandler | null = null;
  let server: https.Server | null = null;
  let port: number | null = null;
  let resolveListening!: (port: number) => void;
  let rejectListening!: (err: Error) => void;
  const listening = new Promise<number>((res, rej) => {
    resolveListening = res;
    rejectListening = rej;
  });
  listening.catch(() => undefined);
  const report = options.reportError ?? ((t: string) => console.error(t));
  const upstream = new UpstreamHttpServer({
    host: options.host,
    httpPortOverride: options.httpPortOverride,
    httpsPortOverride: options.portOverride,
    log: options.log,
  });
  upstream
    .whenListening()
    .then(() => {
      if (upstream.httpsPort !== null) {
        port = upstream.httpsPort;
        resolveListening(upstream.httpsPort);
      }
    })
    .catch(() => undefined);

  const onRequest = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let answered = false;
      const respond = (status: number, jsonText: string) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
        res.end(jsonText);
      };
      const timer = setTimeout(
        () => respond(504, JSON.stringify({ error: "the board did not answer in time" })),
        options.replyTimeoutMs ?? 10_000,
      );
      if (!handler) {
        respond(503, JSON.stringify({ error: "no handler registered" }));
        return;
      }
      const body = Buffer.concat(chunks).toString("utf8");
      const remote = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
      const path = (req.url ?? "/").split("?")[0];
      // The Python handler runs on its own turn, never inside Node's request callback stack.
      const registered = handler;
      setTimeout(() => {
        try {
          registered(req.method ?? "GET", path, body, remote, respond);
        } catch (err) {
          report(`httpserver handler raised: ${(err as Partial<Error> | null)?.message ?? String(err)}`);
          respond(500, JSON.stringify({ error: "the handler raised an exception" }));
        }
      }, 0);
    });
  };

  const module = {
    on_request(cb: PythonHandler | null) {
      handler = cb;
    },
    /** `start(cert_pem, key_pem, port)`: listen with the installed PEMs; "value:…" on bad input. */
    start(certPem: string | null, keyPem: string | null, boardPort: number) {
      if (!certPem || !keyPem) return "value:no certificate or key installed in /certs";
      if (server) return "oserror:98"; // EADDRINUSE
      try {
        server = https.createServer({ cert: certPem, key: keyPem }, onRequest);
      } catch (err) {
        rejectListening(err as Error);
        return `value:the certificate or key cannot be used: ${(err as Error).message}`;
      }
      const listening = server;
      listening.on("error", (err) => rejectListening(err));
      listening.listen(options.portOverride ?? (boardPort < 1024 ? 0 : boardPort), options.host ?? "127.0.0.1", () => {
        port = (listening.address() as AddressInfo).port;
        resolveListening(port);
      });
      return null;
    },
    port: () => port,
    stop() {
      server?.close();
      server = null;
      const wasRunning = upstream.running;
      void upstream.close();
      return wasRunning || null;
    },
    // Upstream's API (see upstream-server-node.ts and httpserver-shim.py.ts).
    up_start: (boardPort: number, certPem: string | null, keyPem: string | null) =>
      upstream.start(boardPort, certPem, keyPem),
    up_https_running: () => upstream.httpsPort !== null,
    up_on: (uri: string, method: string) => upstream.on(uri, method),
    up_off: (uri: string, method: string) => upstream.off(uri, method),
    up_next: () => upstream.next(),
    up_reply: (id: number, status: number, type: string, body: string, cors: boolean) =>
      upstream.reply(id, status, type, body, cors),
    up_done: (id: number) => {
      upstream.done(id);
    },
  };

  return {
    module,
    listening,
    upstream,
    get port() {
      return port;
    },
    close: async () => {
      await upstream.close();
      await new Promise<void>((resolve) => {
        if (!server) {
          resolve();
          return;
        }
        server.closeAllConnections(); // Node 18.2+, and package.json asks for 20
        server.close(() => resolve());
        server = null;
      });
    },
  };
}
