// The release the firmware build writes, checked end to end: a --dry-run of
// firmware/build/build-images.py over freshly generated demo images, then the portal's own
// `pydirect-portal check` over the manifest it wrote.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
const script = join(root, "firmware/build/build-images.py");
const tsx = join(root, "node_modules/.bin/tsx");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const buildImages = (args: string[]) => run("python3", [script, ...args]);
// `--no`: never fetch from the registry; the command must resolve to this checkout's bin.
const portalCheck = (manifest: string) => run("npx", ["--no", "pydirect-portal", "check", "--json", manifest]);

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

interface ManifestPartJson {
  path: string;
  offset: number;
  size: number;
  sha256: string;
}
interface ManifestJson {
  name: string;
  version: string;
  channel: string;
  builds: { chipFamily: string; flash_size: string; parts: ManifestPartJson[]; merged: ManifestPartJson; webrtc: boolean; console: string | string[] }[];
}

let work: string;
let demoDir: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "pydirect-firmware-"));
  demoDir = join(work, "demo");
  const gen = run(tsx, [join(root, "scripts/make-demo-firmware.ts"), demoDir]);
  expect(gen.status, gen.stderr).toBe(0);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("build-images.py --dry-run", () => {
  let out: string;
  let manifest: ManifestJson;

  beforeAll(() => {
    out = join(work, "release");
    const r = buildImages(["--dry-run", "--out", out, "--version", "v1.4.0", "--demo-dir", demoDir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("pyDirect 1.4.0 (ESP32-S3, ESP32, ESP32-C3)");
    manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as ManifestJson;
  });

  it("writes an ESP Web Tools manifest with our per-part sha256 and size", () => {
    expect(manifest.name).toBe("pyDirect");
    expect(manifest.version).toBe("1.4.0");
    expect(manifest.channel).toBe("stable");
    expect(manifest.builds.map((b) => b.chipFamily)).toEqual(["ESP32-S3", "ESP32", "ESP32-C3"]);
    expect(manifest.builds.map((b) => b.webrtc)).toEqual([true, true, false]);
    // Our S3 image runs TinyUSB CDC with the UART REPL kept; the C3's console is its USB-Serial-JTAG.
    expect(manifest.builds.map((b) => b.console)).toEqual([["usb-cdc", "uart"], "uart", "usb-serial-jtag"]);
    const s3 = manifest.builds[0];
    expect(s3.parts.map((p) => [p.path, p.offset])).toEqual([
      ["esp32s3/bootloader.bin", 0x0],
      ["esp32s3/partition-table.bin", 0x8000],
      ["esp32s3/pydirect.bin", 0x10000],
    ]);
    expect(manifest.builds[1].parts[0].offset).toBe(0x1000); // the ESP32 bootloader sits at 0x1000
    // The flash size comes from the bootloader header, as it would for a real build.
    expect(s3.flash_size).toBe("4MB");
  });

  it("writes the demo bytes unchanged, and sums that match them", () => {
    const sums = readFileSync(join(out, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(sums).toHaveLength(12);
    for (const build of manifest.builds) {
      for (const part of [...build.parts, build.merged]) {
        const data = readFileSync(join(out, part.path));
        expect(data.length).toBe(part.size);
        expect(sha256(data)).toBe(part.sha256);
        expect(sums).toContain(`${part.sha256}  ${part.path}`);
      }
      const chipDir = build.parts[0].path.split("/")[0];
      const demoApp = readFileSync(join(demoDir, chipDir, "pydirect.bin"));
      expect(sha256(demoApp)).toBe(build.parts[2].sha256);
    }
  });

  it("lays every part into the merged image at its offset, over erased (0xff) flash", () => {
    const esp32 = manifest.builds[1];
    const merged = readFileSync(join(out, esp32.merged.path));
    expect(esp32.merged.offset).toBe(0);
    expect(merged.subarray(0, 0x1000).every((b) => b === 0xff)).toBe(true);
    for (const part of esp32.parts) {
      const data = readFileSync(join(out, part.path));
      expect(merged.subarray(part.offset, part.offset + data.length).equals(data)).toBe(true);
    }
    const last = esp32.parts[2];
    expect(merged.length).toBe(last.offset + last.size);
  });

  it("passes the portal's own `pydirect-portal check`", () => {
    const r = portalCheck(join(out, "manifest.json"));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; errors: number; warnings: number };
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 0 });
  });

  it("is caught by `check` when a written part no longer matches its manifest entry", () => {
    const copy = join(work, "tampered");
    const r0 = buildImages(["--dry-run", "--out", copy, "--version", "1.4.0", "--demo-dir", demoDir, "--board", "PYDIRECT_ESP32S3"]);
    expect(r0.status, r0.stderr).toBe(0);
    const app = join(copy, "esp32s3/pydirect.bin");
    const bytes = readFileSync(app);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(app, bytes);
    const r = portalCheck(join(copy, "manifest.json"));
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false });
  });
});

interface IndexJson {
  versions: { version: string; channel: string; manifest: string; chips: string[] }[];
}

describe("build-images.py release index", () => {
  let site: string;
  const readIndex = () => JSON.parse(readFileSync(join(site, "index.json"), "utf8")) as IndexJson;
  const release = (version: string, extra: string[] = []) => {
    const r = buildImages(["--dry-run", "--out", join(site, version.replace(/^v/, "")), "--version", version, "--demo-dir", demoDir, ...extra]);
    expect(r.status, r.stderr).toBe(0);
  };

  beforeAll(() => {
    site = join(work, "site-firmware");
  });

  it("lists each release next to the release folders, newest first, prereleases as beta", () => {
    release("v1.4.0");
    release("1.5.0-beta.2", ["--board", "PYDIRECT_ESP32C3"]);
    release("1.5.0-beta.10");
    release("1.3.9");
    expect(readIndex().versions).toEqual([
      { version: "1.5.0-beta.10", channel: "beta", manifest: "1.5.0-beta.10/manifest.json", chips: ["ESP32-S3", "ESP32", "ESP32-C3"] },
      { version: "1.5.0-beta.2", channel: "beta", manifest: "1.5.0-beta.2/manifest.json", chips: ["ESP32-C3"] },
      { version: "1.4.0", channel: "stable", manifest: "1.4.0/manifest.json", chips: ["ESP32-S3", "ESP32", "ESP32-C3"] },
      { version: "1.3.9", channel: "stable", manifest: "1.3.9/manifest.json", chips: ["ESP32-S3", "ESP32", "ESP32-C3"] },
    ]);
    for (const v of readIndex().versions) expect(existsSync(join(site, v.manifest))).toBe(true);
  });

  it("replaces the entry of a version built again instead of listing it twice", () => {
    release("1.3.9", ["--board", "PYDIRECT_ESP32S3"]);
    const entries = readIndex().versions.filter((v) => v.version === "1.3.9");
    expect(entries).toEqual([{ version: "1.3.9", channel: "stable", manifest: "1.3.9/manifest.json", chips: ["ESP32-S3"] }]);
    expect(readIndex().versions).toHaveLength(4);
  });

  it("writes no index with --no-index, and refuses to overwrite an index it cannot read", () => {
    const other = join(work, "no-index");
    const r = buildImages(["--dry-run", "--out", join(other, "1.0.0"), "--version", "1.0.0", "--demo-dir", demoDir, "--no-index"]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(other, "index.json"))).toBe(false);
    writeFileSync(join(other, "index.json"), "{ broken");
    const bad = buildImages(["--dry-run", "--out", join(other, "1.0.1"), "--version", "1.0.1", "--demo-dir", demoDir]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("index.json is not readable JSON");
    expect(readFileSync(join(other, "index.json"), "utf8")).toBe("{ broken");
  });
});

describe("build-images.py input errors", () => {
  it("builds only the boards asked for", () => {
    const out = join(work, "only-c3");
    const r = buildImages(["--dry-run", "--out", out, "--version", "2.0.0-beta.1", "--demo-dir", demoDir, "--board", "PYDIRECT_ESP32C3"]);
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as ManifestJson;
    expect(m.builds.map((b) => b.chipFamily)).toEqual(["ESP32-C3"]);
    expect(m.channel).toBe("beta");
    expect(existsSync(join(out, "esp32s3"))).toBe(false);
  });

  it("refuses a dry run without --out", () => {
    const r = buildImages(["--dry-run", "--version", "1.0.0", "--demo-dir", demoDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("pass --out DIR");
  });

  it("says how to make the demo images when they are missing", () => {
    const r = buildImages(["--dry-run", "--out", join(work, "x"), "--version", "1.0.0", "--demo-dir", join(work, "nowhere")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("run `npm run demo-firmware` first");
  });

  it("rejects an image built for another chip, naming both", () => {
    const wrongDemo = join(work, "wrong-demo");
    const gen = run(tsx, [join(root, "scripts/make-demo-firmware.ts"), wrongDemo]);
    expect(gen.status, gen.stderr).toBe(0);
    copyFileSync(join(wrongDemo, "esp32/bootloader.bin"), join(wrongDemo, "esp32s3/bootloader.bin"));
    const out = join(work, "wrong-out");
    const r = buildImages(["--dry-run", "--out", out, "--version", "1.0.0", "--demo-dir", wrongDemo, "--board", "PYDIRECT_ESP32S3"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("PYDIRECT_ESP32S3 bootloader: built for ESP32, but the board is ESP32-S3");
    expect(existsSync(join(out, "manifest.json"))).toBe(false);
  });

  it("rejects a version that is not semantic, and an unknown board", () => {
    const bad = buildImages(["--dry-run", "--out", join(work, "y"), "--version", "latest", "--demo-dir", demoDir]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("'latest' is not a semantic version");
    const unknown = buildImages(["--dry-run", "--out", join(work, "z"), "--version", "1.0.0", "--demo-dir", demoDir, "--board", "ESP32_GENERIC"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("unknown board ESP32_GENERIC; boards are PYDIRECT_ESP32S3, PYDIRECT_ESP32, PYDIRECT_ESP32C3");
  });

  it("says what is missing when a real build is asked for without ESP-IDF", () => {
    const r = spawnSync("python3", [script, "--version", "1.0.0", "--out", join(work, "real")], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PATH: "/usr/bin:/bin", IDF_PATH: "" },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("ESP-IDF not found");
  });
});
