/**
 * The shared inventory's browser wiring, loaded after the first paint (app-services.ts imports
 * it lazily): the settings element, and a StationInventory whose PouchDB (pouchdb-browser +
 * pouchdb-find, IndexedDB underneath) loads only once a server is configured.
 */
import { storageConfigStore } from "../core/registry/inventory-config";
import type { StationRegistry } from "../core/registry/station-registry";
import { StationInventory } from "../core/registry/station-inventory";
import "./pydirect-device-conflicts";
import "./pydirect-inventory-settings";

export function createStationInventory(registry: StationRegistry): StationInventory {
  return new StationInventory({
    registry,
    fallback: registry.current,
    store: storageConfigStore(safeLocalStorage()),
    loadPouch: () => import("./inventory-pouch").then((m) => m.loadInventoryPouch()),
    requireHttps: true,
  });
}

/** localStorage, or a memory stand-in where the browser refuses it (some private windows). */
function safeLocalStorage(): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  try {
    const probe = "pydirect-storage-probe";
    localStorage.setItem(probe, "1");
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    const items = new Map<string, string>();
    return {
      getItem: (k) => items.get(k) ?? null,
      setItem: (k, v) => void items.set(k, v),
      removeItem: (k) => void items.delete(k),
    };
  }
}
