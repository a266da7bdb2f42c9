/**
 * Browser services the portal page and the install dialog share: where devices are remembered,
 * and what runs on a virtual board.
 */
import type { DeviceRegistry } from "../core/registry/device-record";
import { IdbDeviceRegistry } from "../core/registry/idb-device-registry";
import { MemoryDeviceRegistry } from "../core/registry/memory-device-registry";
import { StationRegistry } from "../core/registry/station-registry";
import type { StationInventory } from "../core/registry/station-inventory";
import { demoMicroPythonApp, type AppFactoryMaker } from "../core/session/virtual-port";

/** IndexedDB when the browser allows it (private windows may not): else memory for this tab. */
export function createDeviceRegistry(): DeviceRegistry {
  return typeof indexedDB !== "undefined" ? new IdbDeviceRegistry() : new MemoryDeviceRegistry();
}

/**
 * The portal page's registry: this browser's own store until the shared inventory is switched
 * on, then the local replica of the CouchDB database (see loadStationInventory).
 */
export function createStationRegistry(): StationRegistry {
  return new StationRegistry(createDeviceRegistry());
}

/**
 * The shared inventory for the page, loaded after the first paint: neither its code nor PouchDB
 * is in the first bundle, and PouchDB itself loads only when a server is configured.
 */
export async function loadStationInventory(registry: StationRegistry): Promise<StationInventory> {
  const { createStationInventory } = await import("./inventory-services");
  return createStationInventory(registry);
}

/** The virtual board's app: the demo MicroPython runtime, loaded when a virtual board first boots. */
export function virtualAppFactory(): AppFactoryMaker {
  return demoMicroPythonApp;
}
