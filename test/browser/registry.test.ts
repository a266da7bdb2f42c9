import { describe, expect, it } from "vitest";
import { useBuiltSite } from "./harness";

// The IndexedDB device registry as the page uses it (portal.registry is an IdbDeviceRegistry).

const site = useBuiltSite();

describe("IndexedDB device registry", () => {
  it("stores only record fields, finds hostnames case-insensitively, survives a reload, and deletes", async () => {
    const { page } = site.browser;
    await page.goto(site.server.url);
    await page.locator("pydirect-connect-step h2").waitFor();
    type Registry = {
      put(r: unknown): Promise<void>;
      get(id: string): Promise<Record<string, unknown> | undefined>;
      list(): Promise<unknown[]>;
      delete(id: string): Promise<void>;
      findByHostname(h: string): Promise<{ id: string } | undefined>;
    };
    const first = await page.evaluate(async () => {
      const registry = (document.querySelector("pydirect-portal") as unknown as { registry: Registry }).registry;
      await registry.put({
        id: "246f285a3c01",
        hostname: "pyDirect-5A3C01",
        chip: "ESP32-S3",
        mac: "24:6f:28:5a:3c:01",
        firmwareVersion: "0.1.0",
        certFingerprint: "AB:CD",
        provisionedAt: "2026-11-25T04:00:00.000Z",
        lastVerification: { at: "2026-11-25T04:01:00.000Z", passed: true, summary: "ok", extra: "dropped" },
        wifiPassword: "hunter2",
        privateKeyPem: "-----BEGIN PRIVATE KEY-----",
      });
      return {
        stored: await registry.get("246f285a3c01"),
        found: (await registry.findByHostname("pydirect-5a3c01"))?.id ?? null,
      };
    });
    expect(first.found).toBe("246f285a3c01");
    expect(Object.keys(first.stored!).sort()).toEqual([
      "certFingerprint",
      "chip",
      "firmwareVersion",
      "hostname",
      "id",
      "lastVerification",
      "mac",
      "provisionedAt",
    ]);
    expect(JSON.stringify(first.stored)).not.toMatch(/hunter2|PRIVATE KEY|dropped/);

    await page.reload();
    await page.locator("pydirect-device-list tr[data-device='246f285a3c01']").waitFor();
    const after = await page.evaluate(async () => {
      const registry = (document.querySelector("pydirect-portal") as unknown as { registry: Registry }).registry;
      const before = (await registry.list()).length;
      await registry.delete("246f285a3c01");
      return {
        before,
        after: (await registry.list()).length,
        missing: (await registry.findByHostname("nobody")) ?? null,
      };
    });
    expect(after).toEqual({ before: 1, after: 0, missing: null });
  });
});
