import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRaw } from "pako";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main";
import { analyzeLocalFiles, localFirmware, type LocalFile } from "../../../src/core/firmware-sources";
import { unpackZip } from "../../../src/core/firmware-sources/zip-archive";
import { identifyWrongFile } from "../../../src/core/image/wrong-file";
import { planInstall } from "../../../src/core/install";
import { demoManifest, demoParts, demoPartsByChip } from "../../../scripts/lib/demo-firmware";

const enc = (text: string) => new TextEncoder().encode(text);
const file = (name: string, data: Uint8Array): LocalFile => ({ name, data });
const S3_CHIP = { family: "ESP32-S3" as const, revision: 2, flashSize: 8 * 1048576, usbSerialJtag: true };
const noFetch = (() => Promise.reject(new Error("local files must not be downloaded"))) as typeof fetch;

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** Lie about the unpacked size in the directory (a bomb). */
  declaredSize?: number;
  stored?: boolean;
}

/** A minimal ZIP (PKWARE APPNOTE): local headers, data, central directory, end record. */
function makeZip(entries: ZipEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc(e.name);
    const body = e.stored ? e.data : deflateRaw(e.data);
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, e.stored ? 0 : 8, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const dv = new DataView(dir.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint16(10, e.stored ? 0 : 8, true);
    dv.setUint32(16, crc, true);
    dv.setUint32(20, body.length, true);
    dv.setUint32(24, size, true);
    dv.setUint16(28, name.length, true);
    dv.setUint32(42, offset, true);
    dir.set(name, 46);
    chunks.push(local, body);
    central.push(dir);
    offset += local.length + body.length;
  }
  const dirSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const all = [...chunks, ...central, end];
  const out = new Uint8Array(all.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of all) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const elf = () => new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, ...new Array<number>(56).fill(0)]);
function uf2(): Uint8Array {
  const block = new Uint8Array(512);
  const v = new DataView(block.buffer);
  v.setUint32(0, 0x0a324655, true);
  v.setUint32(4, 0x9e5d5157, true);
  v.setUint32(508, 0x0ab16f30, true);
  return block;
}
function nvsPage(): Uint8Array {
  const page = new Uint8Array(0x3000).fill(0xff);
  new DataView(page.buffer).setUint32(0, 0xfffffffe, true);
  new DataView(page.buffer).setUint32(4, 0, true);
  page[8] = 0xfe;
  return page;
}
function littlefs(): Uint8Array {
  const block = new Uint8Array(4096).fill(0xff);
  block.set([1, 0, 0, 0, 0x30, 0, 0, 0x08], 0);
  block.set(enc("littlefs"), 8);
  return block;
}
function fatBootSector(): Uint8Array {
  const sector = new Uint8Array(4096);
  sector.set([0xeb, 0x3c, 0x90], 0);
  sector.set(enc("MSDOS5.0"), 3);
  sector.set(enc("FAT12   "), 54);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

describe("files picked by mistake are named, with what to pick instead", () => {
  const cases: [string, Uint8Array, string, RegExp][] = [
    ["hello_world.elf", elf(), "elf-file", /ELF file.*build\/<project>\.bin.*\.ino\.bin.*firmware\.bin/s],
    ["firmware.elf.bin", elf(), "elf-file", /ELF/],
    ["ADAFRUIT_QTPY_ESP32S2-20240602-v1.23.0.uf2", uf2(), "uf2-file", /UF2 bootloader.*drag/s],
    ["release.tar.gz", new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), "archive-file", /gzip archive.*Unpack/s],
    ["firmware.hex", enc(":100000000C9434000C9446000C9446000C9446006A\n:00000001FF\n"), "intel-hex-file", /Intel HEX/],
    ["ESP32_GENERIC-20240602-v1.23.0.bin", enc("<!DOCTYPE html>\n<html lang=en>"), "html-file", /web page.*raw/s],
    [
      "project_description.json",
      enc('{"project_name":"hello","build_dir":"/x"}'),
      "json-not-manifest",
      /project description.*flasher_args/s,
    ],
    [
      "partitions.csv",
      enc("# Name, Type, SubType, Offset, Size\nnvs, data, nvs, 0x9000, 0x6000\nfactory, app, factory, 0x10000, 1M\n"),
      "partition-csv",
      /partition-table\.bin/,
    ],
    [
      "hello_world.map",
      enc("Archive member included to satisfy reference by file (symbol)\n"),
      "linker-map",
      /map file/,
    ],
    ["main.py", enc("import machine\nled = machine.Pin(2)\n"), "python-file", /mpremote/],
    ["boot.mpy", new Uint8Array([0x4d, 6, 0, 31, 0x10]), "mpy-file", /mpremote/],
    ["README.txt", enc("Flash with esptool\n"), "text-file", /text file/],
    ["nvs.bin", nvsPage(), "nvs-image", /NVS.*partition table/s],
    ["littlefs.bin", littlefs(), "littlefs-image", /LittleFS/],
    ["ffat.bin", fatBootSector(), "fat-image", /FAT/],
    ["spiffs.bin", new Uint8Array(8192).fill(0x21), "spiffs-image", /SPIFFS/],
  ];

  it.each(cases)("%s", async (name, data, code, sentence) => {
    expect(identifyWrongFile(name, data)?.code).toBe(code);
    const err = await analyzeLocalFiles([file(name, data)]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code, files: [name] });
    expect((err as Error).message).toMatch(sentence);
    expect((err as Error).message).not.toMatch(/it starts with 0x/);
  });

  it("real firmware, a partition table and a manifest are not mistakes", () => {
    const [bootloader, table, app] = demoParts("ESP32-S3");
    for (const p of [bootloader, table, app]) expect(identifyWrongFile(p.path, p.data)).toBeNull();
    expect(identifyWrongFile("manifest.json", enc(JSON.stringify(demoManifest())))).toBeNull();
  });

  it("in a dropped build folder the firmware is kept and the ELF, map and settings left out, each named", async () => {
    const [bootloader, table, app] = demoParts("ESP32-S3");
    const analysis = await analyzeLocalFiles([
      file("build/bootloader.bin", bootloader.data),
      file("build/partition-table.bin", table.data),
      file("build/app.bin", app.data),
      file("build/app.elf", elf()),
      file("build/app.map", enc("Memory Configuration\n")),
      file("build/project_description.json", enc('{"project_name":"app"}')),
    ]);
    expect(analysis.shape).toBe("split");
    expect(analysis.parts.map((p) => p.name)).toEqual([
      "build/bootloader.bin",
      "build/partition-table.bin",
      "build/app.bin",
    ]);
    expect(analysis.warnings.join("\n")).toMatch(
      /Left out build\/project_description\.json.*Left out build\/app\.elf, build\/app\.map/s,
    );
  });
});

describe("ESP-IDF's flasher_args.json is used as the manifest", () => {
  it("takes its offsets and files from a build folder, and installs them", async () => {
    const [bootloader, table, app] = demoParts("ESP32-S3");
    const args = {
      write_flash_args: ["--flash_mode", "dio", "--flash_size", "8MB", "--flash_freq", "80m"],
      flash_files: {
        "0x0": "bootloader/bootloader.bin",
        "0x8000": "partition_table/partition-table.bin",
        "0x10000": "pydirect.bin",
      },
      app: { offset: "0x10000", file: "pydirect.bin", encrypted: "false" },
      extra_esptool_args: { after: "hard_reset", before: "default_reset", stub: true, chip: "esp32s3" },
    };
    const files = [
      file("build/flasher_args.json", enc(JSON.stringify(args))),
      file("build/bootloader/bootloader.bin", bootloader.data),
      file("build/partition_table/partition-table.bin", table.data),
      file("build/pydirect.bin", app.data),
      file("build/pydirect.elf", elf()),
    ];
    const analysis = await analyzeLocalFiles(files);
    expect(analysis).toMatchObject({ shape: "manifest", chipFamily: "ESP32-S3" });
    expect(analysis.parts.map((p) => [p.name, p.offset])).toEqual([
      ["build/bootloader/bootloader.bin", 0x0],
      ["build/partition_table/partition-table.bin", 0x8000],
      ["build/pydirect.bin", 0x10000],
    ]);
    expect(analysis.warnings.join("\n")).toMatch(/Using build\/flasher_args\.json/);
    const plan = await planInstall(localFirmware(files, analysis), S3_CHIP, { fetch: noFetch });
    expect(plan.parts.map((p) => p.offset)).toEqual([0x0, 0x8000, 0x10000]);
  });
});

describe("ZIP archives are unpacked where that is safe", () => {
  const tmp = mkdtempSync(join(tmpdir(), "pydirect-wrong-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("an ESP Web Tools folder zipped up: the manifest and its parts, installable", async () => {
    const parts = Object.values(demoPartsByChip()).flat();
    const zip = makeZip([
      { name: "firmware/manifest.json", data: enc(JSON.stringify(demoManifest())) },
      ...parts.map((p) => ({ name: `firmware/${p.path}`, data: p.data, stored: p.path.includes("partition") })),
      { name: "__MACOSX/firmware/._manifest.json", data: enc("junk") },
    ]);
    expect(identifyWrongFile("firmware.zip", zip)?.code).toBe("zip-file"); // what the CLI, which does not unpack, says
    const files = [file("firmware.zip", zip)];
    const analysis = await analyzeLocalFiles(files);
    expect(analysis.shape).toBe("manifest");
    expect(analysis.warnings[0]).toBe(`Unpacked firmware.zip (${parts.length + 1} files).`);
    const plan = await planInstall(localFirmware(files, analysis), S3_CHIP, { fetch: noFetch });
    expect(plan.parts.map((p) => p.offset)).toEqual([0x0, 0x8000, 0x10000]);
  });

  it("an Arduino export: the merged image is used alone, the ELF and the rest left out", async () => {
    const parts = demoParts("ESP32-S3");
    const merged = new Uint8Array(Math.max(...parts.map((p) => p.offset + p.data.length))).fill(0xff);
    for (const p of parts) merged.set(p.data, p.offset);
    const zip = makeZip([
      { name: "blink.ino.merged.bin", data: merged },
      { name: "blink.ino.bin", data: parts[2].data },
      { name: "blink.ino.bootloader.bin", data: parts[0].data },
      { name: "blink.ino.elf", data: elf() },
    ]);
    const analysis = await analyzeLocalFiles([file("blink.zip", zip)]);
    expect(analysis).toMatchObject({ shape: "merged", parts: [{ name: "blink.ino.merged.bin", offset: 0 }] });
    expect(analysis.warnings.join("\n")).toMatch(/Using blink\.ino\.merged\.bin.*left out/s);
  });

  it("refuses a zip bomb (an entry that inflates past its declared size, or past the total limit) and path tricks", async () => {
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const lying = makeZip([{ name: "app.bin", data: zeros, declaredSize: 1024 }]);
    expect(lying.length).toBeLessThan(20_000);
    const started = performance.now();
    await expect(analyzeLocalFiles([file("bomb.zip", lying)])).rejects.toMatchObject({ code: "zip-bomb" });
    expect(performance.now() - started).toBeLessThan(2_000);
    const huge = makeZip([
      { name: "a.bin", data: new Uint8Array(10), declaredSize: 40 * 1024 * 1024 },
      { name: "b.bin", data: new Uint8Array(10), declaredSize: 40 * 1024 * 1024 },
    ]);
    expect(() => unpackZip(file("huge.zip", huge))).toThrow(expect.objectContaining({ code: "zip-bomb" }));
    const climbing = makeZip([{ name: "../../.bashrc", data: enc("rm -rf ~") }]);
    await expect(analyzeLocalFiles([file("evil.zip", climbing)])).rejects.toMatchObject({ code: "zip-unsafe-path" });
    await expect(analyzeLocalFiles([file("build.zip", enc("PK\u0003\u0004rest"))])).rejects.toMatchObject({
      code: "zip-damaged",
    });
    const damaged = makeZip([{ name: "app.bin", data: enc("abc"), stored: true }]);
    damaged[30 + "app.bin".length] ^= 0xff; // flip a data byte: the CRC no longer matches
    expect(() => unpackZip(file("damaged.zip", damaged))).toThrow(expect.objectContaining({ code: "zip-damaged" }));
  });

  it("`pydirect-portal check` names each wrong file with its own code", async () => {
    const lines: string[] = [];
    const elfPath = join(tmp, "hello_world.elf");
    writeFileSync(elfPath, elf());
    expect(await main(["check", elfPath], (l) => lines.push(l))).toBe(1);
    expect(lines.join("\n")).toMatch(/ERROR elf-file hello_world\.elf is an ELF file/);
    const nvsPath = join(tmp, "nvs.bin");
    writeFileSync(nvsPath, nvsPage());
    lines.length = 0;
    expect(await main(["check", nvsPath, "--json"], (l) => lines.push(l))).toBe(1);
    expect(JSON.parse(lines.join("\n"))).toMatchObject({ ok: false, findings: [{ code: "nvs-image" }] });
  });
});
