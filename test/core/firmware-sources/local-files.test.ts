import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  analyzeLocalFiles,
  localFirmware,
  FirmwareSourceError,
  type LocalFile,
} from "../../../src/core/firmware-sources";
import { planInstall } from "../../../src/core/install";
import { writePartitionTable } from "../../../src/core/image";
import {
  demoManifest,
  demoParts,
  demoPartsByChip,
  makeDemoApp,
  DEMO_PARTITIONS,
} from "../../../scripts/lib/demo-firmware";
import { mergedS3Image } from "./github-fixtures";

const S3_CHIP = { family: "ESP32-S3" as const, revision: 2, flashSize: 8 * 1048576, usbSerialJtag: true };
const ESP32_CHIP = { family: "ESP32" as const, revision: 300, flashSize: 4 * 1048576, usbSerialJtag: false };
const noFetch = (() => Promise.reject(new Error("local files must not be downloaded"))) as typeof fetch;

const file = (name: string, data: Uint8Array): LocalFile => ({ name, data });
const splitFiles = (chip: "ESP32" | "ESP32-S3" | "ESP32-C3") =>
  demoParts(chip).map((p) => file(p.path.split("/")[1], p.data));
const manifestFile = (name = "manifest.json") => file(name, new TextEncoder().encode(JSON.stringify(demoManifest())));

function mergedAt(chip: "ESP32" | "ESP32-S3" | "ESP32-P4", start: number): Uint8Array {
  const parts = demoParts(chip);
  const end = Math.max(...parts.map((p) => p.offset + p.data.length)) - start;
  const image = new Uint8Array(end).fill(0xff);
  for (const p of parts) image.set(p.data, p.offset - start);
  return image;
}

async function refused(files: LocalFile[]): Promise<FirmwareSourceError> {
  const err = await analyzeLocalFiles(files).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FirmwareSourceError);
  return err as FirmwareSourceError;
}

describe("one merged .bin", () => {
  it("is recognised with its chip, app name and version, proposed at 0x0, and installs from memory", async () => {
    const files = [file("pyDirect-ESP32_S3-merged.bin", mergedS3Image("1.26.1"))];
    const analysis = await analyzeLocalFiles(files);
    expect(analysis).toMatchObject({
      shape: "merged",
      chipFamily: "ESP32-S3",
      appName: "pyDirect",
      appVersion: "1.26.1",
      warnings: [],
    });
    expect(analysis.parts).toEqual([expect.objectContaining({ name: files[0].name, kind: "merged", offset: 0 })]);
    const loaded = localFirmware(files, analysis);
    expect(loaded.origin).toEqual({ kind: "local-files", names: [files[0].name] });
    const plan = await planInstall(loaded, S3_CHIP, { fetch: noFetch });
    expect(plan.parts).toEqual([expect.objectContaining({ offset: 0, data: files[0].data })]);
    expect(plan.app).toMatchObject({ projectName: "pyDirect", version: "1.26.1" });
  });

  it("places an ESP32 merged image at 0x0 when it is padded to the bootloader, at 0x1000 when it starts with it", async () => {
    const padded = await analyzeLocalFiles([file("esp32-merged.bin", mergedAt("ESP32", 0))]);
    expect(padded).toMatchObject({
      shape: "merged",
      chipFamily: "ESP32",
      parts: [expect.objectContaining({ offset: 0 })],
    });
    const micropythonStyle = [file("ESP32_GENERIC-20261101-v1.27.0.bin", mergedAt("ESP32", 0x1000))];
    const analysis = await analyzeLocalFiles(micropythonStyle);
    expect(analysis).toMatchObject({
      shape: "merged",
      chipFamily: "ESP32",
      appName: "pyDirect",
      parts: [expect.objectContaining({ offset: 0x1000 })],
    });
    const plan = await planInstall(localFirmware(micropythonStyle, analysis), ESP32_CHIP, { fetch: noFetch });
    expect(plan.checked[0]).toMatchObject({ kind: "bootloader", offset: 0x1000 });
  });
});

/** The demo generator's ESP32-P4 build (bootloader at 0x2000), split and merged. */
function p4Images() {
  const [bootloader, table, app] = demoParts("ESP32-P4").map((p) => p.data) as [Uint8Array, Uint8Array, Uint8Array];
  return { bootloader, table, app, merged: mergedAt("ESP32-P4", 0) };
}

describe("ESP32-P4 files (bootloader at 0x2000)", () => {
  it("recognises a P4 merged image padded to 0x2000 and proposes the P4 bootloader offset for split files", async () => {
    const { bootloader, app, table, merged } = p4Images();
    expect(await analyzeLocalFiles([file("pyDirect-ESP32_P4-merged.bin", merged)])).toMatchObject({
      shape: "merged",
      chipFamily: "ESP32-P4",
      appName: "pyDirect",
      appVersion: "0.1.0",
      parts: [expect.objectContaining({ offset: 0 })],
    });
    const files = [
      file("micropython.bin", app),
      file("bootloader.bin", bootloader),
      file("partition-table.bin", table),
    ];
    const split = await analyzeLocalFiles(files);
    expect(split.parts.map((p) => [p.name, p.offset])).toEqual([
      ["bootloader.bin", 0x2000],
      ["partition-table.bin", 0x8000],
      ["micropython.bin", 0x10000],
    ]);
    expect(split.chipFamily).toBe("ESP32-P4");
    const plan = await planInstall(
      localFirmware(files, split),
      { family: "ESP32-P4", revision: 100, flashSize: 16 * 1048576, usbSerialJtag: true },
      { fetch: noFetch },
    );
    expect(plan.checked.map((c) => [c.kind, c.offset])).toEqual([
      ["bootloader", 0x2000],
      ["partition-table", 0x8000],
      ["app", 0x10000],
    ]);
  });
});

/** ESP8266 builds made by real toolchains (test/fixtures/esp8266/README.md says how). */
describe("ESP8266 files", () => {
  const fixture = (name: string) =>
    file(name, new Uint8Array(readFileSync(join(__dirname, "../../fixtures/esp8266", name))));
  const ESP8266_CHIP = { family: "ESP8266" as const, revision: null, flashSize: 4 * 1048576, usbSerialJtag: false };

  it.each(["arduino.bin", "nonos-merged.bin", "nonos-ota-merged.bin"])(
    "a complete build (%s) is proposed at 0x0 and passes the ESP8266 checks",
    async (name) => {
      const files = [fixture(name)];
      const analysis = await analyzeLocalFiles(files);
      expect(analysis).toMatchObject({
        shape: "merged",
        chipFamily: "ESP8266",
        parts: [expect.objectContaining({ kind: "merged", offset: 0 })],
      });
      await expect(planInstall(localFirmware(files, analysis), ESP8266_CHIP, { fetch: noFetch })).resolves.toBeTruthy();
    },
  );

  it("a NONOS boot loader and user1.bin go to 0x0 and 0x1000", async () => {
    const merged = fixture("nonos-ota-merged.bin").data;
    const files = [fixture("nonos-ota-user1.bin"), file("boot.bin", merged.slice(0, 0x1000))];
    const analysis = await analyzeLocalFiles(files);
    expect(analysis.chipFamily).toBe("ESP8266");
    expect(analysis.parts.map((p) => [p.name, p.kind, p.offset])).toEqual([
      ["boot.bin", "bootloader", 0x0],
      ["nonos-ota-user1.bin", "app", 0x1000],
    ]);
    const plan = await planInstall(localFirmware(files, analysis), ESP8266_CHIP, { fetch: noFetch });
    expect(plan.parts.map((p) => p.offset)).toEqual([0x0, 0x1000]);
  });
});

describe("several .bin", () => {
  it("proposes bootloader, table and app offsets from what each file is (S3: bootloader at 0x0)", async () => {
    const files = splitFiles("ESP32-S3").reverse();
    const analysis = await analyzeLocalFiles(files);
    expect(analysis).toMatchObject({
      shape: "split",
      chipFamily: "ESP32-S3",
      appName: "pyDirect",
      appVersion: "0.1.0",
      warnings: [],
    });
    expect(analysis.parts.map((p) => [p.name, p.kind, p.offset])).toEqual([
      ["bootloader.bin", "bootloader", 0x0],
      ["partition-table.bin", "partition-table", 0x8000],
      ["pydirect.bin", "app", 0x10000],
    ]);
    expect(analysis.parts[2].reason).toContain('partition "factory"');
    const plan = await planInstall(localFirmware(files, analysis), S3_CHIP, { fetch: noFetch });
    expect(plan.checked.map((c) => c.kind)).toEqual(["bootloader", "partition-table", "app"]);
  });

  it("puts an ESP32 bootloader at 0x1000 and the app where the table's app partition starts", async () => {
    const table = writePartitionTable(
      DEMO_PARTITIONS.map((e) =>
        e.label === "factory" ? { ...e, offset: 0x20000, size: 0x1e0000 } : e.label === "vfs" ? { ...e } : e,
      ),
    );
    const files = [
      file("bootloader.bin", demoParts("ESP32")[0].data),
      file("partitions.bin", table),
      file("firmware.bin", makeDemoApp("ESP32")),
    ];
    const analysis = await analyzeLocalFiles(files);
    expect(analysis.parts.map((p) => [p.kind, p.offset])).toEqual([
      ["bootloader", 0x1000],
      ["partition-table", 0x8000],
      ["app", 0x20000],
    ]);
    await expect(planInstall(localFirmware(files, analysis), ESP32_CHIP, { fetch: noFetch })).resolves.toBeTruthy();
  });

  it("proposes 0x10000 for an app without a table, with a warning; edited offsets are used", async () => {
    const files = [file("app.bin", makeDemoApp("ESP32-S3", { version: "2.0.0" }))];
    const analysis = await analyzeLocalFiles(files);
    expect(analysis).toMatchObject({
      shape: "split",
      chipFamily: "ESP32-S3",
      appVersion: "2.0.0",
      parts: [expect.objectContaining({ kind: "app", offset: 0x10000 })],
    });
    expect(analysis.warnings.join(" ")).toContain("No partition table is among the files");
    const loaded = localFirmware(files, analysis, { "app.bin": 0x20000 });
    expect(loaded.manifest.builds[0].parts).toEqual([expect.objectContaining({ path: "app.bin", offset: 0x20000 })]);
    expect(() => localFirmware(files, analysis, { "app.bin": -1 })).toThrow(/whole number of bytes/);
  });

  it("refuses an unknown file, two bootloaders, mixed chips and a merged image among others", async () => {
    // A text file is named as one (wrong-file.ts); bytes nothing knows stay "unrecognised".
    const text = await refused([...splitFiles("ESP32-S3"), file("notes.txt", new TextEncoder().encode("hello"))]);
    expect(text).toMatchObject({ code: "text-file", files: ["notes.txt"] });
    const unknown = await refused([...splitFiles("ESP32-S3"), file("blob.dat", new Uint8Array([0x68, 0x65, 0, 1, 2]))]);
    expect(unknown).toMatchObject({ code: "unrecognised-file", files: ["blob.dat"] });
    expect(unknown.message).toContain(
      "blob.dat is not an ESP firmware image, a partition table or a manifest (it starts with 0x68650001)",
    );
    const twoBoot = await refused([
      file("a/bootloader.bin", demoParts("ESP32-S3")[0].data),
      file("b/bootloader.bin", demoParts("ESP32-S3")[0].data),
    ]);
    expect(twoBoot).toMatchObject({
      code: "conflicting-files",
      message: expect.stringContaining("are both bootloaders"),
    });
    const mixed = await refused([
      file("bootloader.bin", demoParts("ESP32-S3")[0].data),
      file("app.bin", makeDemoApp("ESP32-C3")),
    ]);
    expect(mixed).toMatchObject({
      code: "conflicting-files",
      message:
        "bootloader.bin is built for ESP32-S3 but app.bin for ESP32-C3; use the files of one build for one chip.",
    });
    const mergedPlus = await refused([file("merged.bin", mergedS3Image()), file("app.bin", makeDemoApp("ESP32-S3"))]);
    expect(mergedPlus).toMatchObject({ code: "conflicting-files", message: expect.stringContaining("merged image") });
    await expect(analyzeLocalFiles([])).rejects.toMatchObject({ code: "unrecognised-file" });
    await expect(analyzeLocalFiles([file("empty.bin", new Uint8Array())])).rejects.toMatchObject({
      code: "unrecognised-file",
      message: expect.stringContaining("empty"),
    });
  });

  it("a corrupt local image is refused by the install checks", async () => {
    const files = splitFiles("ESP32-S3");
    const app = files[2].data.slice();
    app[150_000] ^= 0x40;
    files[2] = file("pydirect.bin", app);
    const analysis = await analyzeLocalFiles(files);
    await expect(planInstall(localFirmware(files, analysis), S3_CHIP, { fetch: noFetch })).rejects.toMatchObject({
      code: "image-checksum",
    });
  });
});

describe("a manifest with its parts", () => {
  it("matches a folder's relative paths and keeps every build", async () => {
    const files = [
      manifestFile("release/manifest.json"),
      ...Object.values(demoPartsByChip())
        .flat()
        .map((p) => file(`release/${p.path}`, p.data)),
    ];
    const analysis = await analyzeLocalFiles(files);
    expect(analysis).toMatchObject({
      shape: "manifest",
      chipFamily: null,
      appName: "pyDirect",
      appVersion: "0.1.0",
      warnings: [],
    });
    expect(analysis.manifest!.builds.map((b) => b.chipFamily)).toEqual(["ESP32", "ESP32-S3", "ESP32-C3", "ESP32-P4"]);
    expect(analysis.parts).toHaveLength(12);
    const loaded = localFirmware(files, analysis);
    const plan = await planInstall(loaded, ESP32_CHIP, { fetch: noFetch });
    expect(plan.parts.map((p) => [p.name, p.offset])).toEqual([
      ["esp32/bootloader.bin", 0x1000],
      ["esp32/partition-table.bin", 0x8000],
      ["esp32/pydirect.bin", 0x10000],
    ]);
  });

  it("matches files picked together by name, leaving out the builds whose files are missing", async () => {
    const files = [manifestFile(), ...splitFiles("ESP32-S3")];
    const analysis = await analyzeLocalFiles(files);
    expect(analysis.chipFamily).toBe("ESP32-S3");
    expect(analysis.manifest!.builds.map((b) => b.chipFamily)).toEqual(["ESP32-S3"]);
    expect(analysis.warnings).toEqual([
      expect.stringContaining("The ESP32 build is left out"),
      expect.stringContaining("The ESP32-C3 build is left out"),
      expect.stringContaining("The ESP32-P4 build is left out"),
    ]);
    const plan = await planInstall(localFirmware(files, analysis), S3_CHIP, { fetch: noFetch });
    expect(plan.app).toMatchObject({ projectName: "pyDirect" });
    // The manifest's SHA-256 still applies to files from disk.
    const swapped = [
      manifestFile(),
      ...splitFiles("ESP32-S3").map((f) =>
        f.name === "pydirect.bin" ? file("pydirect.bin", makeDemoApp("ESP32-S3", { version: "9.9.9" })) : f,
      ),
    ];
    await expect(
      planInstall(localFirmware(swapped, await analyzeLocalFiles(swapped)), S3_CHIP, { fetch: noFetch }),
    ).rejects.toMatchObject({ code: "sha256-mismatch" });
  });

  it("refuses a manifest missing a part file, naming it, and two manifests", async () => {
    const files = [manifestFile(), ...splitFiles("ESP32-S3").filter((f) => f.name !== "partition-table.bin")];
    const err = await refused(files);
    expect(err.code).toBe("missing-part");
    expect(err.message).toBe(
      "manifest.json names esp32s3/partition-table.bin for ESP32-S3, but that file was not given. Pick the manifest's whole folder, or all of its files together.",
    );
    const two = await refused([manifestFile("a.json"), manifestFile("b.json")]);
    expect(two.code).toBe("conflicting-files");
    await expect(
      analyzeLocalFiles([file("manifest.json", new TextEncoder().encode("{ not json"))]),
    ).rejects.toMatchObject({ code: "manifest-not-json" });
  });
});
