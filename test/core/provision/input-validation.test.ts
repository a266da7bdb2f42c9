import { describe, expect, it } from "vitest";
import {
  checkHostnameAvailable,
  defaultHostname,
  signalBars,
  securityFromAuthMode,
  validateHostname,
  validateWifiCredentials,
} from "../../../src/core/provision";
import { MemoryDeviceRegistry } from "../../../src/core/registry";
import type { DeviceRecord } from "../../../src/core/registry";

describe("Wi-Fi settings validation", () => {
  it("accepts SSIDs of 1–32 UTF-8 bytes with any character but NUL", () => {
    for (const ssid of [
      "a",
      "x".repeat(32),
      "Café ☕ Wi-Fi",
      "🛜".repeat(8),
      "quote' \" back\\slash",
      "line\nbreak\r\t",
      "'); import os #",
    ]) {
      expect(validateWifiCredentials({ ssid, password: "password1" }).ssid).toBe(ssid);
    }
  });

  it.each([
    [{ ssid: "" }, "ssid", "empty"],
    [{ ssid: "x".repeat(33) }, "ssid", "too-long"],
    [{ ssid: "é".repeat(17) }, "ssid", "too-long"], // 34 bytes in 17 characters
    [{ ssid: "🛜".repeat(9) }, "ssid", "too-long"],
    [{ ssid: "nul\u0000inside" }, "ssid", "nul-character"],
    [{ ssid: "broken \ud800 surrogate" }, "ssid", "malformed-text"],
    [{ ssid: "ok", password: "short" }, "password", "too-short"],
    [{ ssid: "ok", password: "x".repeat(65) }, "password", "too-long"],
    [{ ssid: "ok", password: "g".repeat(64) }, "password", "not-hex"],
    [{ ssid: "ok", password: "pässwörd123" }, "password", "not-printable-ascii"],
    [{ ssid: "ok", password: "line\nbreak1" }, "password", "not-printable-ascii"],
    [{ ssid: "ok", password: "emoji🔑key" }, "password", "not-printable-ascii"],
    [{ ssid: "ok", password: "nul\u0000nul12" }, "password", "nul-character"],
  ])("rejects %j with field %s and reason %s", (input, field, reason) => {
    let thrown: unknown;
    try {
      validateWifiCredentials(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({
      field,
      reason,
      action: "fix-input",
      code: field === "ssid" ? "invalid-ssid" : "invalid-password",
    });
    expect((thrown as Error).message.length).toBeGreaterThan(20);
  });

  it("accepts open networks, 8 and 63 character passphrases and 64-digit hex keys", () => {
    expect(validateWifiCredentials({ ssid: "open" })).toEqual({ ssid: "open", password: "", hidden: false });
    expect(validateWifiCredentials({ ssid: "o", password: "" }).password).toBe("");
    expect(validateWifiCredentials({ ssid: "o", password: "12345678" }).password).toBe("12345678");
    const max = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^"; // 63 printable
    expect(max.length).toBe(63);
    expect(validateWifiCredentials({ ssid: "o", password: max }).password).toBe(max);
    expect(validateWifiCredentials({ ssid: "o", password: "aB".repeat(32), hidden: true })).toMatchObject({
      hidden: true,
    });
  });

  it("maps ESP-IDF auth modes and RSSI to what the picker shows", () => {
    expect(securityFromAuthMode(0)).toBe("open");
    expect(securityFromAuthMode(3)).toBe("wpa2-psk");
    expect(securityFromAuthMode(42)).toBe("unknown");
    expect([-40, -60, -70, -85, -95].map(signalBars)).toEqual([4, 3, 2, 1, 0]);
  });
});

describe("hostname", () => {
  it("defaults to the prefix and the last three MAC bytes", () => {
    expect(defaultHostname("24:6f:28:5a:3c:01")).toBe("pyDirect-5a3c01");
    expect(defaultHostname("24:6F:28:5A:3C:01", "lab")).toBe("lab-5a3c01");
    expect(() => defaultHostname("24:6f:28")).toThrow(/not a MAC/);
  });

  it("does not collide across a batch of 500 boards from one vendor where two MAC bytes would", () => {
    const names = new Set<string>();
    let seed = 0x2545f491;
    for (let i = 0; i < 500; i++) {
      // Boards of one OUI from several production runs: NIC ids scattered over the 24-bit space.
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const nic = seed >>> 8;
      const hex = (n: number) => n.toString(16).padStart(2, "0");
      const mac = `24:6f:28:${hex((nic >> 16) & 0xff)}:${hex((nic >> 8) & 0xff)}:${hex(nic & 0xff)}`;
      names.add(defaultHostname(mac));
    }
    expect(names.size).toBe(500);
    // pyDirect's upstream pattern (last two bytes) would have collided in this batch.
    expect(new Set([...names].map((n) => n.slice(-4))).size).toBeLessThan(500);
  });

  it.each([
    ["", "empty"],
    ["a".repeat(64), "too-long"],
    ["-lead", "hyphen-edge"],
    ["trail-", "hyphen-edge"],
    ["has space", "bad-character"],
    ["dot.ted", "bad-character"],
    ["under_score", "bad-character"],
    ["ünï", "bad-character"],
  ])("rejects %j (%s)", (name, reason) => {
    expect(() => validateHostname(name)).toThrow(
      expect.objectContaining({ code: "invalid-hostname", field: "hostname", reason }),
    );
  });

  it("accepts DNS labels up to 63 characters", () => {
    for (const name of ["a", "a".repeat(63), "pyDirect-5a3c01", "9lives", "a-b-c"])
      expect(validateHostname(name)).toBe(name);
  });

  it("refuses a hostname another registered board uses, case-insensitively, but lets a board keep its own", async () => {
    const registry = new MemoryDeviceRegistry();
    const record: DeviceRecord = {
      id: "246f285a3c01",
      hostname: "Kitchen",
      chip: "ESP32-S3",
      mac: "24:6f:28:5a:3c:01",
      firmwareVersion: "0.1.0",
      certFingerprint: "AB:CD",
      provisionedAt: "2026-11-25T04:00:00.000Z",
    };
    await registry.put(record);
    await expect(checkHostnameAvailable(registry, "kitchen", "other")).rejects.toMatchObject({
      code: "hostname-taken",
      field: "hostname",
    });
    await expect(checkHostnameAvailable(registry, "KITCHEN", record.id)).resolves.toBeUndefined();
    await expect(checkHostnameAvailable(registry, "garage", "other")).resolves.toBeUndefined();
  });
});

describe("MemoryDeviceRegistry", () => {
  it("stores, lists, finds and deletes records, and drops fields a record must not hold", async () => {
    const registry = new MemoryDeviceRegistry();
    const leaky = {
      id: "1",
      hostname: "b",
      chip: "ESP32",
      mac: "00:00:00:00:00:01",
      firmwareVersion: null,
      certFingerprint: "FF",
      provisionedAt: "2026-11-25T04:00:00.000Z",
      lastVerification: {
        at: "2026-11-25T05:00:00.000Z",
        passed: true,
        summary: "DataChannel echo 12 ms",
        password: "x",
      },
      wifiPassword: "hunter2hunter2",
      privateKeyPem: "-----BEGIN PRIVATE KEY-----",
    } as unknown as DeviceRecord;
    await registry.put(leaky);
    await registry.put({ ...leaky, id: "2", hostname: "a" });
    const stored = await registry.get("1");
    expect(JSON.stringify(stored)).not.toMatch(/hunter2|PRIVATE|password/);
    expect(stored?.lastVerification).toEqual({
      at: "2026-11-25T05:00:00.000Z",
      passed: true,
      summary: "DataChannel echo 12 ms",
    });
    expect((await registry.list()).map((r) => r.hostname)).toEqual(["a", "b"]);
    expect((await registry.findByHostname("B"))?.id).toBe("1");
    stored!.hostname = "mutated";
    expect((await registry.get("1"))?.hostname).toBe("b");
    await registry.delete("1");
    expect(await registry.get("1")).toBeUndefined();
    expect(await registry.findByHostname("b")).toBeUndefined();
  });
});
