/** PouchDB for the page (IndexedDB + HTTP + replication) with pouchdb-find: its own lazy chunk. */
import PouchDB from "pouchdb-browser";
import PouchFind from "pouchdb-find";
import type { PouchConstructor } from "../core/registry/pouch-types";

let ready: PouchConstructor | null = null;

export function loadInventoryPouch(): PouchConstructor {
  if (!ready) {
    PouchDB.plugin(PouchFind);
    ready = PouchDB as unknown as PouchConstructor;
  }
  return ready;
}
