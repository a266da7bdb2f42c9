/**
 * Bench group "provision": certificate generation (ours: ECDSA P-256 on WebCrypto; beside it the
 * previous pyDirect flasher's pure-JS RSA-2048 with node-forge, same run) and a whole
 * provisioning job on a paced 115200 virtual board running MicroPython (until the board reports
 * its Wi-Fi connected; the simulated radio takes 1.5 s of that to associate).
 */
import { performance } from "node:perf_hooks";
import { generateDeviceCertificate, provisionDevice } from "../src/core/provision";
import { VirtualBoard } from "../src/virtual-board";
import { createMicroPythonApp } from "../src/virtual-board/micropython";
import { demoParts } from "../scripts/lib/demo-firmware";
import type { BenchGroup } from "./run";
import { oldPortalCertificate } from "../test/core/provision/old-portal";

const CERT_RUNS = 41;
const FORGE_RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

async function certGenMs(): Promise<number> {
  await generateDeviceCertificate({ hostname: "warm-up" });
  const times: number[] = [];
  for (let i = 0; i < CERT_RUNS; i++) {
    const t = performance.now();
    await generateDeviceCertificate({ hostname: `pyDirect-${i.toString(16).padStart(6, "0")}` });
    times.push(performance.now() - t);
  }
  return median(times);
}

function forgeCertMs(): number {
  const times: number[] = [];
  for (let i = 0; i < FORGE_RUNS; i++) {
    const t = performance.now();
    oldPortalCertificate(`pyDirect-${i}`);
    times.push(performance.now() - t);
  }
  return median(times);
}

async function provisionTotal(): Promise<Record<string, number>> {
  const app = createMicroPythonApp({ accessPoints: [{ ssid: "Workshop", passphrase: "correct horse battery" }] });
  const board = new VirtualBoard({ chip: "ESP32-S3", paced: true, app });
  for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
  await board.waitForMode("app");
  await app.whenReady();
  const t = performance.now();
  let committedAt = 0;
  const result = await provisionDevice(
    board.port,
    { wifi: { ssid: "Workshop", password: "correct horse battery" } },
    (e) => {
      if (e.state === "resetting") committedAt = performance.now();
    },
  );
  const total = performance.now() - t;
  board.unplug();
  if (result.wifi.state !== "connected") throw new Error(`bench board did not connect: ${result.wifi.reason}`);
  return { "provision.total_ms": round(total), "provision.until_reset_ms": round(committedAt - t) };
}

export const provisionBench: BenchGroup = {
  name: "provision",
  goals: { "provision.cert_gen_ms_median": { max: 15 } },
  async run(): Promise<Record<string, number>> {
    const figures: Record<string, number> = {};
    figures["provision.cert_gen_ms_median"] = round(await certGenMs());
    figures["provision.forge_rsa_cert_ms_median"] = round(forgeCertMs());
    Object.assign(figures, await provisionTotal());
    return figures;
  },
};

export default provisionBench;
