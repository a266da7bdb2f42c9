/**
 * The board's own HTTPS address, on its own so the session can compute it without loading the
 * verify core (whose certificate library needs reflect-metadata loaded first).
 */
import type { DeviceRecord } from "../registry/device-record";

/** The board's own HTTPS address: its IP when known (mDNS `.local` names fail on some networks). */
export function deviceUrl(record: Pick<DeviceRecord, "hostname">, boardIp?: string | null, port = 443): string {
  const host = boardIp || `${record.hostname.toLowerCase()}.local`;
  return `https://${host}${port === 443 ? "" : `:${port}`}`;
}
