import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { demoManifest, demoPartsByChip, makeDemoApp } from "../../scripts/lib/demo-firmware";

const ROOT = resolve(__dirname, "../..");

/** The demo manifest's JSON, as far as the tests below change it (fields set to undefined drop out). */
interface DemoManifestJson {
  builds: Array<{
    chipFamily: string;
    merged?: { path: string; offset: number };
    parts: Array<{ path: string; offset: number; sha256?: string; size?: number }>;
  }>;
}

/** Writes the demo firmware (optionally tampered with) into a fresh directory; returns the manifest path. */
function writeDemo(
  tamper: (files: Map<string, Uint8Array>, manifest: DemoManifestJson) => void = () => undefined,
): string {
  const dir = mkdtempSync(join(tmpdir(), "pydirect-check-"));
  const parts = demoPartsByChip();
  const files = new Map<string, Uint8Array>();
  for (const list of Object.values(parts)) for (const p of list) files.set(p.path, p.data);
  const manifest = demoManifest(parts);
  tamper(files, manifest as unknown as DemoManifestJson);
  for (const [path, data] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return join(dir, "manifest.json");
}

async function run(...args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(args, (l) => lines.push(l));
  return { code, text: lines.join("\n") };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const demo = (tamper?: Parameters<typeof writeDemo>[0]) => {
  const path = writeDemo(tamper);
  dirs.push(dirname(path));
  return path;
};

describe("pydirect-portal check", () => {
  it("passes the demo firmware, describing every part", async () => {
    const { code, text } = await run("check", demo());
    expect(code).toBe(0);
    expect(text).toContain("build ESP32-S3 0.1.0");
    expect(text).toMatch(/esp32s3\/pydirect\.bin @0x10000 app "pyDirect" 0\.1\.0 \(ESP-IDF v5\.4\.1/);
    expect(text).toMatch(/esp32\/bootloader\.bin @0x1000 bootloader/);
    expect(text).toMatch(/passed: no errors/);
  });

  it("fails with each problem's code, part and reason", async () => {
    const path = demo((files, m) => {
      const app = files.get("esp32c3/pydirect.bin")!.slice();
      app[150_000] ^= 8;
      files.set("esp32c3/pydirect.bin", app);
      files.set("esp32s3/pydirect.bin", makeDemoApp("ESP32", {}));
      m.builds[1].parts[2].sha256 = undefined;
      m.builds[1].parts[2].size = undefined;
      m.builds[0].parts[0].offset = 0;
    });
    const { code, text } = await run("check", path);
    expect(code).toBe(1);
    expect(text).toMatch(/ERROR sha256-mismatch esp32c3\/pydirect\.bin does not match the SHA-256/);
    expect(text).toMatch(/ERROR image-checksum esp32c3\/pydirect\.bin fails its segment checksum/);
    expect(text).toMatch(
      /ERROR image-wrong-chip esp32s3\/pydirect\.bin is built for ESP32, but this board is an ESP32-S3/,
    );
    expect(text).toMatch(/ERROR wrong-offset esp32\/bootloader\.bin is a bootloader image at 0x0/);
    expect(text).toMatch(/FAILED: 4 error\(s\)/);
  });

  it("reports manifest errors with their JSON paths, and missing files", async () => {
    const bad = demo((_f, m) => {
      m.builds[0].chipFamily = "esp32";
      m.builds[1].parts[0].offset = 123;
    });
    const { code, text } = await run("check", bad);
    expect(code).toBe(1);
    expect(text).toContain('/builds/0/chipFamily the string "esp32" is not a chip family; did you mean "ESP32"?');
    expect(text).toContain("/builds/1/parts/0/offset 0x7b is not a multiple of 0x1000");
    const missing = demo((files) => files.delete("esp32s3/partition-table.bin"));
    const second = await run("check", missing, "--chip", "ESP32-S3");
    expect(second.code).toBe(1);
    expect(second.text).toMatch(/ERROR part-missing esp32s3\/partition-table\.bin cannot be read \(ENOENT\)/);
    expect(second.text).not.toContain("build ESP32-C3");
  });

  it("checks a build's merged single-file image too", async () => {
    const withMerged = (corrupt: boolean) =>
      demo((files, m) => {
        const merged = new Uint8Array(0x10000 + files.get("esp32/pydirect.bin")!.length).fill(0xff);
        for (const p of m.builds[0].parts) merged.set(files.get(p.path)!, p.offset);
        if (corrupt) merged[0x10000 + 5000] ^= 1;
        files.set("esp32/merged.bin", merged);
        m.builds[0].merged = { path: "esp32/merged.bin", offset: 0 };
      });
    const good = await run("check", withMerged(false), "--chip", "ESP32");
    expect(good.code).toBe(0);
    expect(good.text).toMatch(/esp32\/merged\.bin @0x0 merged image: bootloader, .*contains app "pyDirect" 0\.1\.0/);
    const bad = await run("check", withMerged(true), "--chip", "ESP32");
    expect(bad.code).toBe(1);
    expect(bad.text).toMatch(/ERROR image-checksum esp32\/merged\.bin \(app at 0x10000\) fails its segment checksum/);
  });

  it("checks a single .bin image at 0x0: sound ESP8266 builds pass, damaged ones fail", async () => {
    const fixtures = resolve(ROOT, "test/fixtures/esp8266");
    for (const name of ["arduino.bin", "nonos-merged.bin", "nonos-ota-merged.bin"]) {
      const { code, text } = await run("check", join(fixtures, name));
      expect(code, text).toBe(0);
      expect(text).toContain(`${name}: `);
      expect(text).toMatch(/built for ESP8266 \(from its headers\)/);
      expect(text).toMatch(/passed: no errors/);
    }
    const arduino = await run("check", join(fixtures, "arduino.bin"));
    expect(arduino.text).toMatch(/arduino\.bin @0x0 ESP8266 Arduino\/ESPHome: eboot \+ sketch: .*flash CRC ok/);
    const dir = mkdtempSync(join(tmpdir(), "pydirect-check-bin-"));
    dirs.push(dir);
    const damaged = readFileSync(join(fixtures, "nonos-ota-merged.bin"));
    damaged[0x1000 + 0x30] ^= 4;
    writeFileSync(join(dir, "damaged.bin"), damaged);
    const bad = await run("check", join(dir, "damaged.bin"), "--json");
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.text) as { findings: unknown[] }).findings).toContainEqual(
      expect.objectContaining({ level: "error", code: "image-checksum", part: "damaged.bin (image at 0x1000)" }),
    );
    writeFileSync(join(dir, "noise.bin"), new Uint8Array(4096).fill(0x42));
    const unknown = await run("check", join(dir, "noise.bin"));
    expect(unknown.code).toBe(1);
    expect(unknown.text).toMatch(/names no chip in its headers .*--chip/);
  });

  it("checks an ESP32 merged .bin by the chip its bootloader names", async () => {
    const parts = demoPartsByChip()["ESP32-S3"];
    const end = Math.max(...parts.map((p) => p.offset + p.data.length));
    const merged = new Uint8Array(end).fill(0xff);
    for (const p of parts) merged.set(p.data, p.offset);
    const dir = mkdtempSync(join(tmpdir(), "pydirect-check-bin-"));
    dirs.push(dir);
    writeFileSync(join(dir, "s3-merged.bin"), merged);
    const { code, text } = await run("check", join(dir, "s3-merged.bin"));
    expect(code, text).toBe(0);
    expect(text).toMatch(/built for ESP32-S3 \(from its headers\)/);
    expect(text).toMatch(/contains app "pyDirect"/);
  });

  it("prints JSON for scripts", async () => {
    const { code, text } = await run("check", demo(), "--json");
    expect(code).toBe(0);
    const report = JSON.parse(text) as { findings: Array<{ level: string }> };
    expect(report).toMatchObject({ ok: true, errors: 0 });
    // The manifest line, then three parts for each of the four demo builds (ESP32, S3, C3, P4).
    expect(report.findings.filter((f) => f.level === "ok")).toHaveLength(13);
  });

  it("answers usage errors with exit code 2", async () => {
    expect((await run()).code).toBe(2);
    expect((await run("flash", "x")).code).toBe(2);
    expect((await run("check")).code).toBe(2);
    expect((await run("check", "a.json", "--chip", "ESP99")).code).toBe(2);
    expect((await run("check", "a.json", "--frobnicate")).code).toBe(2);
    expect((await run("--help")).code).toBe(0);
  });

  it("fails cleanly on a manifest that does not exist or is not JSON", async () => {
    const gone = await run("check", "/nonexistent/manifest.json");
    expect(gone.code).toBe(1);
    expect(gone.text).toMatch(/cannot be read: ENOENT/);
    const dir = mkdtempSync(join(tmpdir(), "pydirect-check-"));
    dirs.push(dir);
    writeFileSync(join(dir, "m.json"), "{ not json");
    const garbled = await run("check", join(dir, "m.json"));
    expect(garbled.code).toBe(1);
    expect(garbled.text).toMatch(/manifest-not-json/);
  });
});

describe("over HTTP", () => {
  let server: Server;
  let base = "";
  let root = "";
  beforeAll(async () => {
    root = dirname(
      demo((files) => {
        const t = files.get("esp32/partition-table.bin")!.slice();
        t[5] ^= 1;
        files.set("esp32/partition-table.bin", t);
      }),
    );
    server = createServer((req, res) => {
      try {
        const body = readFileSync(join(root, decodeURIComponent(new URL(req.url!, "http://x").pathname)));
        res.writeHead(200, { "content-length": body.length }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("downloads the manifest and its parts relative to its URL", async () => {
    const { code, text } = await run("check", base + "manifest.json");
    expect(code).toBe(1);
    expect(text).toMatch(/ERROR sha256-mismatch esp32\/partition-table\.bin/);
    expect(text).toMatch(/esp32s3\/pydirect\.bin @0x10000 app "pyDirect"/);
  });
});

describe("the installed command", () => {
  it("checks what scripts/make-demo-firmware.ts writes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pydirect-demo-"));
    dirs.push(dir);
    await promisify(execFile)("npx", ["--no-install", "tsx", "scripts/make-demo-firmware.ts", dir], {
      cwd: ROOT,
      timeout: 60_000,
    });
    const first = readFileSync(join(dir, "esp32s3/pydirect.bin"));
    expect((await run("check", join(dir, "manifest.json"))).code).toBe(0);
    await promisify(execFile)("npx", ["--no-install", "tsx", "scripts/make-demo-firmware.ts", dir], {
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(readFileSync(join(dir, "esp32s3/pydirect.bin")).equals(first)).toBe(true);
  });

  it("runs through npx in this checkout", async () => {
    const path = demo();
    const { stdout } = await promisify(execFile)("npx", ["--no-install", "pydirect-portal", "check", path], {
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(stdout).toMatch(/passed: no errors/);
    const broken = demo((files) => files.set("esp32/pydirect.bin", files.get("esp32/pydirect.bin")!.subarray(0, 1000)));
    const failure = await promisify(execFile)("npx", ["--no-install", "pydirect-portal", "check", broken], {
      cwd: ROOT,
      timeout: 60_000,
    }).catch((e: unknown) => e);
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stdout: string }).stdout).toMatch(/ERROR (size-mismatch|sha256-mismatch)/);
  });
});
