import { sanitizeDeviceRecord, type DeviceRecord, type DeviceRegistry } from "./device-record";

/** The registry in memory: for tests, the CLI, and browsers without IndexedDB (private windows). */
export class MemoryDeviceRegistry implements DeviceRegistry {
  private readonly records = new Map<string, DeviceRecord>();

  async get(id: string): Promise<DeviceRecord | undefined> {
    const r = this.records.get(id);
    return r ? structuredClone(r) : undefined;
  }

  async put(record: DeviceRecord): Promise<void> {
    this.records.set(record.id, structuredClone(sanitizeDeviceRecord(record)));
  }

  async list(): Promise<DeviceRecord[]> {
    return [...this.records.values()]
      .map((r) => structuredClone(r))
      .sort((a, b) => a.hostname.localeCompare(b.hostname));
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
  }

  async findByHostname(hostname: string): Promise<DeviceRecord | undefined> {
    const wanted = hostname.toLowerCase();
    for (const r of this.records.values()) if (r.hostname.toLowerCase() === wanted) return structuredClone(r);
    return undefined;
  }
}
