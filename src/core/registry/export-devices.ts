/** JSON and CSV exports of the device list, for spreadsheets and inventory systems. */
import { sanitizeDeviceRecord, type DeviceRecord } from "./device-record";

export const CSV_COLUMNS = [
  "id",
  "hostname",
  "chip",
  "mac",
  "firmwareVersion",
  "certFingerprint",
  "provisionedAt",
  "lastVerifiedAt",
  "lastVerificationPassed",
  "lastVerificationSummary",
] as const;

export function devicesToJson(records: readonly DeviceRecord[]): string {
  return (
    JSON.stringify({ format: "pydirect-devices", version: 1, devices: records.map(sanitizeDeviceRecord) }, null, 2) +
    "\n"
  );
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
export function devicesToCsv(records: readonly DeviceRecord[]): string {
  const rows = records.map((r) => [
    r.id,
    r.hostname,
    r.chip,
    r.mac,
    r.firmwareVersion ?? "",
    r.certFingerprint,
    r.provisionedAt,
    r.lastVerification?.at ?? "",
    r.lastVerification ? String(r.lastVerification.passed) : "",
    r.lastVerification?.summary ?? "",
  ]);
  return [CSV_COLUMNS as readonly string[], ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
