/**
 * How signaling JSON reaches the board: over the serial link while it is plugged in, or over HTTPS
 * to the board's own endpoint later. Both carry the same bodies (messages.ts).
 */
import { SignalingError, noWebrtcEndpoint } from "./errors";
import {
  localNetworkDeniedAdvice,
  localNetworkPermission,
  withTargetAddressSpace,
  type PermissionsLike,
} from "./local-network-access";

export interface SignalingTransport {
  readonly kind: "serial" | "https";
  /** "serial" or the base URL, for reports. */
  readonly endpoint: string;
  /**
   * Set by a transport that checks the server's certificate against this exact SHA-256 fingerprint
   * ("AB:CD:…") before sending anything (Node's pinned HTTPS); a browser's fetch cannot.
   */
  readonly pinnedFingerprint?: string;
  request(method: "GET" | "POST", path: string, body?: unknown, signal?: AbortSignal): Promise<unknown>;
}

export interface FetchTransportOptions {
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  /** Where a failed request asks whether Local Network Access blocked it (navigator.permissions). */
  permissions?: PermissionsLike;
}

/**
 * HTTPS signaling with the platform's fetch. A browser cannot pin a self-signed certificate: the
 * user trusts it once (see `certificateTrustStep`), and a fetch that fails before any reply is most
 * often that step missing.
 */
export function createFetchTransport(baseUrl: string, options: FetchTransportOptions = {}): SignalingTransport {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = baseUrl.replace(/\/+$/, "");
  return {
    kind: "https",
    endpoint: base,
    async request(method, path, body, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await doFetch(
          base + path,
          withTargetAddressSpace(base, {
            method,
            // JSON in a text/plain body: a CORS-safelisted type, so a page on another origin sends
            // no preflight, which the board's small server does not answer (it reads the body as
            // JSON whatever the type says).
            headers: body === undefined ? {} : { "content-type": "text/plain;charset=UTF-8" },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: combined,
          }),
        );
      } catch (err) {
        if (signal?.aborted) throw new SignalingError("cancelled", "Signaling was cancelled.", { cause: err });
        if (timeout.aborted)
          throw new SignalingError(
            "timeout",
            `The board at ${base} did not answer within ${options.timeoutMs ?? 10_000} ms.`,
          );
        // Chrome's Local Network Access fails a blocked request like a network error; the
        // permission's state tells the two apart.
        if ((await localNetworkPermission(base, options.permissions).catch(() => "unsupported")) === "denied") {
          throw new SignalingError("local-network-denied", localNetworkDeniedAdvice(base), { cause: err });
        }
        // A CORS failure and a network failure look alike to a page. An opaque (no-cors) request
        // tells them apart: it completes when the server answered over TLS the browser trusts,
        // which on a board means a route it did not register (plain 404 without CORS headers).
        if (await answersOpaquely(doFetch, base + path, signal)) {
          throw noWebrtcEndpoint(base, `answered ${path} without the CORS headers its WebRTC routes carry`);
        }
        throw new SignalingError(
          "unreachable",
          `The portal could not reach ${base}. Check the board is on the same network, and open ${base}/ once in a tab to trust its certificate.`,
          { cause: err },
        );
      }
      return readJsonReply(response, base + path);
    },
  };
}

/** Whether a no-cors GET of `url` gets any answer (within 3 s). */
async function answersOpaquely(
  doFetch: typeof globalThis.fetch,
  url: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const timeout = AbortSignal.timeout(3000);
  try {
    await doFetch(
      url,
      withTargetAddressSpace(url, {
        method: "GET",
        mode: "no-cors",
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      }),
    );
    return true;
  } catch {
    return false;
  }
}

export async function readJsonReply(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // ESP-IDF's own 404/405 for a route nobody registered is plain text (a script's JSON error
    // on those codes is the script's answer, read above).
    if (response.status === 404 || response.status === 405) {
      throw noWebrtcEndpoint(new URL(url).origin, `answered ${new URL(url).pathname} with HTTP ${response.status}`);
    }
    throw new SignalingError("bad-message", `${url} answered HTTP ${response.status} with something that is not JSON.`);
  }
  return body;
}

/** What the UI shows for the one-time certificate trust step in a browser, where it cannot pin. */
export interface CertificateTrustStep {
  /** Open this in a new tab and accept the warning. */
  url: string;
  /** Compare this with what the browser's certificate viewer shows (SHA-256). */
  fingerprint: string;
  hostname: string;
  explanation: string;
}

export function certificateTrustStep(
  record: { hostname: string; certFingerprint: string },
  baseUrl: string,
): CertificateTrustStep {
  const url = baseUrl.replace(/\/+$/, "") + "/";
  return {
    url,
    fingerprint: record.certFingerprint,
    hostname: record.hostname,
    explanation:
      `${record.hostname} uses its own certificate, made by this portal when you provisioned it. ` +
      `Open ${url} in a new tab; when the browser warns about the certificate, view it and check that its ` +
      `SHA-256 fingerprint is ${record.certFingerprint}. Only if it matches, choose to proceed. ` +
      `You need to do this once per browser; if the fingerprint differs, do not proceed: it is not your board.`,
  };
}
