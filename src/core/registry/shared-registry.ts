/**
 * What a registry that is shared between stations adds to the plain DeviceRegistry: every record
 * with a clashing hostname, the conflicts replication found, a way to keep one side, and change
 * notifications (records arrive from other stations at any time).
 */
import type { DeviceRecord, DeviceRegistry } from "./device-record";

/** One side of a conflict: a revision of the same board's document written at some station. */
export interface DeviceVersion {
  rev: string;
  record: DeviceRecord;
  /** The revision CouchDB's deterministic choice shows until someone resolves the conflict. */
  winner: boolean;
}

/** The same board (same id, i.e. the same MAC) provisioned at two or more stations. */
export interface DeviceConflict {
  id: string;
  versions: DeviceVersion[];
}

export interface SharedDeviceRegistry extends DeviceRegistry {
  /** Every record using this hostname (case-insensitive): two stations may have named two boards alike. */
  findAllByHostname(hostname: string): Promise<DeviceRecord[]>;
  conflicts(): Promise<DeviceConflict[]>;
  /** Keep `keepRev`, delete the other sides (the deletion replicates to every station). */
  resolveConflict(id: string, keepRev: string): Promise<void>;
  /** Called after any change, local or replicated. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export function isSharedRegistry(registry: DeviceRegistry | null | undefined): registry is SharedDeviceRegistry {
  return !!registry && typeof (registry as Partial<SharedDeviceRegistry>).conflicts === "function";
}
