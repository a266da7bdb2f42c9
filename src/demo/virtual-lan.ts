/**
 * The page's simulated LAN: the demo's Wi-Fi network, where the in-page virtual boards that run an
 * HTTP server (upstream pyDirect's image) have their address. A page cannot reach them by a socket,
 * so the portal's HTTPS signaling reaches them through the seam it already has for a board's
 * network, `PortalJobsOptions.httpsTransport`: for a board on this LAN, the same fetch transport as
 * for a real board (createFetchTransport), with a fetch that delivers to the board's worker and
 * answers as the browser's fetch would (CORS, preflight, a refused connection as a TypeError), and
 * the board's certificate checked as Node's pinned transport checks it.
 *
 * Lazy: the portal loads it with its jobs, after the first paint.
 */
import { certificateFingerprint, pemDer } from "../core/provision/fingerprint";
import { SignalingError } from "../core/signaling/errors";
import { createFetchTransport, type SignalingTransport } from "../core/signaling/transport";
import type { BoardNetwork } from "../virtual-board/httpserver/worker-http";
import type { HttpReplyOut } from "../virtual-board/httpserver/upstream-http-core";

/**
 * The computer running the browser, as the boards on the demo network see it (the virtual Wi-Fi
 * gives boards 192.168.4.23 and its gateway 192.168.4.1; this is another station on that /24).
 */
export const PAGE_LAN_ADDRESS = "192.168.4.2";

const boards = new Map<string, () => BoardNetwork | null>();

const macKey = (mac: string | Uint8Array): string =>
  typeof mac === "string"
    ? mac.toLowerCase().replace(/[^0-9a-f]/g, "")
    : Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");

/** A new in-page board joins the LAN (its network face is the running app's, or null while none). */
export function joinVirtualLan(mac: string | Uint8Array, network: () => BoardNetwork | null): void {
  boards.set(macKey(mac), network);
}

/** Whether the board with this MAC is one of the page's own (reachable only through this LAN). */
export function onVirtualLan(mac: string): boolean {
  return boards.has(macKey(mac));
}

/**
 * The powered board holding `host` (the one serving `scheme` first, then the one with `mac`), or
 * null when no board on the LAN has that address.
 */
function boardAt(host: string, scheme: "http" | "https", mac?: string): BoardNetwork | null {
  const holding = [...boards]
    .map(([key, network]) => ({ key, n: network() }))
    .filter((b): b is { key: string; n: BoardNetwork } => b.n?.ip === host);
  const rank = (b: { key: string; n: BoardNetwork }) => (b.n.serving?.[scheme] ? 2 : 0) + (b.key === mac ? 1 : 0);
  return holding.sort((a, b) => rank(b) - rank(a))[0]?.n ?? null;
}

const failed = (): TypeError => new TypeError("Failed to fetch");

/**
 * `<name>.local` as the computer's mDNS resolver finds it: the address of the board whose responder
 * answers for that name now (it runs only while the board has an address on the network; names
 * compare without regard to ASCII case, RFC 6762 section 16); null when none answers. Other names
 * are taken as they are (an address).
 */
function resolveHost(host: string): string | null {
  const name = host.toLowerCase();
  if (!name.endsWith(".local")) return host;
  for (const network of boards.values()) {
    const n = network();
    if (n?.ip && n.mdnsName && `${n.mdnsName.toLowerCase()}.local` === name) return n.ip;
  }
  return null;
}

/**
 * A `.local` name nobody answers: the resolver repeats its query and gives up, and the browser
 * reports ERR_NAME_NOT_RESOLVED (a TypeError to fetch). 5 s is an estimate of nss-mdns/Avahi's
 * wait (from memory; not found in the reference corpus).
 */
const MDNS_GIVE_UP_MS = 5000;

/**
 * An address no station holds: the computer's ARP requests go unanswered and the connection fails
 * with EHOSTUNREACH once Linux gives up (neighbour table defaults: 3 solicitations 1 s apart).
 */
const ARP_GIVE_UP_MS = 3000;

const unreachable = (signal: AbortSignal | null | undefined, afterMs = ARP_GIVE_UP_MS): Promise<never> =>
  new Promise((_, reject) => {
    const timer = setTimeout(() => reject(failed()), afterMs);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new DOMException("Aborted", "AbortError"));
      },
      { once: true },
    );
  });

const SIMPLE_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"];

/** Fetch's CORS check on a reply: the page's origin, or `*` for a request without credentials. */
const corsAllows = (reply: HttpReplyOut): boolean => {
  const allowed = reply.headers["access-control-allow-origin"];
  return allowed === "*" || (typeof location !== "undefined" && allowed === location.origin);
};

/**
 * `fetch` to the boards on the LAN, with the browser's rules: nothing listening is a network error
 * (TypeError); a cross-origin reply without the CORS header is a network error too, except to a
 * `no-cors` request (an opaque answer); a request that is not CORS-simple is preflighted first.
 */
export async function virtualLanFetch(
  input: RequestInfo | URL,
  init: RequestInit = {},
  mac?: string,
): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (init.signal?.aborted) throw init.signal.reason;
  const scheme = url.protocol === "https:" ? "https" : url.protocol === "http:" ? "http" : null;
  if (!scheme || (url.port !== "" && url.port !== (scheme === "https" ? "443" : "80"))) throw failed();
  const address = resolveHost(url.hostname);
  if (address === null) return unreachable(init.signal, MDNS_GIVE_UP_MS);
  const board = boardAt(address, scheme, mac);
  if (!board) return unreachable(init.signal);
  // A board that holds the address but does not serve this port answers with a reset at once.
  if (!board.serving?.[scheme]) throw failed();
  const method = (init.method ?? "GET").toUpperCase();
  const headers = new Headers(init.headers);
  const body = typeof init.body === "string" ? init.body : "";
  const send = async (m: string): Promise<HttpReplyOut> => {
    const reply = await board.request(scheme, {
      method: m,
      uri: url.pathname + url.search,
      body: m === "OPTIONS" ? "" : body,
      remote: `::FFFF:${PAGE_LAN_ADDRESS}`,
    });
    if (init.signal?.aborted) throw init.signal.reason;
    if (reply.status < 0) throw failed();
    return reply;
  };
  const cors = init.mode !== "no-cors";
  const type = headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  const simple = ["GET", "HEAD", "POST"].includes(method) && (type === undefined || SIMPLE_TYPES.includes(type));
  if (cors && !simple) {
    const preflight = await send("OPTIONS");
    const methods = (preflight.headers["access-control-allow-methods"] ?? "").toUpperCase();
    if (preflight.status < 200 || preflight.status > 299 || !corsAllows(preflight) || !methods.includes(method))
      throw failed();
  }
  const reply = await send(method);
  if (!cors) return new Response(null);
  if (!corsAllows(reply)) throw failed();
  const empty = reply.status === 204 || reply.status === 304 || method === "HEAD";
  return new Response(empty ? null : reply.body, {
    status: reply.status,
    statusText: reply.statusText,
    headers: reply.headers,
  });
}

/**
 * HTTPS signaling to a board on the LAN: the fetch transport over virtualLanFetch, pinned to the
 * certificate the portal provisioned (the board's TLS presents the PEM it loaded from cert_file).
 */
export function virtualLanTransport(
  baseUrl: string,
  record: { mac: string; certFingerprint: string },
): SignalingTransport {
  const pinned = record.certFingerprint.toUpperCase();
  const inner = createFetchTransport(baseUrl, {
    fetch: (input, init) => virtualLanFetch(input, init, macKey(record.mac)),
    // Nothing stands between the page and its own simulated LAN.
    permissions: { query: () => Promise.resolve({ state: "granted" }) },
  });
  const host = new URL(baseUrl).hostname;
  return {
    kind: "https",
    endpoint: inner.endpoint,
    pinnedFingerprint: pinned,
    async request(method, path, body, signal) {
      // What the board's TLS presents (its handshake fails outright when its key is not the certificate's).
      const address = resolveHost(host);
      const pem = address === null ? undefined : boardAt(address, "https", macKey(record.mac))?.serving?.certificatePem;
      const presented = pem ? await certificateFingerprint(pemDer(pem)) : null;
      if (presented !== null && presented !== pinned) {
        throw new SignalingError(
          "certificate-mismatch",
          `The board at ${inner.endpoint} presented a certificate with fingerprint ${presented}, not the ${pinned} this portal provisioned. It may be another device or the board was re-provisioned elsewhere; nothing was sent to it.`,
        );
      }
      return inner.request(method, path, body, signal);
    },
  };
}

/**
 * The portal's `httpsTransport`: the page's own boards over this LAN, every other board with the
 * browser's fetch.
 */
export function httpsTransportVia(
  baseUrl: string,
  record: { mac: string; certFingerprint: string },
): SignalingTransport {
  return onVirtualLan(record.mac) ? virtualLanTransport(baseUrl, record) : createFetchTransport(baseUrl);
}
