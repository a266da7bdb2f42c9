import { describe, expect, it } from "vitest";
import { flashParts, type FlashEvent } from "../../../src/core/flash";
import { planInstall, prepareInstall, type InstallSource } from "../../../src/core/install";
import { parseManifest } from "../../../src/core/manifest";
import { MemoryPartCache } from "../../../src/core/download";
import { sha256Hex } from "../../../src/core/image";
import { VirtualBoard } from "../../../src/virtual-board";
import { demoManifest, demoPartsByChip, makeDemoApp } from "../../../scripts/lib/demo-firmware";

const S3_CHIP = { family: "ESP32-S3" as const, revision: 2, flashSize: 8 * 1048576, usbSerialJtag: false };

/** The demo manifest with its S3 parts in memory (as files dropped on the page would be). */
function inMemorySource(
  tamper: (files: Map<string, Uint8Array>, manifest: Record<string, unknown>) => void = () => undefined,
) {
  const parts = demoPartsByChip();
  const files = new Map<string, Uint8Array>();
  for (const p of parts["ESP32-S3"]) files.set(p.path, p.data.slice());
  const manifest = demoManifest(parts);
  tamper(files, manifest);
  const requested: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    requested.push(input instanceof Request ? input.url : String(input));
    return new Response("not here", { status: 404 });
  }) as typeof globalThis.fetch;
  const source: InstallSource = {
    manifest: parseManifest(manifest).manifest,
    manifestUrl: "local-files:/manifest.json",
    files,
  };
  return { source, fetch, requested, files };
}

/** The shape of the demo manifest's builds that the tampering below edits (it is plain JSON). */
interface ManifestBuild {
  chipFamily: string;
  parts: { path: string; offset: number; sha256?: string; size?: number }[];
}
const s3Build = (m: Record<string, unknown>) => {
  const build = (m.builds as ManifestBuild[]).find((b) => b.chipFamily === "ESP32-S3");
  if (!build) throw new Error("the demo manifest has no ESP32-S3 build");
  return build;
};

describe("planInstall with parts in memory", () => {
  it("takes the parts from `files`, downloads nothing and still checks every part", async () => {
    const { source, fetch, requested } = inMemorySource();
    const cache = new MemoryPartCache();
    const plan = await planInstall(source, S3_CHIP, { fetch, cache });
    expect(requested).toEqual([]);
    expect(plan.parts.map((p) => [p.name, p.offset])).toEqual([
      ["esp32s3/bootloader.bin", 0x0],
      ["esp32s3/partition-table.bin", 0x8000],
      ["esp32s3/pydirect.bin", 0x10000],
    ]);
    expect(plan.checked.map((c) => c.kind)).toEqual(["bootloader", "partition-table", "app"]);
    expect(plan.app).toMatchObject({ projectName: "pyDirect", version: "0.1.0" });
  });

  it("downloads only the parts that are not in memory, keeping their index in the build", async () => {
    const site = inMemorySource((files) => files.delete("esp32s3/partition-table.bin"));
    const table = demoPartsByChip()["ESP32-S3"][1];
    const fetch = (async (input: RequestInfo | URL) => {
      site.requested.push(input instanceof Request ? input.url : String(input));
      return new Response(table.data.slice());
    }) as typeof globalThis.fetch;
    const source = { ...site.source, manifestUrl: "https://portal.example/fw/manifest.json" };
    const indices: number[] = [];
    await planInstall(source, S3_CHIP, { fetch }, (e) => {
      if ("index" in e) indices.push(e.index);
    });
    expect(site.requested).toEqual(["https://portal.example/fw/esp32s3/partition-table.bin"]);
    expect(new Set(indices)).toEqual(new Set([1]));
  });

  const refusals: [string, string, (files: Map<string, Uint8Array>, manifest: Record<string, unknown>) => void][] = [
    [
      "a bit-flipped app without manifest hashes",
      "image-checksum",
      (f, m) => {
        for (const p of s3Build(m).parts) {
          delete p.sha256;
          delete p.size;
        }
        f.get("esp32s3/pydirect.bin")![200_000] ^= 1;
      },
    ],
    [
      "an app that differs from the manifest's SHA-256",
      "sha256-mismatch",
      (f) => f.set("esp32s3/pydirect.bin", makeDemoApp("ESP32-S3", { version: "6.6.6" })),
    ],
    [
      "a C3 app in the S3 build",
      "image-wrong-chip",
      (f, m) => {
        for (const p of s3Build(m).parts) {
          delete p.sha256;
          delete p.size;
        }
        f.set("esp32s3/pydirect.bin", makeDemoApp("ESP32-C3"));
      },
    ],
    [
      "a truncated bootloader",
      "image-truncated",
      (f, m) => {
        for (const p of s3Build(m).parts) {
          delete p.sha256;
          delete p.size;
        }
        f.set("esp32s3/bootloader.bin", f.get("esp32s3/bootloader.bin")!.subarray(0, 5000));
      },
    ],
  ];

  it.each(refusals)("refuses %s (%s) before anything is written to the board", async (_label, code, tamper) => {
    const { source, fetch } = inMemorySource(tamper);
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    for (const p of demoPartsByChip()["ESP32-S3"]) board.flash.set(p.data, p.offset);
    board.flash.set(makeDemoApp("ESP32-S3", { version: "0.0.9" }), 0x10000);
    const before = sha256Hex(board.flash);
    const events: FlashEvent[] = [];
    await expect(
      flashParts(board.port, { parts: prepareInstall(source, { fetch }), eraseAll: true }, (e) => events.push(e)),
    ).rejects.toMatchObject({ code });
    expect(sha256Hex(board.flash)).toBe(before);
    expect(events.map((e) => e.state)).not.toContain("writing");
    expect(events.map((e) => e.state)).not.toContain("erasing");
    board.unplug();
  });
});
