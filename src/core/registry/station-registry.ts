/**
 * The registry object the page hands to its session and jobs once, at start: it forwards to the
 * station's own store (IndexedDB) until the shared inventory is switched on, then to the local
 * replica (PouchDB), without anyone holding a stale reference.
 */
import type { DeviceRecord, DeviceRegistry } from "./device-record";
import { PortalError } from "../errors";
import { isSharedRegistry, type DeviceConflict, type SharedDeviceRegistry } from "./shared-registry";

export class StationRegistry implements SharedDeviceRegistry {
  private readonly listeners = new Set<() => void>();
  private unsubscribeBackend: (() => void) | null = null;

  constructor(private backend: DeviceRegistry) {}

  get current(): DeviceRegistry {
    return this.backend;
  }

  /** Switch to another store; listeners hear of it (the device list reloads). */
  use(backend: DeviceRegistry): void {
    this.unsubscribeBackend?.();
    this.unsubscribeBackend = null;
    this.backend = backend;
    if (this.listeners.size > 0) this.follow();
    this.notify();
  }

  get(id: string): Promise<DeviceRecord | undefined> {
    return this.backend.get(id);
  }

  async put(record: DeviceRecord): Promise<void> {
    await this.backend.put(record);
    if (!isSharedRegistry(this.backend)) this.notify();
  }

  list(): Promise<DeviceRecord[]> {
    return this.backend.list();
  }

  async delete(id: string): Promise<void> {
    await this.backend.delete(id);
    if (!isSharedRegistry(this.backend)) this.notify();
  }

  findByHostname(hostname: string): Promise<DeviceRecord | undefined> {
    return this.backend.findByHostname(hostname);
  }

  async findAllByHostname(hostname: string): Promise<DeviceRecord[]> {
    if (isSharedRegistry(this.backend)) return this.backend.findAllByHostname(hostname);
    const one = await this.backend.findByHostname(hostname);
    return one ? [one] : [];
  }

  async conflicts(): Promise<DeviceConflict[]> {
    return isSharedRegistry(this.backend) ? this.backend.conflicts() : [];
  }

  async resolveConflict(key: string, keepRev: string): Promise<void> {
    if (!isSharedRegistry(this.backend)) {
      throw new PortalError(
        "conflict-changed",
        "The shared inventory is off at this station, so there is no conflict to resolve here.",
      );
    }
    await this.backend.resolveConflict(key, keepRev);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.follow();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.unsubscribeBackend?.();
        this.unsubscribeBackend = null;
      }
    };
  }

  private follow(): void {
    if (isSharedRegistry(this.backend) && !this.unsubscribeBackend)
      this.unsubscribeBackend = this.backend.subscribe(() => this.notify());
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
