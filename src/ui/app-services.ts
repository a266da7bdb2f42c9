/**
 * Browser services the portal page and the install dialog share: where devices are remembered,
 * and what runs on a virtual board.
 */
import type { DeviceRegistry } from "../core/registry/device-record";
import { IdbDeviceRegistry } from "../core/registry/idb-device-registry";
import { MemoryDeviceRegistry } from "../core/registry/memory-device-registry";
import { demoMicroPythonApp, type AppFactoryMaker } from "../demo/virtual-port";

/** IndexedDB when the browser allows it (private windows may not): else memory for this tab. */
export function createDeviceRegistry(): DeviceRegistry {
  return typeof indexedDB !== "undefined" ? new IdbDeviceRegistry() : new MemoryDeviceRegistry();
}

/** The virtual board's app: the demo MicroPython runtime, loaded when a virtual board first boots. */
export function virtualAppFactory(): AppFactoryMaker {
  return demoMicroPythonApp;
}
