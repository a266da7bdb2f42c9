import { describe, expect, it } from "vitest";
import {
  analyzeLocalFiles,
  localFirmware,
  MemoryFirmwareChoiceMemory,
  rememberedChoiceFor,
  StorageFirmwareChoiceMemory,
  type StorageLike,
} from "../../../src/core/firmware-sources";
import { parseManifest } from "../../../src/core/manifest";
import { demoManifest, makeDemoApp } from "../../../scripts/lib/demo-firmware";
import { CHOICE_STORAGE_KEY } from "../../../src/core/firmware-sources/choice-memory";

class MapStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

describe("remembering the last firmware choice", () => {
  it("keeps kind, key and version in memory", () => {
    const memory = new MemoryFirmwareChoiceMemory();
    expect(memory.load()).toBeNull();
    memory.save({ sourceKind: "pydirect-release", sourceKey: "jetpax/pyDirect#ESP32_S3", version: "1.26.1" });
    expect(memory.load()).toEqual({
      sourceKind: "pydirect-release",
      sourceKey: "jetpax/pyDirect#ESP32_S3",
      version: "1.26.1",
    });
  });

  it("stores only kind, key and version in a Storage, whatever else the caller passes", () => {
    const storage = new MapStorage();
    const memory = new StorageFirmwareChoiceMemory(storage);
    const choice = {
      sourceKind: "manifest-url" as const,
      sourceKey: "https://fw.example/manifest.json",
      version: null,
      password: "hunter2",
      data: new Uint8Array([1, 2]),
    };
    memory.save(choice);
    expect(JSON.parse(storage.getItem(CHOICE_STORAGE_KEY)!)).toEqual({
      sourceKind: "manifest-url",
      sourceKey: "https://fw.example/manifest.json",
      version: null,
    });
    expect(storage.getItem(CHOICE_STORAGE_KEY)).not.toContain("hunter2");
    // A second instance (the next visit) reads it back.
    expect(new StorageFirmwareChoiceMemory(storage).load()).toEqual({
      sourceKind: "manifest-url",
      sourceKey: "https://fw.example/manifest.json",
      version: null,
    });
  });

  it("ignores damaged or foreign values, and storage that throws", () => {
    const storage = new MapStorage();
    storage.setItem(CHOICE_STORAGE_KEY, "{ not json");
    expect(new StorageFirmwareChoiceMemory(storage).load()).toBeNull();
    storage.setItem(CHOICE_STORAGE_KEY, JSON.stringify({ sourceKind: "ftp", sourceKey: "x", version: null }));
    expect(new StorageFirmwareChoiceMemory(storage).load()).toBeNull();
    const broken: StorageLike = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
      removeItem: () => undefined,
    };
    const memory = new StorageFirmwareChoiceMemory(broken);
    expect(() => memory.save({ sourceKind: "local-files", sourceKey: "merged.bin", version: "1.0.0" })).not.toThrow();
    expect(memory.load()).toBeNull();
  });
});

describe("rememberedChoiceFor", () => {
  const manifest = parseManifest(demoManifest()).manifest;

  it("names the source and version of each kind, never file contents", async () => {
    expect(
      rememberedChoiceFor({
        manifest,
        manifestUrl: "https://fw.example/m.json",
        origin: { kind: "manifest-url", url: "https://fw.example/m.json" },
      }),
    ).toEqual({ sourceKind: "manifest-url", sourceKey: "https://fw.example/m.json", version: "0.1.0" });
    expect(
      rememberedChoiceFor({
        manifest,
        manifestUrl: "x",
        origin: { kind: "pydirect-release", repo: "jetpax/pyDirect", tag: "pyDirect-v1.26.1", product: "ESP32_S3" },
      }),
    ).toEqual({ sourceKind: "pydirect-release", sourceKey: "jetpax/pyDirect#ESP32_S3", version: "pyDirect-v1.26.1" });
    expect(
      rememberedChoiceFor({
        manifest,
        manifestUrl: "x",
        origin: { kind: "portal-release", indexUrl: "https://portal.example/firmware/index.json", version: "1.2.0" },
      }),
    ).toEqual({
      sourceKind: "portal-release",
      sourceKey: "https://portal.example/firmware/index.json",
      version: "1.2.0",
    });
    const files = [{ name: "app.bin", data: makeDemoApp("ESP32-S3", { version: "3.1.0" }) }];
    const local = rememberedChoiceFor(localFirmware(files, await analyzeLocalFiles(files)));
    expect(local).toEqual({ sourceKind: "local-files", sourceKey: "app.bin", version: "3.1.0" });
  });
});
