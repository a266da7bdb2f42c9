/**
 * The device registry on a PouchDB database: the station's local replica of the shared inventory
 * (IndexedDB in the browser, memory in tests). Every write goes through `toDeviceDoc`, whose
 * allow-list keeps keys and passwords out; replication (inventory-sync.ts) carries the documents
 * to and from CouchDB. Works the same with no server at all.
 */
import type { DeviceRecord } from "./device-record";
import {
  DEVICE_DOC_PREFIX,
  deviceDocId,
  fromDeviceDoc,
  isDeviceDoc,
  toDeviceDoc,
  type DeviceDoc,
} from "./inventory-doc";
import { InventoryError } from "./inventory-errors";
import type { ChangesHandle, InventoryDatabase, StoredDoc } from "./pouch-types";
import type { DeviceConflict, DeviceVersion, SharedDeviceRegistry } from "./shared-registry";

export type { InventoryDatabase } from "./pouch-types";

/** Local index names differ from the server's so the two never overwrite each other when design documents replicate down. */
const LOCAL_HOSTNAME_INDEX = {
  index: { fields: ["hostnameLower"] },
  name: "local-by-hostname",
  ddoc: "pydirect-local-hostname",
};
/** How long the hostname check waits for the server before trusting the local replica alone. */
const REMOTE_QUERY_TIMEOUT_MS = 3000;
const RANGE = { startkey: DEVICE_DOC_PREFIX, endkey: DEVICE_DOC_PREFIX + "\ufff0" };

const isNotFound = (err: unknown) => (err as { status?: number }).status === 404;
const isConflict = (err: unknown) => (err as { status?: number }).status === 409;

export class PouchDeviceRegistry implements SharedDeviceRegistry {
  private remote: InventoryDatabase | null = null;
  private readonly listeners = new Set<() => void>();
  private feed: ChangesHandle | null = null;
  private readonly indexed: Promise<unknown>;

  constructor(readonly db: InventoryDatabase) {
    this.indexed = db.createIndex(LOCAL_HOSTNAME_INDEX);
  }

  /** The server's database, asked too when checking a hostname (it may know boards not yet pulled). */
  attachRemote(remote: InventoryDatabase | null): void {
    this.remote = remote;
  }

  async get(id: string): Promise<DeviceRecord | undefined> {
    const doc = await this.getDoc(id);
    return doc ? fromDeviceDoc(doc) : undefined;
  }

  async put(record: DeviceRecord): Promise<void> {
    // Another write may land between reading the revision and writing (a replicated one): try again on 409.
    for (let attempt = 0; ; attempt++) {
      const current = await this.getDoc(record.id);
      try {
        await this.db.put({ ...toDeviceDoc(record, current?._rev) });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 2) throw err;
      }
    }
  }

  async list(): Promise<DeviceRecord[]> {
    const result = await this.db.allDocs({ include_docs: true, ...RANGE });
    return result.rows
      .map((row) => row.doc)
      .filter(isDeviceDoc)
      .map((doc) => fromDeviceDoc(doc as unknown as Record<string, unknown>))
      .sort((a, b) => a.hostname.localeCompare(b.hostname));
  }

  /** Deletes every side of the document, so a conflicting revision does not reappear as the record. */
  async delete(id: string): Promise<void> {
    const doc = await this.getDoc(id, true);
    if (!doc) return;
    const revs = [doc._rev, ...((doc as { _conflicts?: string[] })._conflicts ?? [])];
    await this.db.bulkDocs(revs.map((rev) => ({ _id: doc._id, _rev: rev, _deleted: true })));
  }

  async findByHostname(hostname: string): Promise<DeviceRecord | undefined> {
    return (await this.findAllByHostname(hostname))[0];
  }

  async findAllByHostname(hostname: string): Promise<DeviceRecord[]> {
    await this.indexed;
    const selector = { hostnameLower: hostname.toLowerCase() };
    const found = new Map<string, DeviceRecord>();
    for (const doc of (await this.db.find({ selector })).docs) {
      if (isDeviceDoc(doc)) found.set(doc.id, fromDeviceDoc(doc));
    }
    for (const doc of await this.queryRemote(selector)) {
      if (isDeviceDoc(doc) && !found.has(doc.id))
        found.set(doc.id, fromDeviceDoc(doc as unknown as Record<string, unknown>));
    }
    return [...found.values()];
  }

  async conflicts(): Promise<DeviceConflict[]> {
    const result = await this.db.allDocs({ include_docs: true, conflicts: true, ...RANGE });
    const out: DeviceConflict[] = [];
    const byMac = new Map<string, DeviceVersion[]>();
    for (const row of result.rows) {
      const doc = row.doc;
      if (!doc || !isDeviceDoc(doc)) continue;
      const winner: DeviceVersion = {
        id: doc.id,
        rev: doc._rev,
        record: fromDeviceDoc(doc),
        winner: true,
      };
      const mac = winner.record.mac.toLowerCase();
      byMac.set(mac, [...(byMac.get(mac) ?? []), winner]);
      if (!doc._conflicts?.length) continue;
      const losers = await Promise.all(doc._conflicts.map((rev) => this.db.get(doc._id, { rev })));
      out.push({
        key: doc.id,
        kind: "revisions",
        mac,
        versions: [
          winner,
          ...losers.map((d) => ({ id: doc.id, rev: d._rev, record: fromDeviceDoc(d), winner: false })),
        ],
      });
    }
    // Two records (different ids) for one MAC: ids come from machine.unique_id(), which is the
    // MAC on ESP32s, so this is rare, but a silent duplicate would hide the clash.
    for (const [mac, versions] of byMac) {
      if (versions.length > 1) out.push({ key: `mac:${mac}`, kind: "same-mac", mac, versions });
    }
    return out;
  }

  async resolveConflict(key: string, keepRev: string): Promise<void> {
    const conflict = (await this.conflicts()).find((c) => c.key === key);
    const keep = conflict?.versions.find((v) => v.rev === keepRev);
    if (!conflict || !keep) {
      throw new InventoryError(
        "conflict-changed",
        "That version is no longer one of the sides of this conflict (another station may have resolved it); look at the list again.",
      );
    }
    if (conflict.kind === "same-mac") {
      for (const v of conflict.versions) if (v.id !== keep.id) await this.delete(v.id);
      return;
    }
    const losers = conflict.versions.filter((v) => v.rev !== keepRev);
    // Deleting the other leaves leaves keepRev as the only live branch: every replica then shows it.
    const results = await this.db.bulkDocs(
      losers.map((v) => ({ _id: deviceDocId(v.id), _rev: v.rev, _deleted: true })),
    );
    const failed = results.find((r) => r.error);
    if (failed)
      throw new InventoryError(
        "conflict-changed",
        `The conflict could not be resolved (${failed.reason ?? failed.message ?? "rejected"}); look at the list again.`,
      );
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    this.feed ??= this.db
      .changes({ live: true, since: "now" })
      .on("change", () => {
        for (const l of this.listeners) l();
      })
      .on("error", () => undefined);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.feed?.cancel();
        this.feed = null;
      }
    };
  }

  close(): void {
    this.feed?.cancel();
    this.feed = null;
    this.listeners.clear();
  }

  private async getDoc(id: string, conflicts = false): Promise<(DeviceDoc & StoredDoc) | undefined> {
    try {
      const doc = await this.db.get(deviceDocId(id), conflicts ? { conflicts: true } : {});
      return isDeviceDoc(doc) ? doc : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The server's answer, or nothing when it is unreachable or slow: the local replica still decides. */
  private async queryRemote(selector: Record<string, string>): Promise<unknown[]> {
    const remote = this.remote;
    if (!remote) return [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<unknown[]>((resolve) => {
      timer = setTimeout(() => resolve([]), REMOTE_QUERY_TIMEOUT_MS);
    });
    const query = remote.find({ selector }).then(
      (r) => r.docs as unknown[],
      () => [] as unknown[],
    );
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
