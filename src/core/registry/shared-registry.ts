/**
 * What a registry that is shared between stations adds to the plain DeviceRegistry: every record
 * with a clashing hostname, the conflicts replication found, a way to keep one side, and change
 * notifications (records arrive from other stations at any time).
 */
import type { DeviceRecord, DeviceRegistry } from "./device-record";

/** One side of a conflict: a revision of a board's document written at some station. */
export interface DeviceVersion {
  /** The record id this version belongs to. */
  id: string;
  rev: string;
  record: DeviceRecord;
  /** The revision CouchDB's deterministic choice shows until someone resolves the conflict. */
  winner: boolean;
}

/**
 * The same board provisioned at two or more stations: either two revisions of one record
 * (same id, which is the MAC on ESP32s; replication keeps both) or, where ids differ, two
 * records that carry the same MAC.
 */
export interface DeviceConflict {
  /** What resolveConflict takes: the record id for "revisions", "mac:<mac>" for "same-mac". */
  key: string;
  kind: "revisions" | "same-mac";
  mac: string;
  versions: DeviceVersion[];
}

export interface SharedDeviceRegistry extends DeviceRegistry {
  /** Every record using this hostname (case-insensitive): two stations may have named two boards alike. */
  findAllByHostname(hostname: string): Promise<DeviceRecord[]>;
  conflicts(): Promise<DeviceConflict[]>;
  /** Keep the version `keepRev` of conflict `key`, delete the other sides (the deletion replicates to every station). */
  resolveConflict(key: string, keepRev: string): Promise<void>;
  /** Called after any change, local or replicated. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export function isSharedRegistry(registry: DeviceRegistry | null | undefined): registry is SharedDeviceRegistry {
  return !!registry && typeof (registry as Partial<SharedDeviceRegistry>).conflicts === "function";
}
