/**
 * Bench group "firmware": how long the pre-write checks take (so checking never becomes a reason
 * to skip them), manifest parsing, demo firmware generation and how the demo app compresses.
 */
import { performance } from "node:perf_hooks";
import { deflateSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkFirmware } from "../src/core/image";
import { parseManifest } from "../src/core/manifest";
import { planInstall } from "../src/core/install";
import { MemoryPartCache } from "../src/core/download";
import { demoManifest, demoParts, demoPartsByChip, makeDemoApp } from "../scripts/lib/demo-firmware";

const round = (n: number) => Math.round(n * 100) / 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeMedian(runs: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function planCachedMs(): Promise<number> {
  const parts = demoPartsByChip();
  const files = new Map<string, Uint8Array>();
  for (const list of Object.values(parts)) for (const p of list) files.set(`https://bench.example/${p.path}`, p.data);
  const fetch = (async (url: RequestInfo | URL) =>
    new Response(files.get(url instanceof Request ? url.url : String(url))!.slice())) as typeof globalThis.fetch;
  const source = {
    manifest: parseManifest(demoManifest(parts)).manifest,
    manifestUrl: "https://bench.example/manifest.json",
  };
  const chip = { family: "ESP32-S3" as const, revision: 2, flashSize: 8 << 20, usbSerialJtag: true };
  const cache = new MemoryPartCache();
  await planInstall(source, chip, { fetch, cache });
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    await planInstall(source, chip, { fetch, cache });
    times.push(performance.now() - t);
  }
  return median(times);
}

export const firmwareBench = {
  name: "firmware",
  async run(): Promise<Record<string, number>> {
    const demo = demoParts("ESP32-S3").map((p) => ({ name: p.path, offset: p.offset, data: p.data }));
    const bigApp = makeDemoApp("ESP32-S3", { codeSize: 1900 * 1024 });
    const big = [demo[0], demo[1], { name: "big.bin", offset: 0x10000, data: bigApp }];
    const bigMs = timeMedian(9, () => checkFirmware(big, { family: "ESP32-S3" }));
    const fixture = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), "../test/fixtures/manifests/wled.json"),
      "utf8",
    );
    const t = performance.now();
    const app = makeDemoApp("ESP32-S3");
    const generateMs = performance.now() - t;
    return {
      "firmware.check_demo_build_ms_median": round(timeMedian(21, () => checkFirmware(demo, { family: "ESP32-S3" }))),
      "firmware.check_2mb_app_ms_median": round(bigMs),
      "firmware.check_mb_per_s": round(bigApp.length / 1048576 / (bigMs / 1000)),
      "firmware.manifest_parse_ms_median": round(timeMedian(101, () => parseManifest(fixture))),
      "firmware.plan_install_cached_ms_median": round(await planCachedMs()),
      "firmware.demo_app_generate_ms": round(generateMs),
      "firmware.demo_app_bytes": app.length,
      "firmware.demo_app_deflate_ratio": round(deflateSync(app).length / app.length),
    };
  },
};

export default firmwareBench;
