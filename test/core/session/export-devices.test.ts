import { describe, expect, it } from "vitest";
import type { DeviceRecord } from "../../../src/core/registry/device-record";
import { CSV_COLUMNS, devicesToCsv, devicesToJson } from "../../../src/core/registry/export-devices";

const records: DeviceRecord[] = [
  {
    id: "246f285a3c01",
    hostname: "pyDirect-5a3c01",
    chip: "ESP32-S3",
    mac: "24:6f:28:5a:3c:01",
    firmwareVersion: "0.1.0",
    certFingerprint: "AB:CD",
    provisionedAt: "2026-11-25T04:00:00.000Z",
    lastVerification: { at: "2026-11-25T04:01:00.000Z", passed: false, summary: 'failed at echo: no reply, "retry"' },
  },
  {
    id: "246f285a3c02",
    hostname: '=HYPERLINK("x")',
    chip: "ESP32",
    mac: "24:6f:28:5a:3c:02",
    firmwareVersion: null,
    certFingerprint: "EF:01",
    provisionedAt: "2026-11-25T04:02:00.000Z",
  },
];

describe("device list exports", () => {
  it("CSV: header, one row per board, quoting, and no formula injection", () => {
    const csv = devicesToCsv(records);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines[1]).toBe(
      '246f285a3c01,pyDirect-5a3c01,ESP32-S3,24:6f:28:5a:3c:01,0.1.0,AB:CD,2026-11-25T04:00:00.000Z,2026-11-25T04:01:00.000Z,false,"failed at echo: no reply, ""retry"""',
    );
    expect(lines[2].split(",")[1]).toBe(`"'=HYPERLINK(""x"")"`);
    expect(lines[2]).toContain(",,,");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
  });

  it("JSON: a versioned document that drops anything not in a device record", () => {
    const leaky = {
      ...records[0],
      wifiPassword: "hunter2",
      privateKeyPem: "-----BEGIN PRIVATE KEY-----",
    } as DeviceRecord;
    const doc = JSON.parse(devicesToJson([leaky, records[1]])) as {
      format: string;
      version: number;
      devices: unknown[];
    };
    expect(doc.format).toBe("pydirect-devices");
    expect(doc.version).toBe(1);
    expect(doc.devices).toHaveLength(2);
    expect(doc.devices[0]).toEqual(records[0]);
    expect(JSON.stringify(doc)).not.toContain("hunter2");
    expect(JSON.stringify(doc)).not.toContain("PRIVATE KEY");
  });
});
