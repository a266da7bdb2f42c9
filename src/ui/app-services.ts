/**
 * Browser services the portal page and the install dialog share: where devices are remembered,
 * which firmware the user picked last, and the virtual board behind "try without hardware".
 */
import { StorageFirmwareChoiceMemory } from "../core/firmware-sources/choice-memory";
import type { FirmwareChoiceMemory } from "../core/firmware-sources/types";
import type { DeviceRegistry } from "../core/registry/device-record";
import { IdbDeviceRegistry } from "../core/registry/idb-device-registry";
import { MemoryDeviceRegistry } from "../core/registry/memory-device-registry";
import { pickSerialPort } from "../core/session/port-picker";
import type { AppFactoryMaker, VirtualChoice } from "../demo/virtual-port";
import { virtualBoardModels, virtualModel } from "../demo/virtual-models";
import type { PortSources } from "./session-intents";
import { SwitchablePortProvider, webSerialPortProvider } from "../core/port/port-provider";
import { StationRegistry } from "../core/registry/station-registry";
import type { StationInventory } from "../core/registry/station-inventory";

/** IndexedDB when the browser allows it (private windows may not): else memory for this tab. */
export function createDeviceRegistry(): DeviceRegistry {
  return typeof indexedDB !== "undefined" ? new IdbDeviceRegistry() : new MemoryDeviceRegistry();
}

/** The last firmware source and version, per browser (localStorage; nothing when it is unavailable). */
export function createFirmwareChoiceMemory(): FirmwareChoiceMemory | undefined {
  try {
    return typeof localStorage !== "undefined" ? new StorageFirmwareChoiceMemory(localStorage) : undefined;
  } catch {
    // Storage blocked by the browser's settings: nothing is remembered.
    return undefined;
  }
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

/**
 * Ports for the Connect step: Web Serial, and a new virtual board of the chosen model, running
 * `makeApp`'s firmware (unset: the demo firmware, chosen by the image in its flash).
 * `onVirtual` sees each new virtual board (tests and the demo's "unplug" reach the board).
 */
export function portSources(options: {
  makeApp?: () => AppFactoryMaker | undefined;
  onConsole?: (text: string) => void;
  onVirtual?: (choice: VirtualChoice) => void;
  /** Pointed at the ports of whatever was picked last, so the session can follow a board that re-enumerates. */
  provider?: SwitchablePortProvider;
  /**
   * Offer the boards that come flashed with a demo image (their image is fetched from the page's
   * own site, so only the portal's page can); default true.
   */
  preflashedModels?: boolean;
}): PortSources {
  let lastVirtual: VirtualChoice | null = null;
  const serial = (globalThis.navigator as { serial?: Parameters<typeof webSerialPortProvider>[0] } | undefined)?.serial;
  return {
    pickSerial: async () => {
      const choice = await pickSerialPort();
      options.provider?.use(serial ? webSerialPortProvider(serial) : null);
      return choice;
    },
    // The in-page board's BOOT and RESET buttons, pressed from the manual-boot guidance.
    pressVirtualButtons: (stage) => lastVirtual?.board.reset(stage === "enter-loader" ? "download" : "normal"),
    // What the user does on a real computer (quit the serial monitor), done to the in-page board.
    freeVirtualPort: () => lastVirtual?.board.connectors.holdElsewhere(false),
    // The simulator loads on this first pick ("Try without hardware"), never with the page.
    pickVirtual: async (model) => {
      const m = virtualModel(model);
      const [{ createVirtualChoice }, { virtualPortProvider }, flash] = await Promise.all([
        import("../demo/virtual-port"),
        import("../demo/virtual-port-provider"),
        // A model that comes flashed (the upstream pyDirect look-alike): its image, from the site.
        m.preinstalled
          ? import("../demo/preinstalled-image").then(({ preinstalledImage }) => preinstalledImage(m, document.baseURI))
          : [],
      ]);
      const makeApp = options.makeApp?.();
      const choice = createVirtualChoice({
        model: m,
        flash,
        ...(makeApp ? { makeApp } : {}),
        ...(options.onConsole ? { onConsole: options.onConsole } : {}),
      });
      options.onVirtual?.(choice);
      lastVirtual = choice;
      // The demo has no chooser: every port the virtual board shows counts as granted.
      options.provider?.use(virtualPortProvider(choice.board, { grantAll: true }));
      return choice;
    },
    virtualModels: virtualBoardModels()
      .filter((m) => options.preflashedModels !== false || !m.preinstalled)
      .map((m) => ({ id: m.id, label: m.label })),
  };
}
