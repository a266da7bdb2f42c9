import { describe, expect, it } from "vitest";
import { InMemoryBaudMemory, StorageBaudMemory, type KeyValueStorage } from "../../../src/core/flash";
import { usbDeviceName, usbIdentityKey } from "../../../src/core/port/usb-names";

function fakeStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  };
}

describe("USB identities", () => {
  it("keys a port by vendor and product id, and names the well-known bridges", () => {
    expect(usbIdentityKey({ usbVendorId: 0x10c4, usbProductId: 0xea60 })).toBe("10c4:ea60");
    expect(usbIdentityKey({ usbVendorId: 0x403, usbProductId: 0x6001 })).toBe("0403:6001");
    expect(usbIdentityKey({})).toBeNull();
    expect(usbIdentityKey({ usbVendorId: 0x10c4 })).toBeNull();
    expect(usbDeviceName({ usbVendorId: 0x1a86, usbProductId: 0x55d4 })).toBe("CH9102");
    expect(usbDeviceName({ usbVendorId: 0x303a, usbProductId: 0x1001 })).toBe("USB-Serial-JTAG");
    expect(usbDeviceName({ usbVendorId: 0x1234, usbProductId: 0x5678 })).toBeNull();
  });
});

describe("BaudMemory", () => {
  it("in memory: recalls what was remembered per identity and ignores impossible rates", () => {
    const memory = new InMemoryBaudMemory();
    expect(memory.recall("10c4:ea60")).toBeUndefined();
    memory.remember("10c4:ea60", 3_000_000);
    memory.remember("1a86:7523", 2_000_000);
    memory.remember("1a86:7523", -5);
    memory.remember("0403:6001", Number.NaN);
    expect(memory.recall("10c4:ea60")).toBe(3_000_000);
    expect(memory.recall("1a86:7523")).toBe(2_000_000);
    expect(memory.recall("0403:6001")).toBeUndefined();
  });

  it("in Web Storage: survives a new instance (a reload), under its own prefix", () => {
    const storage = fakeStorage();
    new StorageBaudMemory(storage).remember("10c4:ea60", 2_000_000);
    expect([...storage.items]).toEqual([["pydirect.flash.baud.10c4:ea60", "2000000"]]);
    expect(new StorageBaudMemory(storage).recall("10c4:ea60")).toBe(2_000_000);
    expect(new StorageBaudMemory(storage, "other.").recall("10c4:ea60")).toBeUndefined();
  });

  it("in Web Storage: treats a value that is not a plausible rate as unknown", () => {
    const storage = fakeStorage();
    const memory = new StorageBaudMemory(storage);
    for (const bad of ["fast", "", "-921600", "1e99", "921600.5", "99999999999", "12"]) {
      storage.items.set("pydirect.flash.baud.10c4:ea60", bad);
      expect(memory.recall("10c4:ea60")).toBeUndefined();
    }
  });

  it("in Web Storage: storage that refuses (quota, privacy mode) only means no memory", () => {
    const refusing: KeyValueStorage = {
      getItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
      setItem: () => {
        throw new DOMException("full", "QuotaExceededError");
      },
    };
    const memory = new StorageBaudMemory(refusing);
    expect(() => memory.remember("10c4:ea60", 921_600)).not.toThrow();
    expect(memory.recall("10c4:ea60")).toBeUndefined();
  });
});
