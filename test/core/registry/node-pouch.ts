/** The station's PouchDB in Node tests: the memory adapter (local names) instead of IndexedDB, http for URLs, the same plugins as pouchdb-browser plus pouchdb-find. */
import { createRequire } from "node:module";
import type { PouchConstructor } from "../../../src/core/registry/pouch-types";

const require = createRequire(import.meta.url);
let stationCount = 0;

export function nodePouch(): PouchConstructor {
  return require("pouchdb-core")
    .plugin(require("pouchdb-adapter-memory"))
    .plugin(require("pouchdb-adapter-http"))
    .plugin(require("pouchdb-replication"))
    .plugin(require("pouchdb-mapreduce"))
    .plugin(require("pouchdb-find")) as PouchConstructor;
}

/** A local database name no other station in this process uses. */
export const stationDbName = (station: string) => `station-${station}-${process.pid}-${++stationCount}`;
