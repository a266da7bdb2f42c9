/**
 * Browser-safe: upstream pyDirect's `httpserver` module for a board whose MicroPython runs in a
 * worker (the browser's virtual board). A page cannot open a listening socket, so "listening" is
 * the worker telling the page which of the board's ports serve (80, and 443 with the certificate
 * the board loaded); the page posts each request it routes to the board's address, and the
 * request handling is upstream-http-core.ts's, as for the Node server.
 *
 * Only upstream's API (`start(port, cert_file=…)`, `on`, `process_queue`, …) is served: the portal's
 * own device scripts signal over serial on the in-page board, and their `start(cert, key, port)`
 * is answered as a start failure.
 */
import { pemDer } from "../../core/provision/fingerprint";
import { installPythonModule } from "../micropython/install-python-module";
import { HTTPSERVER_SHIM_PY } from "./httpserver-shim.py";
import { UpstreamHttpCore, type HttpReplyOut, type HttpRequestIn, type UpstreamHttpLog } from "./upstream-http-core";

/** Which of the board's ports answer, and the certificate its HTTPS port presents. */
export interface HttpServing {
  http: boolean;
  https: boolean;
  /** The PEM the board loaded from cert_file (what its TLS handshake would present); null without HTTPS. */
  certificatePem: string | null;
}

interface MicroPythonLike {
  registerJsModule(name: string, module: object): void;
  runPython(code: string): unknown;
  globals: { set(key: string, value: unknown): void };
}

export interface WorkerHttpServerHook {
  (mp: MicroPythonLike, ctx: unknown): () => void;
  /** A request the page routed to the board's port 80 ("http") or 443 ("https"). */
  handle(scheme: "http" | "https", request: HttpRequestIn): Promise<HttpReplyOut>;
}

/**
 * What mbedTLS must be able to parse for httpd_ssl_start to succeed; a PEM it cannot use leaves
 * HTTPS off while HTTP runs (modhttpserver.c:880-884). Only the PEM armour is checked here.
 */
const usablePem = (cert: string, key: string): boolean =>
  /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(cert) &&
  /-----BEGIN (?:EC |RSA )?PRIVATE KEY-----[\s\S]+-----END (?:EC |RSA )?PRIVATE KEY-----/.test(key);

const REFUSED = { status: -1, statusText: "", headers: {}, body: "" } satisfies HttpReplyOut;

const fromBase64Url = (text: string): number[] =>
  Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/**
 * Whether a TLS handshake with this pair can succeed: the server's CertificateVerify is signed with
 * the private key and checked by the client against the certificate's public key, so a key that is
 * not the certificate's fails every handshake. Checked here by finding the key's public point
 * (P-256, uncompressed, as the portal's certificates carry it) in the certificate. Other key
 * types (and SEC1 "EC PRIVATE KEY" files, which WebCrypto cannot import) count as failing.
 */
export async function keyMatchesCertificate(certPem: string, keyPem: string): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey("pkcs8", pemDer(keyPem), { name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
    ]);
    const jwk = await crypto.subtle.exportKey("jwk", key);
    if (!jwk.x || !jwk.y) return false;
    const point = [0x04, ...fromBase64Url(jwk.x), ...fromBase64Url(jwk.y)];
    const cert = pemDer(certPem);
    for (let i = 0; i + point.length <= cert.length; i++) {
      if (point.every((b, j) => cert[i + j] === b)) return true;
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * `onServing` hears each change of what the board serves (null: stopped, e.g. at reset); `log`
 * gets the module's ESP_LOGx lines (tag HTTPSERVER).
 */
export function workerHttpServerHook(
  onServing: (serving: HttpServing | null) => void,
  log?: UpstreamHttpLog,
): WorkerHttpServerHook {
  let core: UpstreamHttpCore | null = null;
  let serving: HttpServing | null = null;
  /** Whether TLS handshakes with the loaded certificate and key succeed. */
  let handshakes: Promise<boolean> = Promise.resolve(false);
  const setServing = (next: HttpServing | null) => {
    serving = next;
    onServing(next);
  };
  const hook = (mp: MicroPythonLike) => {
    const own = new UpstreamHttpCore(log);
    core = own;
    const stop = () => {
      const was = own.running;
      own.stop();
      if (core === own) setServing(null);
      return was;
    };
    mp.registerJsModule("_httpserver_js", {
      on_request: () => undefined,
      start: () => "value:the in-page virtual board has no network socket for this API",
      port: () => null,
      stop: () => stop() || null,
      up_start: (port: number, certPem: string | null, keyPem: string | null) => {
        const outcome = own.start(port, certPem, keyPem);
        if (outcome !== "ok") return outcome;
        let https = false;
        if (certPem !== null && keyPem !== null) {
          https = usablePem(certPem, keyPem);
          if (https) log?.(3, "HTTPS server started successfully on port 443", true);
          else log?.(1, "Failed to start HTTPS server: -1 (0xffffffff)");
          handshakes = https ? keyMatchesCertificate(certPem, keyPem) : Promise.resolve(false);
        }
        setServing({ http: true, https, certificatePem: https ? certPem : null });
        return outcome;
      },
      up_https_running: () => serving?.https ?? false,
      up_on: (uri: string, method: string) => own.on(uri, method),
      up_off: (uri: string, method: string) => own.off(uri, method),
      up_next: () => own.next(),
      up_reply: (id: number, status: number, type: string, body: string, cors: boolean) =>
        own.reply(id, status, type, body, cors),
      up_done: (id: number) => {
        own.done(id);
      },
    });
    installPythonModule(mp, "httpserver", HTTPSERVER_SHIM_PY);
    // Power-off or reset: the servers go with the chip.
    return () => void stop();
  };
  return Object.assign(hook, {
    async handle(scheme: "http" | "https", request: HttpRequestIn): Promise<HttpReplyOut> {
      // Nothing listens on that port: the connection is refused.
      const own = core;
      if (!own || !serving?.[scheme]) return REFUSED;
      // The handshake fails before any request byte reaches httpd.
      if (scheme === "https" && !(await handshakes)) return REFUSED;
      return own.handle(request).catch(() => REFUSED);
    },
  });
}

/** A board as the page's simulated LAN reaches it: its address and what its `httpserver` serves. */
export interface BoardNetwork {
  /** The board's Wi-Fi address while it is connected, else null. */
  readonly ip: string | null;
  /** The name its mDNS responder answers for (`<name>.local`) while it has an address, else null. */
  readonly mdnsName: string | null;
  readonly serving: HttpServing | null;
  /** Status -1: nothing listens there, or the connection closed before a reply. */
  request(scheme: "http" | "https", request: HttpRequestIn): Promise<HttpReplyOut>;
}
