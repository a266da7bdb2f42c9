/**
 * What baud rate a USB serial device carried a whole flash at, so the next board behind the same
 * kind of bridge starts there instead of probing the faster rates again. Keyed by USB identity
 * ("10c4:ea60", see `usbIdentityKey`); nothing secret is involved.
 */
export interface BaudMemory {
  /** The rate a write last completed at through this kind of device, if known. */
  recall(usbKey: string): number | undefined;
  remember(usbKey: string, baudRate: number): void;
}

function validRate(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 9_600 && value <= 20_000_000;
}

/** Kept for the life of the page (or process): a production line flashing board after board. */
export class InMemoryBaudMemory implements BaudMemory {
  private readonly rates = new Map<string, number>();

  recall(usbKey: string): number | undefined {
    return this.rates.get(usbKey);
  }

  remember(usbKey: string, baudRate: number): void {
    if (validRate(baudRate)) this.rates.set(usbKey, baudRate);
  }
}

/** The part of Web Storage (localStorage) this needs. */
export type KeyValueStorage = Pick<Storage, "getItem" | "setItem">;

/**
 * Kept in Web Storage across visits. A value that is not a plausible baud rate (edited by hand,
 * left by another version) is ignored, and storage that refuses writes (quota, privacy mode)
 * only means the next board probes again.
 */
export class StorageBaudMemory implements BaudMemory {
  constructor(
    private readonly storage: KeyValueStorage,
    private readonly prefix = "pydirect.flash.baud.",
  ) {}

  recall(usbKey: string): number | undefined {
    let text: string | null;
    try {
      text = this.storage.getItem(this.prefix + usbKey);
    } catch {
      return undefined;
    }
    if (text === null || !/^\d+$/.test(text)) return undefined;
    const rate = Number(text);
    return validRate(rate) ? rate : undefined;
  }

  remember(usbKey: string, baudRate: number): void {
    if (!validRate(baudRate)) return;
    try {
      this.storage.setItem(this.prefix + usbKey, String(baudRate));
    } catch {
      // Not kept; the next board finds the rate again.
    }
  }
}

/** Web Storage where the page has it (a sandboxed frame may refuse even to show it), else memory. */
export function defaultBaudMemory(): BaudMemory {
  try {
    const storage = (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    if (storage) return new StorageBaudMemory(storage);
  } catch {
    // SecurityError: storage is off for this origin.
  }
  return new InMemoryBaudMemory();
}
