/**
 * The part of PouchDB's API (core, replication, pouchdb-find) the inventory uses, typed here:
 * @types/pouchdb-core declares a global `Buffer` that breaks Node's own types in this project.
 */

export interface StoredDoc {
  _id: string;
  _rev: string;
  _conflicts?: string[];
  _deleted?: boolean;
  [field: string]: unknown;
}

export interface WriteResult {
  ok?: boolean;
  id?: string;
  rev?: string;
  error?: string | boolean;
  reason?: string;
  message?: string;
  status?: number;
}

export interface Emitter<Self> {
  on(event: string, listener: (...args: unknown[]) => void): Self;
  cancel(): void;
}

/** A live two-way sync: its own events, and each direction's replication (which carry errors). */
export interface SyncHandle extends Emitter<SyncHandle> {
  push: ReplicationHandle;
  pull: ReplicationHandle;
}
export type ReplicationHandle = Emitter<ReplicationHandle>;
export type ChangesHandle = Emitter<ChangesHandle>;

export interface SyncOptions {
  live?: boolean;
  retry?: boolean;
  back_off_function?: (previousDelayMs: number) => number;
  push?: { filter?: (doc: StoredDoc) => boolean };
  pull?: Record<string, unknown>;
}

/** A PouchDB database (local, or a CouchDB one over HTTP) with the pouchdb-find plugin. */
export interface InventoryDatabase {
  readonly name: string;
  info(): Promise<{ db_name: string; doc_count: number; update_seq: number | string }>;
  get(id: string, options?: { conflicts?: boolean; rev?: string }): Promise<StoredDoc>;
  put(doc: Record<string, unknown>): Promise<WriteResult>;
  bulkDocs(docs: Record<string, unknown>[]): Promise<WriteResult[]>;
  allDocs(options: {
    include_docs?: boolean;
    conflicts?: boolean;
    startkey?: string;
    endkey?: string;
  }): Promise<{ total_rows: number; rows: { id: string; doc?: StoredDoc }[] }>;
  changes(options: { live: true; since: "now" }): ChangesHandle;
  sync(remote: InventoryDatabase, options: SyncOptions): SyncHandle;
  find(request: {
    selector: Record<string, unknown>;
    fields?: string[];
    limit?: number;
  }): Promise<{ docs: StoredDoc[]; warning?: string }>;
  createIndex(index: {
    index: { fields: string[] };
    name?: string;
    ddoc?: string;
    type?: string;
  }): Promise<{ result: string }>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** `new PouchDB(name, options)`: a local name or a database URL. */
export type PouchConstructor = new (name: string, options?: Record<string, unknown>) => InventoryDatabase;
