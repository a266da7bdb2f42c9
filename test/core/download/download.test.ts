import { describe, expect, it } from "vitest";
import {
  CacheStoragePartCache,
  DownloadError,
  MemoryPartCache,
  downloadPart,
  downloadParts,
  type DownloadEvent,
  type PartCache,
} from "../../../src/core/download";
import { ImageError, sha256Hex } from "../../../src/core/image";

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

interface FakeServer {
  fetch: typeof fetch;
  calls: string[];
}

/** Serves files in chunks, as a real response body streams; `offline` makes every request fail. */
function server(
  files: Record<string, Uint8Array>,
  options: { chunk?: number; offline?: () => boolean; pauseAfterChunk?: () => Promise<void> } = {},
): FakeServer {
  const calls: string[] = [];
  const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    calls.push(url);
    if (options.offline?.()) throw new TypeError("fetch failed");
    const file = files[url] as Uint8Array | undefined;
    if (!file) return new Response("not found", { status: 404, statusText: "Not Found" });
    const chunk = options.chunk ?? 1000;
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (init?.signal?.aborted) {
          controller.error(new DOMException("aborted", "AbortError"));
          return;
        }
        if (at >= file.length) {
          controller.close();
          return;
        }
        controller.enqueue(file.slice(at, at + chunk));
        at += chunk;
        await options.pauseAfterChunk?.();
      },
    });
    return new Response(body, { headers: { "content-length": String(file.length) } });
  }) as typeof fetch;
  return { fetch: fake, calls };
}

describe("downloadPart", () => {
  const data = bytes(10_500);
  const sha = sha256Hex(data);
  const url = "https://fw.example/app.bin";

  it("streams progress up to the total and returns the bytes", async () => {
    const s = server({ [url]: data });
    const events: DownloadEvent[] = [];
    const got = await downloadPart({ name: "app.bin", url, sha256: sha }, 2, { fetch: s.fetch }, (e) => events.push(e));
    expect(got.data).toEqual(data);
    expect(got.fromCache).toBe(false);
    const progress = events.filter((e) => e.state === "downloading");
    expect(progress.length).toBeGreaterThanOrEqual(11);
    expect(progress.map((e) => e.received)).toEqual([...progress.map((e) => e.received)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({
      state: "downloading",
      part: "app.bin",
      index: 2,
      received: 10_500,
      total: 10_500,
    });
    expect(events.at(-1)).toEqual({ state: "downloaded", part: "app.bin", index: 2, size: 10_500, sha256: sha });
  });

  it("serves the second request from the cache by SHA-256, without the network", async () => {
    const s = server({ [url]: data });
    const cache = new MemoryPartCache();
    await downloadPart({ name: "app.bin", url, sha256: sha }, 0, { fetch: s.fetch, cache });
    const events: DownloadEvent[] = [];
    const again = await downloadPart(
      { name: "app.bin", url: "https://mirror.example/other-name.bin", sha256: sha },
      0,
      { fetch: s.fetch, cache },
      (e) => events.push(e),
    );
    expect(again.fromCache).toBe(true);
    expect(again.data).toEqual(data);
    expect(s.calls).toEqual([url]);
    expect(events).toEqual([{ state: "cached", part: "app.bin", index: 0, size: 10_500 }]);
  });

  it("works offline for a part without a manifest hash it downloaded before", async () => {
    let offline = false;
    const s = server({ [url]: data }, { offline: () => offline });
    const cache = new MemoryPartCache();
    await downloadPart({ name: "app.bin", url }, 0, { fetch: s.fetch, cache });
    offline = true;
    const got = await downloadPart({ name: "app.bin", url }, 0, { fetch: s.fetch, cache });
    expect(got.fromCache).toBe(true);
    expect(got.data).toEqual(data);
    await expect(
      downloadPart({ name: "new.bin", url: "https://fw.example/new.bin" }, 0, { fetch: s.fetch, cache }),
    ).rejects.toMatchObject({ code: "download-network" });
  });

  it("refuses a download whose SHA-256 differs and does not cache it", async () => {
    const s = server({ [url]: data });
    const cache = new MemoryPartCache();
    const wrong = "1".repeat(64);
    const err = await downloadPart({ name: "app.bin", url, sha256: wrong }, 0, { fetch: s.fetch, cache }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImageError);
    expect(err).toMatchObject({ code: "sha256-mismatch" });
    expect(cache.size).toBe(0);
  });

  it("ignores a cache entry that no longer matches its hash", async () => {
    const s = server({ [url]: data });
    const cache = new MemoryPartCache();
    await cache.put(sha, bytes(10_500, 99));
    const got = await downloadPart({ name: "app.bin", url, sha256: sha }, 0, { fetch: s.fetch, cache });
    expect(got.fromCache).toBe(false);
    expect(got.data).toEqual(data);
  });

  it("installs from the network when the cache itself fails (quota, private window)", async () => {
    const s = server({ [url]: data });
    const broken: PartCache = {
      get: () => Promise.reject(new DOMException("The operation is insecure.", "SecurityError")),
      put: () => Promise.reject(new DOMException("Quota exceeded.", "QuotaExceededError")),
      lookupUrl: () => Promise.reject(new Error("unavailable")),
      rememberUrl: () => Promise.reject(new Error("unavailable")),
    };
    const got = await downloadPart({ name: "app.bin", url, sha256: sha }, 0, { fetch: s.fetch, cache: broken });
    expect(got).toMatchObject({ fromCache: false, sha256: sha });
    expect(got.data).toEqual(data);
    // Offline with a broken cache: the network error, not the cache's.
    const offline = server({}, { offline: () => true });
    await expect(
      downloadPart({ name: "app.bin", url }, 0, { fetch: offline.fetch, cache: broken }),
    ).rejects.toMatchObject({ code: "download-network" });
  });

  it("does not serve offline a cached copy that no longer matches what the URL served", async () => {
    let offline = false;
    const s = server({ [url]: data }, { offline: () => offline });
    const cache = new MemoryPartCache();
    await downloadPart({ name: "app.bin", url }, 0, { fetch: s.fetch, cache });
    await cache.put(sha, bytes(10_500, 99)); // the stored copy went bad
    offline = true;
    await expect(downloadPart({ name: "app.bin", url }, 0, { fetch: s.fetch, cache })).rejects.toMatchObject({
      code: "download-network",
    });
  });

  it("stops as soon as a file grows past the manifest's size", async () => {
    const s = server({ [url]: data }, { chunk: 4096 });
    const events: DownloadEvent[] = [];
    await expect(
      downloadPart({ name: "app.bin", url, size: 5000 }, 0, { fetch: s.fetch }, (e) => events.push(e)),
    ).rejects.toMatchObject({ code: "size-mismatch" });
    expect(Math.max(...events.map((e) => (e.state === "downloading" ? e.received : 0)))).toBeLessThan(10_500);
  });

  it("reports HTTP errors and unreachable servers with what to do", async () => {
    const s = server({});
    const missing = await downloadPart({ name: "gone.bin", url: "https://fw.example/gone.bin" }, 0, {
      fetch: s.fetch,
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DownloadError);
    expect(missing).toMatchObject({ code: "download-failed", action: "retry" });
    expect((missing as Error).message).toContain("404 Not Found");
    const offline = server({}, { offline: () => true });
    await expect(downloadPart({ name: "a.bin", url }, 0, { fetch: offline.fetch })).rejects.toThrow(/CORS/);
  });

  it("cancels mid-download through the AbortSignal", async () => {
    const controller = new AbortController();
    let chunks = 0;
    const s = server(
      { [url]: data },
      {
        pauseAfterChunk: async () => {
          if (++chunks === 3) controller.abort();
        },
      },
    );
    const err = await downloadPart({ name: "app.bin", url }, 0, { fetch: s.fetch, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "download-cancelled", action: "none" });
    const before = new AbortController();
    before.abort();
    await expect(
      downloadPart({ name: "app.bin", url }, 0, { fetch: s.fetch, signal: before.signal }),
    ).rejects.toMatchObject({ code: "download-cancelled" });
  });

  it("downloads a list of parts in order", async () => {
    const files = { "https://fw.example/a": bytes(100, 1), "https://fw.example/b": bytes(200, 2) };
    const s = server(files);
    const got = await downloadParts(
      Object.keys(files).map((u) => ({ name: u, url: u })),
      { fetch: s.fetch },
    );
    expect(got.map((g) => g.data.length)).toEqual([100, 200]);
  });
});

/** Just enough of the Cache Storage API (keyed by URL path) to run the real adapter against. */
class FakeCacheStorage {
  readonly stores = new Map<string, Map<string, Uint8Array>>();
  async open(name: string) {
    const store = this.stores.get(name) ?? new Map<string, Uint8Array>();
    this.stores.set(name, store);
    return {
      match: async (key: string) => (store.has(key) ? new Response(store.get(key)!.slice().buffer) : undefined),
      put: async (key: string, response: Response) => void store.set(key, new Uint8Array(await response.arrayBuffer())),
    };
  }
}

describe("CacheStoragePartCache", () => {
  it("stores parts under their SHA-256 and URLs under their own key", async () => {
    const storage = new FakeCacheStorage();
    const cache = new CacheStoragePartCache(storage as unknown as CacheStorage);
    const data = bytes(3000);
    const sha = sha256Hex(data);
    expect(await cache.get(sha)).toBeNull();
    await cache.put(sha.toUpperCase(), data);
    expect(await cache.get(sha)).toEqual(data);
    await cache.rememberUrl("https://fw.example/a.bin?x=1", sha);
    expect(await cache.lookupUrl("https://fw.example/a.bin?x=1")).toBe(sha);
    expect(await cache.lookupUrl("https://fw.example/b.bin")).toBeNull();
    expect([...storage.stores.values()][0].size).toBe(2);
  });
});
