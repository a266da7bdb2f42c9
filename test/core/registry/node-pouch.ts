/**
 * PouchDB in Node tests: the memory adapter (local names) instead of IndexedDB, http for URLs,
 * replication, map/reduce and pouchdb-find, as pouchdb-browser + pouchdb-find give the page.
 * pouchdb-core is one class per process and its plugins cannot be applied twice, so the
 * stations and the test server (couch-server.ts) share this one, built once.
 */
import { createRequire } from "node:module";
import type { PouchConstructor } from "../../../src/core/registry/pouch-types";

const require = createRequire(import.meta.url);
let pouch: PouchConstructor | null = null;
let stationCount = 0;

/** pouchdb-core's class as far as adding plugins goes (the packages ship no types). */
interface PouchPluginHost {
  plugin(plugin: unknown): PouchPluginHost;
}

export function nodePouch(): PouchConstructor {
  pouch ??= (require("pouchdb-core") as PouchPluginHost)
    .plugin(require("pouchdb-adapter-memory"))
    .plugin(require("pouchdb-adapter-http"))
    .plugin(require("pouchdb-replication"))
    .plugin(require("pouchdb-mapreduce"))
    .plugin(require("pouchdb-find")) as unknown as PouchConstructor;
  return pouch;
}

/** A local database name no other station in this process uses. */
export const stationDbName = (station: string) => `station-${station}-${process.pid}-${++stationCount}`;
