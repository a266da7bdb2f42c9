/**
 * The device registry in the browser's IndexedDB (through `idb`). Records pass through
 * `sanitizeDeviceRecord` on the way in, so nothing but the known, non-secret fields is stored.
 */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import { sanitizeDeviceRecord, type DeviceRecord, type DeviceRegistry } from "./device-record";

interface RegistrySchema extends DBSchema {
  devices: {
    key: string;
    value: DeviceRecord & { hostnameLower: string };
    indexes: { hostname: string };
  };
}

const DB_VERSION = 1;

export class IdbDeviceRegistry implements DeviceRegistry {
  private db: Promise<IDBPDatabase<RegistrySchema>> | null = null;

  constructor(private readonly dbName = "pydirect-devices") {}

  private open(): Promise<IDBPDatabase<RegistrySchema>> {
    this.db ??= openDB<RegistrySchema>(this.dbName, DB_VERSION, {
      upgrade(db) {
        const store = db.createObjectStore("devices", { keyPath: "id" });
        store.createIndex("hostname", "hostnameLower");
      },
    });
    return this.db;
  }

  async get(id: string): Promise<DeviceRecord | undefined> {
    const row = await (await this.open()).get("devices", id);
    return row ? strip(row) : undefined;
  }

  async put(record: DeviceRecord): Promise<void> {
    const clean = sanitizeDeviceRecord(record);
    await (await this.open()).put("devices", { ...clean, hostnameLower: clean.hostname.toLowerCase() });
  }

  async list(): Promise<DeviceRecord[]> {
    const rows = await (await this.open()).getAll("devices");
    return rows.map(strip).sort((a, b) => a.hostname.localeCompare(b.hostname));
  }

  async delete(id: string): Promise<void> {
    await (await this.open()).delete("devices", id);
  }

  async findByHostname(hostname: string): Promise<DeviceRecord | undefined> {
    const row = await (await this.open()).getFromIndex("devices", "hostname", hostname.toLowerCase());
    return row ? strip(row) : undefined;
  }

  close(): void {
    void this.db?.then((db) => db.close());
    this.db = null;
  }
}

function strip(row: DeviceRecord & { hostnameLower: string }): DeviceRecord {
  const { hostnameLower: _unused, ...record } = row;
  return sanitizeDeviceRecord(record);
}
