import { describe, expect, it } from "vitest";
import {
  bestProduct,
  defaultSource,
  normaliseSources,
  offeredSources,
  pickVersion,
  productFit,
} from "../../../src/core/session/firmware-source-list";
import type { BoardSummary } from "../../../src/core/session/session-types";
import type { PydirectRelease } from "../../../src/core/firmware-sources/types";

const MB = 1024 * 1024;
const all = normaliseSources([
  { label: "Demo", manifestUrl: "https://portal/firmware/demo/manifest.json", virtualBoardOnly: true },
  { kind: "portal-releases", label: "Ours", indexUrl: "https://portal/firmware/index.json" },
  { kind: "pydirect-releases", label: "pyDirect" },
  { kind: "local-files", label: "Files" },
  { kind: "typed-url", label: "URL" },
]);
const board = (chip: string, flashSize: number | null): BoardSummary => ({
  chip,
  description: "",
  mac: "",
  flashSize,
  usbSerialJtag: false,
  firmware: null,
});

describe("the firmware source list", () => {
  it("gives every source an id and a kind", () => {
    expect(all.map((s) => [s.id, s.kind])).toEqual([
      ["https://portal/firmware/demo/manifest.json", "manifest-url"],
      ["portal-releases", "portal-releases"],
      ["pydirect-releases", "pydirect-releases"],
      ["local-files", "local-files"],
      ["typed-url", "typed-url"],
    ]);
  });

  it("lists the demo only for the virtual board (or before a port is picked), the portal's releases only once found", () => {
    const found = () => true;
    const absent = () => false;
    expect(offeredSources(all, { virtual: false }, found).map((s) => s.kind)).toEqual([
      "portal-releases",
      "pydirect-releases",
      "local-files",
      "typed-url",
    ]);
    expect(offeredSources(all, { virtual: true }, absent).map((s) => s.kind)).toEqual([
      "manifest-url",
      "pydirect-releases",
      "local-files",
      "typed-url",
    ]);
    expect(offeredSources(all, { virtual: null }, absent)[0]?.kind).toBe("manifest-url");
  });

  it("defaults: a linked manifest, then the remembered choice, then for a real port our releases, then pyDirect's; the demo for the virtual board", () => {
    const real = offeredSources(all, { virtual: false }, () => true);
    expect(defaultSource(real, { virtual: false }, null, null)?.kind).toBe("portal-releases");
    expect(
      defaultSource(
        real.filter((s) => s.kind !== "portal-releases"),
        { virtual: false },
        null,
        null,
      )?.kind,
    ).toBe("pydirect-releases");
    expect(
      defaultSource(
        real,
        { virtual: false },
        { sourceKind: "pydirect-release", sourceKey: "pydirect-releases", version: "1.0.0" },
        null,
      )?.kind,
    ).toBe("pydirect-releases");
    // Local files cannot come back (their contents are never kept); a typed source with no URL is not loadable.
    expect(
      defaultSource(
        real,
        { virtual: false },
        { sourceKind: "local-files", sourceKey: "local-files", version: null },
        null,
      )?.kind,
    ).toBe("portal-releases");
    const virtual = offeredSources(all, { virtual: true }, () => false);
    expect(defaultSource(virtual, { virtual: true }, null, null)?.kind).toBe("manifest-url");
    const linked = normaliseSources([{ label: "Linked", manifestUrl: "https://x/m.json" }, ...all]);
    expect(
      defaultSource(
        linked,
        { virtual: false },
        { sourceKind: "pydirect-release", sourceKey: "pydirect-releases", version: null },
        "https://x/m.json",
      )?.id,
    ).toBe("https://x/m.json");
  });

  it("picks the product that fits the board: chip and flash size exact first, then a smaller image of the same chip", () => {
    const product = (name: string, chipFamily: string, flashSize: number | null) =>
      ({
        product: name,
        chipFamily,
        flashSize,
        assetName: "",
        size: 0,
        sha256: null,
        mirrorUrl: "",
        releaseDownloadUrl: "",
      }) as PydirectRelease["products"][number];
    const release = {
      tag: "v1",
      version: "1.0.0",
      channel: "stable",
      publishedAt: "",
      notes: null,
      pageUrl: "",
      products: [
        product("ESP32_P4", "ESP32-P4", 16 * MB),
        product("ESP32_S3", "ESP32-S3", 8 * MB),
        product("ESP32_S3_16MB", "ESP32-S3", 16 * MB),
      ],
    } as PydirectRelease;
    expect(bestProduct(release, board("ESP32-S3", 16 * MB))?.product).toBe("ESP32_S3_16MB");
    expect(bestProduct(release, board("ESP32-S3", 8 * MB))?.product).toBe("ESP32_S3");
    expect(bestProduct(release, board("ESP32-P4", 16 * MB))?.product).toBe("ESP32_P4");
    expect(bestProduct(release, board("ESP32-S3", 8 * MB), "ESP32_S3_16MB")?.product).toBe("ESP32_S3_16MB");
    expect(productFit({ chipFamily: "ESP32-S3", flashSize: 16 * MB }, board("ESP32-S3", 8 * MB))).toBe(0);
    expect(productFit({ chipFamily: "ESP32-S3", flashSize: null }, board("ESP32-S3", 8 * MB))).toBe(1);
  });

  it("picks versions by number, not by list order: newest stable unless asked", () => {
    const versions = [
      { version: "0.9.1", channel: "stable" as const },
      { version: "0.10.0-rc.1", channel: "beta" as const },
      { version: "0.10.0", channel: "stable" as const },
    ];
    expect(pickVersion(versions, false, null)?.version).toBe("0.10.0");
    expect(pickVersion(versions, true, null)?.version).toBe("0.10.0");
    expect(pickVersion(versions, true, "0.10.0-rc.1")?.version).toBe("0.10.0-rc.1");
    expect(pickVersion(versions, false, "0.10.0-rc.1")?.version).toBe("0.10.0");
    expect(pickVersion([{ version: "1.0.0-beta", channel: "beta" as const }], true, null)?.version).toBe("1.0.0-beta");
  });
});
