/**
 * The portal's record of a board it provisioned. Deliberately holds nothing secret: no private
 * key, no Wi-Fi or WebREPL password — only what identifies the board and lets the portal check
 * later that it is still the same board (the certificate fingerprint).
 */
export interface DeviceRecord {
  /** Stable id: machine.unique_id() as hex (the factory MAC on ESP32s). */
  id: string;
  hostname: string;
  chip: string;
  /** "aa:bb:cc:dd:ee:ff" */
  mac: string;
  firmwareVersion: string | null;
  /** SHA-256 of the certificate DER, colon hex. */
  certFingerprint: string;
  /** ISO 8601. */
  provisionedAt: string;
  lastVerification?: { at: string; passed: boolean; summary: string };
  /** The board's certificate (PEM, public): "connect again" re-checks the key proof against it. */
  certificatePem?: string;
  /**
   * Which device scripts the board ran when provisioned: on pyDirect upstream's the DataChannel
   * carries no verification protocol, so "connect again" checks the channel and the HTTPS certificate.
   */
  deviceScripts?: "pydirect" | "pydirect-upstream";
}

export interface DeviceRegistry {
  get(id: string): Promise<DeviceRecord | undefined>;
  put(record: DeviceRecord): Promise<void>;
  list(): Promise<DeviceRecord[]>;
  delete(id: string): Promise<void>;
  /** Case-insensitive, as hostnames are on the network. */
  findByHostname(hostname: string): Promise<DeviceRecord | undefined>;
  /**
   * Every record with this hostname, where a registry can hold several (a shared inventory,
   * where two stations may name two boards alike before they sync).
   */
  findAllByHostname?(hostname: string): Promise<DeviceRecord[]>;
}

/** Typed by DeviceRecord's keys: a field added to the record but not here fails to compile. */
const RECORD_FIELDS: Record<keyof DeviceRecord, true> = {
  id: true,
  hostname: true,
  chip: true,
  mac: true,
  firmwareVersion: true,
  certFingerprint: true,
  provisionedAt: true,
  lastVerification: true,
  certificatePem: true,
  deviceScripts: true,
};

/** The fields a record may hold, in display order (exports build their columns from this). */
export const DEVICE_RECORD_FIELDS = Object.keys(RECORD_FIELDS) as readonly (keyof DeviceRecord)[];
const RECORD_KEYS: ReadonlySet<string> = new Set(DEVICE_RECORD_FIELDS);

/**
 * Copy only the known fields, so a caller that spreads a bigger object (one holding a password)
 * into a record cannot smuggle it into storage. Implementations call this in `put`.
 */
export function sanitizeDeviceRecord(record: DeviceRecord): DeviceRecord {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (RECORD_KEYS.has(key)) out[key] = (record as unknown as Record<string, unknown>)[key];
  }
  const clean = out as unknown as DeviceRecord;
  if (record.lastVerification) {
    const { at, passed, summary } = record.lastVerification;
    clean.lastVerification = { at, passed, summary };
  }
  // Public certificates only: anything else in this field (a key pasted by mistake) is dropped.
  if (clean.certificatePem !== undefined && !isPublicCertificatePem(clean.certificatePem)) delete clean.certificatePem;
  const scripts: unknown = clean.deviceScripts; // as stored: any value at all
  if (scripts !== undefined && scripts !== "pydirect" && scripts !== "pydirect-upstream") delete clean.deviceScripts;
  return clean;
}

function isPublicCertificatePem(value: unknown): value is string {
  return typeof value === "string" && value.includes("-----BEGIN CERTIFICATE-----") && !/PRIVATE KEY/.test(value);
}
