import { describe, expect, it } from "vitest";
import { DEVICE_RECORD_FIELDS, type DeviceRecord } from "../../../src/core/registry/device-record";
import {
  INVENTORY_DOC_FIELDS,
  SECRET_FIELD_PATTERN,
  assertReplicable,
  fromDeviceDoc,
  toDeviceDoc,
} from "../../../src/core/registry/inventory-doc";
import { parseInventoryUrl, redactCredentials, storageConfigStore } from "../../../src/core/registry/inventory-config";
import { isPortalError } from "../../../src/core/errors";
import { RECORD } from "./fixtures";

describe("inventory documents", () => {
  it("hold only allow-listed fields: a record spread with secrets loses them before it can replicate", () => {
    const leaky = {
      ...RECORD,
      wifiPassword: "hunter2",
      privateKeyPem: "-----BEGIN EC PRIVATE KEY-----\nxyz\n-----END EC PRIVATE KEY-----",
      lastVerification: { ...RECORD.lastVerification!, webreplPassword: "x" },
    } as DeviceRecord;
    const doc = toDeviceDoc(leaky);
    expect(Object.keys(doc).every((k) => INVENTORY_DOC_FIELDS.includes(k))).toBe(true);
    expect(Object.keys(doc.lastVerification!).sort()).toEqual(["at", "passed", "summary"]);
    expect(JSON.stringify(doc)).not.toMatch(/hunter2|PRIVATE KEY|webrepl/i);
    expect(doc).toMatchObject({
      _id: "device:246f285a3c01",
      type: "pydirect-device",
      hostnameLower: "pydirect-5a3c01",
    });
    expect(fromDeviceDoc({ ...doc, _rev: "1-x", _conflicts: ["1-y"] })).toEqual(RECORD);
  });

  it("refuses secret-looking or unknown fields and private keys in any value", () => {
    const doc = { ...toDeviceDoc(RECORD) } as Record<string, unknown>;
    const attempt = (extra: Record<string, unknown>) => {
      try {
        assertReplicable({ ...doc, ...extra });
        return "accepted";
      } catch (err) {
        return isPortalError(err) ? err.code : String(err);
      }
    };
    expect(attempt({})).toBe("accepted");
    expect(attempt({ wifi_password: "x" })).toBe("secret-field");
    expect(attempt({ privateKey: "x" })).toBe("secret-field");
    expect(attempt({ key: "x" })).toBe("secret-field");
    expect(attempt({ station: "line 2" })).toBe("unknown-field");
    expect(attempt({ certificatePem: "-----BEGIN PRIVATE KEY-----\nabc" })).toBe("secret-field");
    expect(attempt({ lastVerification: { at: "", passed: true, summary: "", extra: 1 } })).toBe("unknown-field");
  });

  it("no record field name looks like a secret (a future one that does is refused, not replicated)", () => {
    expect(DEVICE_RECORD_FIELDS.filter((f) => SECRET_FIELD_PATTERN.test(f))).toEqual([]);
  });
});

describe("inventory settings", () => {
  it("split credentials off the URL; only url and user are ever stored", () => {
    const parsed = parseInventoryUrl("https://station-a:s3cret%21@couch.example.com:6984/pydirect-inventory/?x=1#y");
    expect(parsed).toEqual({
      url: "https://couch.example.com:6984/pydirect-inventory",
      user: "station-a",
      password: "s3cret!",
    });
    const items = new Map<string, string>();
    const store = storageConfigStore({
      getItem: (k) => items.get(k) ?? null,
      setItem: (k, v) => void items.set(k, v),
      removeItem: (k) => void items.delete(k),
    });
    store.save(parsed);
    expect([...items.values()].join()).not.toContain("s3cret");
    expect(store.load()).toEqual({ url: "https://couch.example.com:6984/pydirect-inventory", user: "station-a" });
    store.save(null);
    expect(store.load()).toBeNull();
    expect(redactCredentials("see http://a:b@host/db")).toBe("see http://a:***@host/db");
  });

  it("refuse what cannot be a CouchDB database URL, with a sentence saying why", () => {
    const code = (input: string) => {
      try {
        parseInventoryUrl(input);
        return "ok";
      } catch (err) {
        return isPortalError(err) ? `${err.code}: ${err.message}` : String(err);
      }
    };
    expect(code("couch.example.com/db")).toMatch(/^bad-url: .*not a URL/);
    expect(code("ftp://couch.example.com/db")).toMatch(/^bad-url: .*https:\/\//);
    expect(code("https://couch.example.com/")).toMatch(/^bad-url: .*names no database/);
    expect(code("https://couch.example.com/Inventory")).toMatch(/^bad-url: .*not a CouchDB database name/);
    expect(code("https://u:pw@")).not.toContain("pw");
  });
});
