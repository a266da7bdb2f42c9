import { describe, expect, it } from "vitest";
import { flashParts, type FlashEvent } from "../../../src/core/flash";
import { planInstall, prepareInstall, type InstallPrepEvent, type InstallSource } from "../../../src/core/install";
import { parseManifest } from "../../../src/core/manifest";
import { MemoryPartCache } from "../../../src/core/download";
import { sha256Hex, writePartitionTable } from "../../../src/core/image";
import { VirtualBoard } from "../../../src/virtual-board";
import { demoManifest, demoPartsByChip, makeDemoApp, DEMO_PARTITIONS } from "../../../scripts/lib/demo-firmware";

const BASE = "https://portal.example/firmware/demo/";
const MANIFEST_URL = BASE + "manifest.json";

/** The demo firmware as a web server would serve it, with per-test tampering. */
function demoSite(
  tamper: (files: Map<string, Uint8Array>, manifest: Record<string, unknown>) => void = () => undefined,
) {
  const parts = demoPartsByChip();
  const files = new Map<string, Uint8Array>();
  for (const list of Object.values(parts)) for (const p of list) files.set(BASE + p.path, p.data);
  const manifest = demoManifest(parts);
  tamper(files, manifest);
  const requested: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    requested.push(url);
    const body = files.get(url);
    return body ? new Response(body.slice()) : new Response("missing", { status: 404, statusText: "Not Found" });
  }) as typeof globalThis.fetch;
  const source: InstallSource = { manifest: parseManifest(manifest).manifest, manifestUrl: MANIFEST_URL };
  return { source, fetch, requested, files };
}

/** The shape of the demo manifest's builds that the tampering below edits (it is plain JSON). */
interface ManifestPart {
  path: string;
  offset: number;
  sha256?: string;
  size?: number;
}
type Json = Record<string, unknown>;
const buildsOf = (m: Json) => m.builds as { chipFamily: string; parts: ManifestPart[] }[];
const s3Build = (m: Json) => {
  const build = buildsOf(m).find((b) => b.chipFamily === "ESP32-S3");
  if (!build) throw new Error("the demo manifest has no ESP32-S3 build");
  return build;
};
const S3_CHIP = { family: "ESP32-S3" as const, revision: 2, flashSize: 8 * 1048576, usbSerialJtag: false };

describe("planInstall", () => {
  it("picks the S3 build, downloads it relative to the manifest, checks it and names the app", async () => {
    const site = demoSite();
    const events: InstallPrepEvent[] = [];
    const plan = await planInstall(site.source, S3_CHIP, { fetch: site.fetch }, (e) => events.push(e));
    expect(plan.parts.map((p) => [p.name, p.offset])).toEqual([
      ["esp32s3/bootloader.bin", 0x0],
      ["esp32s3/partition-table.bin", 0x8000],
      ["esp32s3/pydirect.bin", 0x10000],
    ]);
    expect(site.requested).toEqual(plan.parts.map((p) => BASE + p.name));
    expect(plan.app).toMatchObject({ projectName: "pyDirect", version: "0.1.0" });
    expect(events[0]).toMatchObject({ state: "selected", build: { chipFamily: "ESP32-S3" } });
    expect(events.at(-1)).toMatchObject({ state: "checked" });
  });

  it("needs no network the second time when parts are cached by SHA-256", async () => {
    const site = demoSite();
    const cache = new MemoryPartCache();
    await planInstall(site.source, S3_CHIP, { fetch: site.fetch, cache });
    const before = site.requested.length;
    const plan = await planInstall(site.source, S3_CHIP, { fetch: site.fetch, cache });
    expect(site.requested.length).toBe(before);
    expect(plan.parts).toHaveLength(3);
  });
});

/** Every way an install must be refused before a byte is written, and the code it is refused with. */
const REFUSALS: [string, string, (files: Map<string, Uint8Array>, manifest: Json) => void][] = [
  [
    "no build for the chip",
    "manifest-no-build",
    (_f, m) => (m.builds = buildsOf(m).filter((b) => b.chipFamily !== "ESP32-S3")),
  ],
  ["part missing on the server", "download-failed", (f) => f.delete(BASE + "esp32s3/pydirect.bin")],
  [
    "app replaced on the server (SHA-256 in manifest)",
    "sha256-mismatch",
    (f) => f.set(BASE + "esp32s3/pydirect.bin", makeDemoApp("ESP32-S3", { version: "6.6.6" })),
  ],
  [
    "app bit-flipped, manifest without hashes",
    "image-checksum",
    (f, m) => {
      for (const p of s3Build(m).parts) {
        delete p.sha256;
        delete p.size;
      }
      const app = f.get(BASE + "esp32s3/pydirect.bin")!.slice();
      app[200_000] ^= 1;
      f.set(BASE + "esp32s3/pydirect.bin", app);
    },
  ],
  [
    "C3 app listed in the S3 build",
    "image-wrong-chip",
    (_f, m) => {
      const app = s3Build(m).parts[2];
      app.path = "esp32c3/pydirect.bin";
      delete app.sha256;
    },
  ],
  [
    "ESP32 bootloader offset in the S3 build",
    "wrong-offset",
    (_f, m) => {
      s3Build(m).parts[0] = { path: "esp32/bootloader.bin", offset: 0x1000 };
    },
  ],
  [
    "partition table too small for the app",
    "app-too-large",
    (f, m) => {
      const table = writePartitionTable(
        DEMO_PARTITIONS.map((e) => (e.label === "factory" ? { ...e, size: 0x30000 } : e)),
      );
      f.set(BASE + "esp32s3/partition-table.bin", table);
      s3Build(m).parts[1].sha256 = sha256Hex(table);
    },
  ],
  [
    "partition table MD5 broken",
    "partition-md5",
    (f, m) => {
      const table = f.get(BASE + "esp32s3/partition-table.bin")!.slice();
      table[3 * 32 + 5] ^= 2;
      f.set(BASE + "esp32s3/partition-table.bin", table);
      s3Build(m).parts[1].sha256 = sha256Hex(table);
    },
  ],
  [
    "bootloader truncated",
    "image-truncated",
    (f, m) => {
      const boot = f.get(BASE + "esp32s3/bootloader.bin")!.subarray(0, 5000);
      f.set(BASE + "esp32s3/bootloader.bin", boot);
      Object.assign(s3Build(m).parts[0], { sha256: sha256Hex(boot), size: boot.length });
    },
  ],
];

describe("planInstall refuses bad firmware", () => {
  it.each(REFUSALS)("%s → %s", async (_label, code, tamper) => {
    const site = demoSite(tamper);
    await expect(planInstall(site.source, S3_CHIP, { fetch: site.fetch })).rejects.toMatchObject({ code });
  });
});

describe("through the flash job against the virtual board", () => {
  it("flashes the checked demo firmware and the board boots it", async () => {
    const site = demoSite();
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const events: FlashEvent[] = [];
    const report = await flashParts(board.port, { parts: prepareInstall(site.source, { fetch: site.fetch }) }, (e) =>
      events.push(e),
    );
    expect(report.parts.map((p) => p.name)).toEqual([
      "esp32s3/bootloader.bin",
      "esp32s3/partition-table.bin",
      "esp32s3/pydirect.bin",
    ]);
    // What was written must be exactly the checked parts.
    for (const p of demoPartsByChip()["ESP32-S3"])
      expect(sha256Hex(board.flash.subarray(p.offset, p.offset + p.data.length))).toBe(sha256Hex(p.data));
    // The job's hard reset boots what it wrote.
    await board.waitForMode("app", 20_000);
    expect(board.consoleText).toContain("Project name:     pyDirect");
    board.unplug();
  });

  it.each(
    REFUSALS.filter(([label]) =>
      [
        "no build for the chip",
        "app bit-flipped, manifest without hashes",
        "C3 app listed in the S3 build",
        "partition table too small for the app",
        "app replaced on the server (SHA-256 in manifest)",
      ].includes(label),
    ),
  )("%s: refused with %s and the flash is untouched", async (_label, code, tamper) => {
    const site = demoSite(tamper);
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    // Something already on the board that a stray write would change.
    for (const p of demoPartsByChip()["ESP32-S3"]) board.flash.set(p.data, p.offset);
    board.flash.set(makeDemoApp("ESP32-S3", { version: "0.0.9" }), 0x10000);
    const before = sha256Hex(board.flash);
    const events: FlashEvent[] = [];
    await expect(
      flashParts(board.port, { parts: prepareInstall(site.source, { fetch: site.fetch }), eraseAll: true }, (e) =>
        events.push(e),
      ),
    ).rejects.toMatchObject({ code });
    expect(sha256Hex(board.flash)).toBe(before);
    expect(events.map((e) => e.state)).not.toContain("writing");
    expect(events.map((e) => e.state)).not.toContain("erasing");
    expect(events.at(-1)).toMatchObject({ state: "error", error: { code } });
    board.unplug();
  });
});
