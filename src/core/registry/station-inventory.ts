/**
 * A station's side of the shared inventory: turns the configured CouchDB URL into a local
 * PouchDB replica that the page's registry switches to, keeps it syncing, and reports status.
 * PouchDB itself is handed in by `loadPouch` (a lazy import in the browser, so the first paint
 * never carries it; the memory adapter in tests).
 */
import type { DeviceRegistry } from "./device-record";
import { parseInventoryUrl, type InventoryConfig, type InventoryConfigStore } from "./inventory-config";
import { InventorySync, toInventoryError, type InventoryStatus, type RejectedDocument } from "./inventory-sync";
import { PouchDeviceRegistry } from "./pouch-device-registry";
import type { PouchConstructor } from "./pouch-types";
import { InventoryError } from "./inventory-errors";
import { StationRegistry } from "./station-registry";

export interface StationInventoryOptions {
  /** The station's own store, used while the inventory is off (IndexedDB, or memory). */
  fallback: DeviceRegistry;
  loadPouch: () => Promise<PouchConstructor>;
  store: InventoryConfigStore;
  /** Name of the local replica (an IndexedDB database in the browser). */
  localName?: string;
  retry?: { initialMs: number; maxMs: number };
  /** The registry object the page already handed out (it forwards to `fallback` until now). */
  registry?: StationRegistry;
  /** Refuse http:// servers (the portal page: its Content-Security-Policy allows only https: connections). */
  requireHttps?: boolean;
}

export interface InventorySnapshot {
  status: InventoryStatus;
  config: InventoryConfig | null;
  /** Documents the server refused since the page loaded (newest last, at most 20). */
  rejected: RejectedDocument[];
}

/** A `_local` document (never replicated): when the replica and the station's own store last agreed. */
const SYNCED_MARKER_ID = "_local/pydirect-own-store";

export class StationInventory {
  readonly registry: StationRegistry;
  private state: InventorySnapshot = { status: { state: "off" }, config: null, rejected: [] };
  private readonly listeners = new Set<(s: InventorySnapshot) => void>();
  private local: PouchDeviceRegistry | null = null;
  private Pouch: PouchConstructor | null = null;
  private sync: InventorySync | null = null;

  constructor(private readonly options: StationInventoryOptions) {
    this.registry = options.registry ?? new StationRegistry(options.fallback);
  }

  get snapshot(): InventorySnapshot {
    return this.state;
  }

  subscribe(listener: (s: InventorySnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** At page load: reopen the stored configuration (the password, if one is needed, is asked again). */
  async resume(): Promise<void> {
    const config = this.options.store.load();
    if (!config) return;
    try {
      await this.connect(config);
    } catch (err) {
      // A stored URL that no longer parses: say so, keep working locally.
      this.set({ config, status: { state: "error", url: config.url, error: toInventoryError(err, config.url) } });
    }
  }

  /**
   * Switches the station to the shared inventory at `url` (stored with `user`, never the
   * password). Throws InventoryError("bad-url") for a URL that cannot be a CouchDB database.
   */
  async connect(input: { url: string; user?: string; password?: string }): Promise<void> {
    const parsed = parseInventoryUrl(input.url, input.user);
    if (this.options.requireHttps && !parsed.url.startsWith("https://")) {
      throw new InventoryError(
        "bad-url",
        "The portal reaches the inventory only over https:// (its Content-Security-Policy blocks plain http://); serve CouchDB over https and enter that URL.",
      );
    }
    const password = input.password || parsed.password;
    const config: InventoryConfig = { url: parsed.url, user: parsed.user };
    this.stopSync();
    this.options.store.save(config);
    this.set({ config, status: { state: "connecting", url: config.url } });
    const local = await this.openLocal();
    if (config.user && !password) {
      this.set({ status: { state: "needs-password", url: config.url, user: config.user } });
      return;
    }
    if (!this.Pouch) throw new Error("openLocal() loads PouchDB before a remote is opened");
    const remote = new this.Pouch(config.url, {
      skip_setup: true, // stations never create the database: `inventory init` does, as admin
      ...(config.user ? { auth: { username: config.user, password } } : {}),
    });
    local.attachRemote(remote);
    const sync = new InventorySync(local.db, remote, {
      url: config.url,
      onStatus: (status) => {
        if (this.sync === sync) this.set({ status });
      },
      onRejected: (r) => {
        if (this.sync === sync) this.set({ rejected: [...this.state.rejected, r].slice(-20) });
      },
      ...(this.options.retry ? { retry: this.options.retry } : {}),
    });
    this.sync = sync;
    await sync.start();
  }

  /**
   * Stops sharing: the station goes back to its own store, keeping a copy of every record it
   * last saw (so hostname checks still know them), and forgets the URL.
   */
  async disconnect(): Promise<void> {
    this.stopSync();
    const local = this.local;
    if (local) {
      for (const record of await local.list()) await this.options.fallback.put(record);
      await this.markInStep(local);
      this.registry.use(this.options.fallback);
      local.close();
      await local.db.close();
      this.local = null;
    }
    this.options.store.save(null);
    this.set({ config: null, status: { state: "off" }, rejected: [] });
  }

  private stopSync(): void {
    this.sync?.stop();
    this.sync = null;
    this.local?.attachRemote(null);
  }

  private async openLocal(): Promise<PouchDeviceRegistry> {
    if (this.local) return this.local;
    this.Pouch ??= await this.options.loadPouch();
    const db = new this.Pouch(this.options.localName ?? "pydirect-inventory");
    const local = new PouchDeviceRegistry(db);
    await this.migrate(local);
    this.local = local;
    this.registry.use(local);
    return local;
  }

  /**
   * Copies into the replica the boards this station's own store learnt while the inventory was
   * off: all of them the first time, later only those provisioned or verified since the replica
   * was last in step (so a board removed from the shared inventory is not brought back).
   */
  private async migrate(local: PouchDeviceRegistry): Promise<void> {
    const marker = (await local.db.get(SYNCED_MARKER_ID).catch(() => null)) as { at?: string } | null;
    const since = marker?.at ?? "";
    for (const record of await this.options.fallback.list()) {
      const changedAt = [record.provisionedAt, record.lastVerification?.at ?? ""].sort()[1]; // the later
      if (since && changedAt <= since) continue;
      const known = await local.get(record.id);
      if (!known || JSON.stringify(known) !== JSON.stringify(record)) await local.put(record);
    }
    await this.markInStep(local);
  }

  /** Remembers (in a `_local` document, never replicated) when the replica and the own store last agreed. */
  private async markInStep(local: PouchDeviceRegistry): Promise<void> {
    const marker = await local.db.get(SYNCED_MARKER_ID).catch(() => null);
    await local.db.put({
      _id: SYNCED_MARKER_ID,
      ...(marker ? { _rev: marker._rev } : {}),
      at: new Date().toISOString(),
    });
  }

  private set(patch: Partial<InventorySnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }
}
