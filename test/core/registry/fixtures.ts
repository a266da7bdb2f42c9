import type { DeviceRecord } from "../../../src/core/registry/device-record";

export const RECORD: DeviceRecord = {
  id: "246f285a3c01",
  hostname: "pyDirect-5A3C01",
  chip: "ESP32-S3",
  mac: "24:6f:28:5a:3c:01",
  firmwareVersion: "0.1.0",
  certFingerprint: "AB:CD:EF",
  provisionedAt: "2026-11-25T04:00:00.000Z",
  lastVerification: { at: "2026-11-25T04:01:00.000Z", passed: true, summary: "echo 3 ms" },
  certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
};

/** Board n: its own MAC, id and hostname (the last MAC bytes, as defaultHostname makes them). */
export function board(n: number, patch: Partial<DeviceRecord> = {}): DeviceRecord {
  const hex = (0x5a3c00 + n).toString(16).padStart(6, "0");
  const mac = `24:6f:28:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
  return { ...RECORD, id: `246f28${hex}`, mac, hostname: `pyDirect-${hex}`, ...patch };
}

/** Polls until `check` returns a truthy value (replication is asynchronous). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
