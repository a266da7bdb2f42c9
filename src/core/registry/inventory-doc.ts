/**
 * The shape a device record takes in the shared inventory (a CouchDB/PouchDB document), and the
 * allow-list that guards what leaves a station. A document holds exactly the registry's record
 * fields plus bookkeeping (`_id`, `_rev`, `type`, `hostnameLower`): never a key or a password.
 */
import { DEVICE_RECORD_FIELDS, sanitizeDeviceRecord, type DeviceRecord } from "./device-record";
import { InventoryError } from "./inventory-errors";

/** `type` of every device document; design documents and anything else are ignored. */
export const DEVICE_DOC_TYPE = "pydirect-device";
/** Document ids are `device:<record id>` (the record id is machine.unique_id() hex, the MAC). */
export const DEVICE_DOC_PREFIX = "device:";

export interface DeviceDoc extends DeviceRecord {
  _id: string;
  _rev?: string;
  type: typeof DEVICE_DOC_TYPE;
  /** Lower-case hostname: Mango cannot index a lower-cased value, so it is stored (names are case-insensitive). */
  hostnameLower: string;
}

/** Bookkeeping fields a document may carry besides the record's own. */
const DOC_FIELDS = ["_id", "_rev", "type", "hostnameLower"] as const;
/** Every top-level field a replicated device document may have. */
export const INVENTORY_DOC_FIELDS: readonly string[] = [...DOC_FIELDS, ...DEVICE_RECORD_FIELDS];
/** The fields inside `lastVerification`. */
export const VERIFICATION_FIELDS: readonly string[] = ["at", "passed", "summary"];
const ALLOWED: ReadonlySet<string> = new Set(INVENTORY_DOC_FIELDS);

/**
 * Field names that smell of a secret. Checked on top of the allow-list so that a record field
 * added later under such a name is refused rather than replicated (and the server's validation
 * function refuses the same names).
 */
export const SECRET_FIELD_PATTERN =
  /password|passwd|passphrase|secret|private|prvtkey|privkey|psk|token|credential|^key$|Key$/i;
/** A PEM private key in any string value. */
export const PRIVATE_KEY_PEM_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export const deviceDocId = (recordId: string): string => DEVICE_DOC_PREFIX + recordId;

/** The document for a record: only allow-listed fields, checked before it can be stored or sent. */
export function toDeviceDoc(record: DeviceRecord, rev?: string): DeviceDoc {
  const clean = sanitizeDeviceRecord(record);
  const doc: DeviceDoc = {
    ...clean,
    _id: deviceDocId(clean.id),
    ...(rev ? { _rev: rev } : {}),
    type: DEVICE_DOC_TYPE,
    hostnameLower: clean.hostname.toLowerCase(),
  };
  assertReplicable(doc as unknown as Record<string, unknown>);
  return doc;
}

/** The record inside a document (from this station or replicated from another), sanitized again. */
export function fromDeviceDoc(doc: Record<string, unknown>): DeviceRecord {
  const { _id: _i, _rev: _r, _conflicts: _c, type: _t, hostnameLower: _h, ...rest } = doc;
  return sanitizeDeviceRecord(rest as unknown as DeviceRecord);
}

export function isDeviceDoc(doc: unknown): doc is DeviceDoc {
  return typeof doc === "object" && doc !== null && (doc as { type?: unknown }).type === DEVICE_DOC_TYPE;
}

/**
 * Throws unless every field is allow-listed and no field name or string value looks like a
 * secret. The last guard before a document is written to the replicated database.
 */
export function assertReplicable(doc: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(doc)) {
    if (SECRET_FIELD_PATTERN.test(key)) {
      throw new InventoryError(
        "secret-field",
        `The field "${key}" looks like a secret; secrets never go into the shared inventory.`,
      );
    }
    if (!ALLOWED.has(key)) {
      throw new InventoryError(
        "unknown-field",
        `The field "${key}" is not one the shared inventory holds; only ${INVENTORY_DOC_FIELDS.join(", ")} are replicated.`,
      );
    }
    if (typeof value === "string" && PRIVATE_KEY_PEM_PATTERN.test(value)) {
      throw new InventoryError(
        "secret-field",
        `The field "${key}" holds a private key; secrets never go into the shared inventory.`,
      );
    }
  }
  const verification = doc["lastVerification"];
  if (verification !== undefined) {
    for (const key of Object.keys(verification as object)) {
      if (!VERIFICATION_FIELDS.includes(key)) {
        throw new InventoryError(
          "unknown-field",
          `The field "lastVerification.${key}" is not one the shared inventory holds.`,
        );
      }
    }
  }
}
