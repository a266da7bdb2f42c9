import { describe, expect, it } from "vitest";
import { deflateSync } from "node:zlib";
import {
  APP_DESC_OFFSET,
  checkFirmware,
  assertFirmware,
  ImageError,
  readAppDescription,
  readEspImage,
  readPartitionTable,
  sha256Hex,
  writePartitionTable,
  type PartToCheck,
  type ChipFamily,
} from "../../../src/core/image";
import {
  demoParts,
  demoManifest,
  makeDemoApp,
  makeDemoBootloader,
  DEMO_CHIPS,
  DEMO_PARTITIONS,
  type DemoChip,
} from "../../../scripts/lib/demo-firmware";

const flip = (data: Uint8Array, at: number, mask = 0x01): Uint8Array => {
  const copy = data.slice();
  copy[at] ^= mask;
  return copy;
};

function toCheck(chip: DemoChip, withHashes = true): PartToCheck[] {
  return demoParts(chip).map((p) => ({
    name: p.path,
    offset: p.offset,
    data: p.data,
    ...(withHashes ? { sha256: sha256Hex(p.data), size: p.data.length } : {}),
  }));
}

describe("the demo firmware", () => {
  it.each(DEMO_CHIPS)("%s passes every check and names pyDirect", (chip) => {
    const result = assertFirmware(toCheck(chip), { family: chip, flashSize: 4 * 1048576 });
    expect(result.warnings).toEqual([]);
    expect(result.parts.map((p) => p.kind)).toEqual(["bootloader", "partition-table", "app"]);
    const app = result.parts[2];
    expect(app.app).toMatchObject({
      projectName: "pyDirect",
      version: "0.1.0",
      idfVersion: "v5.4.1",
      date: "Nov 25 2026",
    });
    expect(app.partition?.label).toBe("factory");
    expect(app.image?.chip).toBe(chip);
    expect(app.image?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(result.parts[1].partitionTable!.entries.map((e) => e.label)).toEqual(["nvs", "phy_init", "factory", "vfs"]);
  });

  it("is deterministic, a few hundred KB, and compresses like code", () => {
    const a = makeDemoApp("ESP32-S3");
    expect(makeDemoApp("ESP32-S3")).toEqual(a);
    expect(demoManifest()).toEqual(demoManifest());
    expect(a.length).toBeGreaterThan(200 * 1024);
    expect(a.length).toBeLessThan(600 * 1024);
    const ratio = deflateSync(a).length / a.length;
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.85);
  });

  it("has the app description at its documented place", () => {
    const app = makeDemoApp("ESP32-C3", { projectName: "other", version: "9.8.7" });
    expect(new DataView(app.buffer).getUint32(APP_DESC_OFFSET, true)).toBe(0xabcd5432);
    expect(readAppDescription(app)).toMatchObject({ projectName: "other", version: "9.8.7" });
    expect(readAppDescription(makeDemoBootloader("ESP32-C3"))).toBeNull();
  });
});

type Case = {
  name: string;
  chip?: ChipFamily;
  parts: (chip: DemoChip) => PartToCheck[];
  code: string;
  reason: RegExp;
  flashSize?: number;
  revision?: number;
};

const S3 = "ESP32-S3" as const;
const withPart =
  (index: number, change: (p: PartToCheck) => PartToCheck, hashes = false) =>
  (chip: DemoChip) =>
    toCheck(chip, hashes).map((p, i) => (i === index ? change(p) : p));
const appData = (chip: DemoChip) => demoParts(chip)[2].data;
// The checksum byte and digest sit at the end of the image.
const checksumIndex = (data: Uint8Array) => data.length - 33;

const CORRUPTIONS: Case[] = [
  {
    name: "app truncated mid-segment",
    parts: withPart(2, (p) => ({ ...p, data: p.data.subarray(0, 200_000) })),
    code: "image-truncated",
    reason: /ends inside segment 3/,
  },
  {
    name: "app truncated before its digest",
    parts: withPart(2, (p) => ({ ...p, data: p.data.subarray(0, p.data.length - 10) })),
    code: "image-truncated",
    reason: /SHA-256 digest/,
  },
  {
    name: "bootloader truncated to its header",
    parts: withPart(0, (p) => ({ ...p, data: p.data.subarray(0, 20) })),
    code: "image-truncated",
    reason: /header/,
  },
  {
    name: "app bit-flipped in code",
    parts: withPart(2, (p) => ({ ...p, data: flip(p.data, 150_000) })),
    code: "image-checksum",
    reason: /segment checksum/,
  },
  {
    name: "bootloader bit-flipped in code",
    parts: withPart(0, (p) => ({ ...p, data: flip(p.data, 3000, 0x80) })),
    code: "image-checksum",
    reason: /corrupt/,
  },
  {
    name: "app checksum byte changed",
    parts: withPart(2, (p) => ({ ...p, data: flip(p.data, checksumIndex(p.data)) })),
    code: "image-checksum",
    reason: /stored/,
  },
  {
    name: "app digest bit-flipped",
    parts: withPart(2, (p) => ({ ...p, data: flip(p.data, p.data.length - 1) })),
    code: "image-digest",
    reason: /SHA-256 digest/,
  },
  {
    name: "app header entry point changed (only the digest sees it)",
    parts: withPart(2, (p) => ({ ...p, data: flip(p.data, 4) })),
    code: "image-digest",
    reason: /corrupt/,
  },
  {
    name: "app magic byte wrong",
    parts: withPart(2, (p) => ({ ...p, data: flip(p.data, 0, 0xff) })),
    code: "image-bad-magic",
    reason: /app partition "factory" at 0x10000 but is not an ESP app image/,
  },
  {
    name: "bootloader magic byte wrong",
    parts: withPart(0, (p) => ({ ...p, data: flip(p.data, 0, 0x0f) })),
    code: "image-bad-magic",
    reason: /0xe9/,
  },
  {
    name: "segment count zero",
    parts: withPart(2, (p) => ({
      ...p,
      data: (() => {
        const d = p.data.slice();
        d[1] = 0;
        return d;
      })(),
    })),
    code: "image-bad-header",
    reason: /0 segments/,
  },
  {
    name: "segment count 17",
    parts: withPart(0, (p) => ({
      ...p,
      data: (() => {
        const d = p.data.slice();
        d[1] = 17;
        return d;
      })(),
    })),
    code: "image-bad-header",
    reason: /17 segments/,
  },
  {
    name: "unknown flash mode",
    parts: withPart(2, (p) => ({
      ...p,
      data: (() => {
        const d = p.data.slice();
        d[2] = 9;
        return d;
      })(),
    })),
    code: "image-bad-header",
    reason: /flash mode/,
  },
  {
    name: "app for another chip",
    parts: (chip) =>
      toCheck(chip).map((p, i) =>
        i === 2 ? { ...p, data: appData("ESP32-C3"), sha256: undefined, size: undefined } : p,
      ),
    code: "image-wrong-chip",
    reason: /built for ESP32-C3, but this board is an ESP32-S3/,
  },
  {
    name: "chip id patched in the header",
    parts: withPart(2, (p) => ({
      ...p,
      data: (() => {
        const d = p.data.slice();
        d[12] = 0x0d;
        return d;
      })(),
    })),
    code: "image-wrong-chip",
    reason: /ESP32-C6/,
  },
  {
    name: "whole build for ESP32 flashed to an S3",
    parts: () => toCheck("ESP32"),
    code: "wrong-offset",
    reason: /loads its bootloader from 0x0/,
  },
  {
    name: "bootloader at the wrong offset",
    parts: withPart(0, (p) => ({ ...p, offset: 0x1000 })),
    code: "wrong-offset",
    reason: /at 0x1000/,
  },
  {
    name: "app at an offset no partition starts at",
    parts: withPart(2, (p) => ({ ...p, offset: 0x20000 })),
    code: "wrong-offset",
    reason: /no partition in the partition table starts there/,
  },
  {
    name: "app in a data partition",
    parts: withPart(2, (p) => ({ ...p, offset: 0x200000 })),
    code: "wrong-offset",
    reason: /"vfs" at 0x200000 is a data partition/,
  },
  {
    name: "partition table at the wrong offset",
    parts: withPart(1, (p) => ({ ...p, offset: 0x9000 })),
    code: "wrong-offset",
    reason: /reads it from 0x8000/,
  },
  {
    name: "partition table MD5 corrupted",
    parts: withPart(1, (p) => ({ ...p, data: flip(p.data, 4 * 32 + 20) })),
    code: "partition-md5",
    reason: /MD5/,
  },
  {
    name: "partition entry changed under its MD5",
    parts: withPart(1, (p) => ({ ...p, data: flip(p.data, 2 * 32 + 8) })),
    code: "partition-md5",
    reason: /corrupt/,
  },
  {
    name: "partition table is not one",
    parts: withPart(1, (p) => ({ ...p, data: new Uint8Array(3072).fill(0x00) })),
    code: "image-bad-magic",
    reason: /0xaa50/,
  },
  {
    name: "app larger than its partition",
    parts: withPart(1, (p) => ({
      ...p,
      data: writePartitionTable(DEMO_PARTITIONS.map((e) => (e.label === "factory" ? { ...e, size: 0x40000 } : e))),
    })),
    code: "app-too-large",
    reason: /holds only 262144/,
  },
  {
    name: "overlapping partitions",
    parts: withPart(1, (p) => ({
      ...p,
      data: writePartitionTable(DEMO_PARTITIONS.map((e) => (e.label === "vfs" ? { ...e, offset: 0x100000 } : e))),
    })),
    code: "partition-overlap",
    reason: /"factory" and "vfs" overlap/,
  },
  {
    name: "app partition not 64 KB aligned",
    parts: withPart(1, (p) => ({
      ...p,
      data: writePartitionTable(DEMO_PARTITIONS.map((e) => (e.label === "factory" ? { ...e, offset: 0x11000 } : e))),
    })),
    code: "partition-bad-entry",
    reason: /not aligned to 64 KB/,
  },
  {
    name: "no app partition",
    parts: withPart(1, (p) => ({ ...p, data: writePartitionTable(DEMO_PARTITIONS.filter((e) => e.type !== 0)) })),
    code: "partition-no-app",
    reason: /no app partition/,
  },
  {
    name: "partition past the end of a 2 MB flash",
    parts: (chip) => toCheck(chip),
    flashSize: 2 * 1048576,
    code: "partition-bad-entry",
    reason: /past the end of this board's 2 MB flash/,
  },
  {
    name: "image built for more flash than the board has",
    parts: (chip) => toCheck(chip),
    flashSize: 2 * 1048576,
    code: "image-flash-size",
    reason: /4 MB of flash/,
  },
  {
    name: "SHA-256 differs from the manifest",
    parts: withPart(2, (p) => ({ ...p, sha256: "0".repeat(64) }), true),
    code: "sha256-mismatch",
    reason: /does not match the SHA-256 in the manifest/,
  },
  {
    name: "size differs from the manifest",
    parts: withPart(0, (p) => ({ ...p, size: p.data.length + 4 }), true),
    code: "size-mismatch",
    reason: /manifest says/,
  },
  {
    name: "two parts overlap",
    parts: (chip) => [...toCheck(chip), { name: "extra.bin", offset: 0x40000, data: new Uint8Array(4096) }],
    code: "wrong-offset",
    reason: /overlaps extra.bin/,
  },
  {
    name: "data part spills out of its partition",
    parts: (chip) => [...toCheck(chip), { name: "nvs.bin", offset: 0x9000, data: new Uint8Array(0x7000) }],
    code: "app-too-large",
    reason: /does not fit in partition "nvs"/,
  },
  {
    name: "chip revision below the image's minimum",
    parts: withPart(2, (p) => ({
      ...p,
      data: (() => {
        const d = p.data.slice();
        new DataView(d.buffer).setUint16(15, 300, true);
        return d;
      })(),
    })),
    revision: 2,
    code: "image-chip-revision",
    reason: /v3.0 or newer; this board is v0.2/,
  },
];

describe("corrupt or misplaced parts are refused with the right code", () => {
  it.each(CORRUPTIONS)("$name → $code", ({ parts, code, reason, flashSize, revision, chip }) => {
    const result = checkFirmware(parts(S3), {
      family: chip ?? S3,
      flashSize: flashSize ?? null,
      revision: revision ?? null,
    });
    const match = result.errors.find((e) => e.code === code);
    expect(match, `errors: ${result.errors.map((e) => `${e.code}: ${e.message}`).join(" | ")}`).toBeDefined();
    expect(match!.message).toMatch(reason);
    expect(match).toBeInstanceOf(ImageError);
    expect(match!.action).toBe("choose-another-firmware");
    expect(() =>
      assertFirmware(parts(S3), { family: chip ?? S3, flashSize: flashSize ?? null, revision: revision ?? null }),
    ).toThrow(ImageError);
  });
});

describe("readers", () => {
  it("reads the ESP32 bootloader's header fields", () => {
    const info = readEspImage(makeDemoBootloader("ESP32"), { chip: "ESP32" });
    expect(info).toMatchObject({
      segmentCount: 3,
      flashMode: "DIO",
      flashFreq: "40MHz",
      flashSize: 4 * 1048576,
      chip: "ESP32",
      entry: 0x40080658,
      hashAppended: true,
    });
  });

  it("accepts a merged image at 0x0 for an ESP32 (bootloader inside at 0x1000)", () => {
    const parts = demoParts("ESP32");
    const merged = new Uint8Array(0x10000 + parts[2].data.length).fill(0xff);
    for (const p of parts) merged.set(p.data, p.offset);
    const result = assertFirmware([{ name: "factory.bin", offset: 0, data: merged }], { family: "ESP32" });
    expect(result.parts[0].kind).toBe("bootloader");
    expect(result.errors).toEqual([]);
    const broken = merged.slice();
    broken[0x10000 + 90_000] ^= 4;
    expect(
      checkFirmware([{ name: "factory.bin", offset: 0, data: broken }], { family: "ESP32" }).errors.map((e) => e.code),
    ).toEqual(["image-checksum"]);
  });

  it("reads partition tables without an MD5 entry", () => {
    const table = readPartitionTable(writePartitionTable(DEMO_PARTITIONS, { md5: false }));
    expect(table.md5).toBeNull();
    expect(table.entries).toHaveLength(4);
  });
});

describe("ESP8266 images (no extended header)", () => {
  it("are checked for magic and checksum only", async () => {
    const { writeEspImage } = await import("../../../src/core/image");
    const image = writeEspImage({
      chip: "ESP8266",
      entry: 0x40100000,
      segments: [{ loadAddress: 0x40100000, data: new Uint8Array(4096).fill(0x3c) }],
    });
    const ok = assertFirmware([{ name: "firmware.bin", offset: 0, data: image }], { family: "ESP8266" });
    expect(ok.parts[0].image).toMatchObject({ chip: null, hashAppended: false, segmentCount: 1 });
    expect(
      checkFirmware([{ name: "firmware.bin", offset: 0, data: flip(image, 100) }], { family: "ESP8266" }).errors.map(
        (e) => e.code,
      ),
    ).toEqual(["image-checksum"]);
  });
});
