import { PortalError } from "../errors";
import { ImageError } from "../image/errors";
import { sha256Hex } from "../image/bytes";
import type { PartCache } from "./part-cache";

export type DownloadErrorCode = "download-failed" | "download-network" | "download-cancelled";

export class DownloadError extends PortalError {
  declare readonly code: DownloadErrorCode;
  constructor(code: DownloadErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { action: code === "download-cancelled" ? "none" : "retry", cause: options.cause });
  }
}

export type DownloadEvent =
  | { state: "cached"; part: string; index: number; size: number }
  | { state: "downloading"; part: string; index: number; received: number; total: number | null }
  | { state: "downloaded"; part: string; index: number; size: number; sha256: string };

export interface PartRequest {
  /** Shown in events and errors (the manifest path). */
  name: string;
  url: string;
  sha256?: string;
  size?: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  cache?: PartCache | null;
  /** Injected for tests and Node; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface DownloadedPart {
  name: string;
  data: Uint8Array;
  sha256: string;
  fromCache: boolean;
}

function cancelled(name: string): DownloadError {
  return new DownloadError("download-cancelled", `The download of ${name} was cancelled.`);
}

/**
 * The cache only saves work: one that fails (storage quota, a private window, an evicted entry)
 * counts as a miss and never fails an install.
 */
async function bestEffort<T>(use: () => Promise<T>): Promise<T | null> {
  try {
    return await use();
  } catch {
    return null;
  }
}

/**
 * Fetches one part with streamed progress. A part whose SHA-256 the manifest gives comes from the
 * cache when it is there; a download that does not match is refused and never cached.
 */
export async function downloadPart(
  request: PartRequest,
  index: number,
  options: DownloadOptions = {},
  onEvent?: (e: DownloadEvent) => void,
): Promise<DownloadedPart> {
  const { signal, cache } = options;
  const name = request.name;
  if (signal?.aborted) throw cancelled(name);
  const expected = request.sha256?.toLowerCase();
  if (expected && cache) {
    const hit = await bestEffort(() => cache.get(expected));
    if (hit && sha256Hex(hit) === expected) {
      onEvent?.({ state: "cached", part: name, index, size: hit.length });
      return { name, data: hit, sha256: expected, fromCache: true };
    }
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(request.url, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw cancelled(name);
    // Offline: the last content this URL served, if we kept it.
    const known = cache ? await bestEffort(() => cache.lookupUrl(request.url)) : null;
    const hit = known && cache ? await bestEffort(() => cache.get(known)) : null;
    if (hit && sha256Hex(hit) === known && (!expected || expected === known)) {
      onEvent?.({ state: "cached", part: name, index, size: hit.length });
      return { name, data: hit, sha256: known, fromCache: true };
    }
    throw new DownloadError(
      "download-network",
      `Could not download ${name} from ${request.url}: the network is unreachable or the server does not allow this site to fetch it (CORS).`,
      { cause: err },
    );
  }
  if (!response.ok) {
    throw new DownloadError(
      "download-failed",
      `Could not download ${name}: ${request.url} answered ${response.status} ${response.statusText}.`.replace(
        / \./,
        ".",
      ),
    );
  }
  const header = Number(response.headers.get("content-length"));
  const total = request.size ?? (Number.isFinite(header) && header > 0 ? header : null);
  const chunks: Uint8Array[] = [];
  let received = 0;
  onEvent?.({ state: "downloading", part: name, index, received, total });
  try {
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        if (request.size !== undefined && received > request.size) {
          await reader.cancel();
          throw new ImageError(
            "size-mismatch",
            `${name} is larger than the ${request.size} bytes the manifest says; the file on the server was replaced or is wrong.`,
            { part: name },
          );
        }
        onEvent?.({ state: "downloading", part: name, index, received, total });
      }
    } else {
      const whole = new Uint8Array(await response.arrayBuffer());
      chunks.push(whole);
      received = whole.length;
      onEvent?.({ state: "downloading", part: name, index, received, total });
    }
  } catch (err) {
    if (signal?.aborted) throw cancelled(name);
    if (err instanceof PortalError) throw err;
    throw new DownloadError(
      "download-network",
      `The download of ${name} broke off after ${received} bytes; check the connection and try again.`,
      { cause: err },
    );
  }
  const data = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  const sha256 = sha256Hex(data);
  if (expected && sha256 !== expected) {
    throw new ImageError(
      "sha256-mismatch",
      `${name} does not match the SHA-256 in the manifest (expected ${expected}, got ${sha256}); the file is corrupt or was replaced.`,
      { part: name },
    );
  }
  if (request.size !== undefined && data.length !== request.size) {
    throw new ImageError(
      "size-mismatch",
      `${name} is ${data.length} bytes, but the manifest says ${request.size}; the download is incomplete or the file was replaced.`,
      { part: name },
    );
  }
  if (cache) {
    await bestEffort(async () => {
      await cache.put(sha256, data);
      await cache.rememberUrl(request.url, sha256);
    });
  }
  onEvent?.({ state: "downloaded", part: name, index, size: data.length, sha256 });
  return { name, data, sha256, fromCache: false };
}

/** Downloads parts one after another (they share one link; parallel would not finish sooner). */
export async function downloadParts(
  requests: PartRequest[],
  options: DownloadOptions = {},
  onEvent?: (e: DownloadEvent) => void,
): Promise<DownloadedPart[]> {
  const out: DownloadedPart[] = [];
  for (const [i, r] of requests.entries()) out.push(await downloadPart(r, i, options, onEvent));
  return out;
}
