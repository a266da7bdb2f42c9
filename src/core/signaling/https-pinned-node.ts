/**
 * NODE-ONLY: HTTPS signaling with the board's certificate pinned by SHA-256 fingerprint (the device
 * record's `certFingerprint`). The board's certificate is self-signed, so the usual chain check is
 * replaced by this exact-match check, done before any request byte is sent.
 */
import https from "node:https";
import { TLSSocket, type PeerCertificate } from "node:tls";
import { SignalingError, noWebrtcEndpoint } from "./errors";
import type { SignalingTransport } from "./transport";

export interface PinnedTransportOptions {
  /** "AB:CD:…" SHA-256 of the certificate DER, as the device record keeps it. */
  fingerprint: string;
  timeoutMs?: number;
}

export function createPinnedHttpsTransport(baseUrl: string, options: PinnedTransportOptions): SignalingTransport {
  const base = new URL(baseUrl);
  const pinned = options.fingerprint.toUpperCase();
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    kind: "https",
    endpoint: base.origin,
    pinnedFingerprint: pinned,
    request(method, path, body, signal) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = https.request({
          host: base.hostname,
          port: base.port || 443,
          path,
          method,
          rejectUnauthorized: false,
          servername: /^[\d.]+$/.test(base.hostname) ? undefined : base.hostname,
          headers:
            payload === undefined
              ? {}
              : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
          timeout: timeoutMs,
          agent: false,
        });
        const fail = (err: SignalingError) => {
          req.destroy();
          reject(err);
        };
        signal?.addEventListener("abort", () => fail(new SignalingError("cancelled", "Signaling was cancelled.")), {
          once: true,
        });
        req.on("timeout", () =>
          fail(new SignalingError("timeout", `The board at ${base.origin} did not answer within ${timeoutMs} ms.`)),
        );
        req.on("error", (err) => {
          if (!(err instanceof SignalingError)) {
            reject(
              new SignalingError(
                "unreachable",
                `The portal could not reach ${base.origin}: ${err.message}. Check the board is on the network.`,
                { cause: err },
              ),
            );
          }
        });
        req.on("socket", (socket) => {
          if (!(socket instanceof TLSSocket)) return; // an https request's socket always is one
          socket.once("secureConnect", () => {
            // An empty object when the server presented no certificate.
            const certificate: Partial<PeerCertificate> = socket.getPeerCertificate();
            const presented = certificate.fingerprint256?.toUpperCase() ?? "(none)";
            if (presented !== pinned) {
              fail(
                new SignalingError(
                  "certificate-mismatch",
                  `The board at ${base.origin} presented a certificate with fingerprint ${presented}, not the ${pinned} this portal provisioned. It may be another device or the board was re-provisioned elsewhere; nothing was sent to it.`,
                ),
              );
              return;
            }
            req.end(payload);
          });
        });
        req.on("response", (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            try {
              resolve(JSON.parse(text));
            } catch {
              // ESP-IDF's own 404/405 (a route nobody registered) is plain text; a script's JSON
              // error reply on those codes was handled above as the script's answer.
              if (res.statusCode === 404 || res.statusCode === 405) {
                reject(noWebrtcEndpoint(base.origin, `answered ${path} with HTTP ${res.statusCode}`));
                return;
              }
              reject(
                new SignalingError(
                  "bad-message",
                  `${base.origin}${path} answered HTTP ${res.statusCode} with something that is not JSON.`,
                ),
              );
            }
          });
        });
      });
    },
  };
}
