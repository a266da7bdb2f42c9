/**
 * Firmware parts kept by their SHA-256, so a second flash and offline use need no download.
 * The browser keeps them in Cache Storage; tests and Node use the in-memory one.
 */
export interface PartCache {
  get(sha256: string): Promise<Uint8Array | null>;
  put(sha256: string, data: Uint8Array): Promise<void>;
  /** Which content a URL last served; used only when the network is unreachable. */
  lookupUrl(url: string): Promise<string | null>;
  rememberUrl(url: string, sha256: string): Promise<void>;
}

export class MemoryPartCache implements PartCache {
  private readonly parts = new Map<string, Uint8Array>();
  private readonly urls = new Map<string, string>();

  get size(): number {
    return this.parts.size;
  }
  async get(sha256: string): Promise<Uint8Array | null> {
    const data = this.parts.get(sha256.toLowerCase());
    return data ? data.slice() : null;
  }
  async put(sha256: string, data: Uint8Array): Promise<void> {
    this.parts.set(sha256.toLowerCase(), data.slice());
  }
  async lookupUrl(url: string): Promise<string | null> {
    return this.urls.get(url) ?? null;
  }
  async rememberUrl(url: string, sha256: string): Promise<void> {
    this.urls.set(url, sha256.toLowerCase());
  }
}

const CACHE_NAME = "pydirect-firmware-parts-v1";
// Cache Storage keys are requests; these never go to the network.
const partKey = (sha256: string) => `/__pydirect/parts/${sha256.toLowerCase()}`;
const urlKey = (url: string) => `/__pydirect/urls/${encodeURIComponent(url)}`;

export class CacheStoragePartCache implements PartCache {
  constructor(
    private readonly storage: CacheStorage,
    private readonly name = CACHE_NAME,
  ) {}

  async get(sha256: string): Promise<Uint8Array | null> {
    const cache = await this.storage.open(this.name);
    const hit = await cache.match(partKey(sha256));
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  }
  async put(sha256: string, data: Uint8Array): Promise<void> {
    const cache = await this.storage.open(this.name);
    await cache.put(
      partKey(sha256),
      new Response(data.slice().buffer, { headers: { "content-type": "application/octet-stream" } }),
    );
  }
  async lookupUrl(url: string): Promise<string | null> {
    const cache = await this.storage.open(this.name);
    const hit = await cache.match(urlKey(url));
    return hit ? (await hit.text()).trim() : null;
  }
  async rememberUrl(url: string, sha256: string): Promise<void> {
    const cache = await this.storage.open(this.name);
    await cache.put(urlKey(url), new Response(sha256.toLowerCase()));
  }
}

/** Cache Storage when this environment has it (a secure browser context), otherwise none. */
export function defaultPartCache(): PartCache | null {
  return typeof caches !== "undefined" ? new CacheStoragePartCache(caches) : null;
}
