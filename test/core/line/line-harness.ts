/**
 * Virtual boards for the production line in Node, and the demo firmware served without a server.
 * Several boards' MicroPython cannot share one thread (one interpreter per realm), so each board's
 * app runs in its own worker thread, as each gets its own Web Worker in a browser.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import type { LinePort } from "../../../src/core/line";
import { VirtualBoard } from "../../../src/virtual-board";
import { createMicroPythonWorkerApp } from "../../../src/virtual-board/micropython/worker/worker-app";
import type { ChipFamily } from "../../../src/virtual-board/types";
import { nodeWorkerLike } from "../../virtual-board/micropython/worker-harness";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const ORIGIN = "http://portal.test/";
export const DEMO_MANIFEST = `${ORIGIN}firmware/demo/manifest.json`;
/** The demo manifest with only its ESP32-S3 build: an image other chips must refuse. */
export const S3_ONLY_MANIFEST = `${ORIGIN}firmware/demo/manifest-s3-only.json`;

export const LINE_WIFI = { ssid: "Workshop", password: "solder-and-flux" };
const ACCESS_POINTS = [{ ssid: LINE_WIFI.ssid, passphrase: LINE_WIFI.password }];

/** Serves public/ as if from ORIGIN, plus the S3-only manifest made from the demo one. */
export function publicFetch(): typeof fetch {
  return async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.href === S3_ONLY_MANIFEST) {
      const demo = JSON.parse(await readFile(join(ROOT, "public/firmware/demo/manifest.json"), "utf8")) as {
        builds: { chipFamily: string }[];
      };
      demo.builds = demo.builds.filter((b) => b.chipFamily === "ESP32-S3");
      return new Response(JSON.stringify(demo), { status: 200, headers: { "content-type": "application/json" } });
    }
    try {
      const body = new Uint8Array(await readFile(join(ROOT, "public", decodeURIComponent(url.pathname))));
      return new Response(body, { status: 200, headers: { "content-length": String(body.length) } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  };
}

let bundled: Promise<string> | null = null;

/**
 * The board worker bundled once into plain JavaScript, as the site ships it to a browser. Worker
 * threads that load it through tsx instead spend most of their start compiling TypeScript modules
 * one by one; on a line each board starts a worker per boot, several at a time. MicroPython stays
 * external: its glue finds its .wasm next to itself in node_modules.
 */
function boardWorkerBundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(ROOT, "node_modules/.cache/pydirect-line/board-worker.mjs");
    await build({
      entryPoints: [join(ROOT, "test/virtual-board/micropython/node-board-worker.ts")],
      outfile,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      external: ["@micropython/*"],
      logLevel: "silent",
    });
    return outfile;
  })();
  return bundled;
}

export async function spawnBundledBoardWorker() {
  // Plain JavaScript: the worker needs none of the loader hooks (tsx) this process runs under.
  return nodeWorkerLike(new Worker(await boardWorkerBundle(), { execArgv: [] }));
}

export interface LineBoard {
  board: VirtualBoard;
  choice: LinePort;
}

export interface LineBoardOptions {
  chip?: ChipFamily;
  /** Pace the link at its baud rate and charge SPI NOR times (bench); default unpaced. */
  paced?: boolean;
  /** Wi-Fi association time of the simulated network; default the runtime's own. */
  connectDelayMs?: number;
  /** false: no MicroPython, the flashed app only prints its boot log (flash-only figures). */
  app?: boolean;
}

let made = 0;

/** A new blank board with its own MAC, its MicroPython (once flashed) in a worker thread. */
export function makeLineBoard(options: LineBoardOptions = {}): LineBoard {
  made++;
  const chip = options.chip ?? "ESP32-S3";
  const mac = new Uint8Array([0x24, 0x6f, 0x28, 0x10, (made >> 8) & 0xff, made & 0xff]);
  const app =
    options.app === false
      ? undefined
      : createMicroPythonWorkerApp({
          accessPoints: ACCESS_POINTS,
          modules: ["webrtc"],
          ...(options.connectDelayMs !== undefined ? { connectDelayMs: options.connectDelayMs } : {}),
          spawn: spawnBundledBoardWorker,
          peerBackend: async () => weriftPeerBackend,
        });
  const board = new VirtualBoard({ chip, mac, paced: options.paced ?? false, ...(app ? { app } : {}) });
  return { board, choice: { port: board.port, label: `Virtual ${chip} #${made}`, virtual: true } };
}
