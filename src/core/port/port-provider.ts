/**
 * Where ports come from: the ports this site may already use, the browser's picker, and ports
 * that appear while the page runs. Web Serial (`navigator.serial`) and the virtual board both
 * provide it, so following a board that re-enumerates is tested in Node as it runs in a browser.
 */
import type { SerialPortLike } from "./serial-port";
import { matchesFilters, type PortFilter } from "./usb-connector";

export interface PortProvider {
  /** Ports the user already granted this site (`navigator.serial.getPorts()`): no click needed. */
  granted(): Promise<SerialPortLike[]>;
  /** Ask the user to pick a port (`requestPort({filters})`); in a browser it needs a click. */
  request(filters: readonly PortFilter[]): Promise<SerialPortLike>;
  /** A granted device was plugged in, or came back as another USB device (`connect` event). */
  onConnect(listener: (port: SerialPortLike) => void): () => void;
}

interface SerialLike extends EventTarget {
  getPorts(): Promise<SerialPortLike[]>;
  requestPort(options?: { filters?: PortFilter[] }): Promise<SerialPortLike>;
}

/** `navigator.serial` as a `PortProvider`. */
export function webSerialPortProvider(serial: SerialLike): PortProvider {
  return {
    granted: () => serial.getPorts(),
    request: (filters) => serial.requestPort(filters.length > 0 ? { filters: [...filters] } : {}),
    onConnect(listener) {
      // The event's target is the port (Chrome dispatches it at the SerialPort and it bubbles to navigator.serial).
      const handler = (ev: Event) => listener(ev.target as unknown as SerialPortLike);
      serial.addEventListener("connect", handler);
      return () => serial.removeEventListener("connect", handler);
    },
  };
}

export interface WaitForPortOptions {
  filters: readonly PortFilter[];
  /** The port that just vanished (or is still held): never the answer. */
  exclude?: readonly SerialPortLike[];
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * A granted port matching the filters: one already there, or the first that connects within the
 * timeout. null when none came: the page then asks the user (a click) through `request`.
 */
export async function waitForGrantedPort(
  provider: PortProvider,
  options: WaitForPortOptions,
): Promise<SerialPortLike | null> {
  const { filters, exclude = [], timeoutMs, signal } = options;
  const fits = (p: SerialPortLike) => !exclude.includes(p) && matchesFilters(p.getInfo(), filters);
  return new Promise<SerialPortLike | null>((resolve) => {
    let done = false;
    const finish = (port: SerialPortLike | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      signal?.removeEventListener("abort", onAbort);
      resolve(port);
    };
    const onAbort = () => finish(null);
    const off = provider.onConnect((p) => {
      if (fits(p)) finish(p);
    });
    const timer = setTimeout(() => finish(null), timeoutMs);
    signal?.addEventListener("abort", onAbort);
    if (signal?.aborted) finish(null);
    provider.granted().then(
      (ports) => {
        const found = ports.find(fits);
        if (found) finish(found);
      },
      () => undefined,
    );
  });
}

/**
 * One provider for a page whose ports come from Web Serial or from the in-page virtual board:
 * the session keeps this object, the page points it at whichever the user picked last.
 */
export class SwitchablePortProvider implements PortProvider {
  private current: PortProvider | null = null;
  private readonly listeners = new Set<(port: SerialPortLike) => void>();
  private offCurrent: (() => void) | null = null;

  /** Points at a source that lists ports (Web Serial or the virtual board; not the WebUSB polyfill). */
  get active(): boolean {
    return this.current !== null;
  }

  use(provider: PortProvider | null): void {
    this.offCurrent?.();
    this.current = provider;
    this.offCurrent = provider?.onConnect((p) => this.listeners.forEach((l) => l(p))) ?? null;
  }

  granted(): Promise<SerialPortLike[]> {
    return this.current?.granted() ?? Promise.resolve([]);
  }

  request(filters: readonly PortFilter[]): Promise<SerialPortLike> {
    if (!this.current) return Promise.reject(Object.assign(new Error("No port source"), { name: "NotFoundError" }));
    return this.current.request(filters);
  }

  onConnect(listener: (port: SerialPortLike) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * The site's permission for `port` was taken back (`SerialPort.forget()`, or the user removed it in
 * the site settings): the port is no longer among the granted ones although it never fired
 * "disconnect" (the caller knows that). false when the provider cannot tell (none, or none active).
 */
export async function permissionWithdrawn(provider: PortProvider | undefined, port: SerialPortLike): Promise<boolean> {
  if (!provider || (provider instanceof SwitchablePortProvider && !provider.active)) return false;
  try {
    return !(await provider.granted()).includes(port);
  } catch {
    return false;
  }
}
