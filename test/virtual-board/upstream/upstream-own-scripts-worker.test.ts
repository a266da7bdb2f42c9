/**
 * DEV-ONLY, opt-in: upstream pyDirect's own device scripts (read from a local clone or mirror at
 * run time, never copied) on a board whose MicroPython runs in a worker, as the browser runs
 * boards: its `httpserver` is the worker's (no socket), reached over the page's simulated LAN.
 * Provisioned over serial out of the shipped setup mode, then verified over HTTPS signaling with
 * WBP through the portal's LAN transport. Runs when PYDIRECT_UPSTREAM_REPO names that repository:
 *
 *   PYDIRECT_UPSTREAM_REPO=/work/.mirror/jetpax+pyDirect/repo \
 *     npx vitest run --config vitest.config.ts test/virtual-board/upstream/upstream-own-scripts-worker.test.ts
 */
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { demoParts } from "../../../scripts/lib/demo-firmware";
import { provisionDevice } from "../../../src/core/provision";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { verifyOverHttps } from "../../../src/core/verify";
import { joinVirtualLan, virtualLanTransport } from "../../../src/demo/virtual-lan";
import { VirtualBoard } from "../../../src/virtual-board";
import { createMicroPythonWorkerApp } from "../../../src/virtual-board/micropython/worker/worker-app";
import { ACCESS_POINTS, WORKSHOP } from "../../core/upstream/upstream-board";
import { spawnNodeBoardWorker } from "../micropython/worker-harness";

const REPO = process.env.PYDIRECT_UPSTREAM_REPO;
const REV = process.env.PYDIRECT_UPSTREAM_REV ?? "HEAD";

function upstreamScripts(repo: string): Record<string, string> {
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  const files: Record<string, string> = {};
  for (const path of git("ls-tree", "-r", "--name-only", REV, "device-scripts").split("\n")) {
    if (!/\.(py|json)$/.test(path)) continue;
    files[path.slice("device-scripts".length)] = git("show", `${REV}:${path}`);
  }
  return files;
}

describe.runIf(REPO)("upstream pyDirect's own scripts in a board worker, over the page's LAN (dev-only)", () => {
  let board: VirtualBoard | null = null;
  afterAll(() => board?.unplug());

  it("is provisioned out of setup mode, then verifies over HTTPS signaling with WBP", async () => {
    const app = createMicroPythonWorkerApp({
      modules: ["webrtc", "upstream", "httpserver"],
      frozenFiles: upstreamScripts(REPO!),
      accessPoints: ACCESS_POINTS,
      connectDelayMs: 300,
      spawn: spawnNodeBoardWorker,
      peerBackend: async () => weriftPeerBackend,
    });
    const mac = new Uint8Array([0x24, 0x6f, 0x28, 0x77, 0x01, 0x02]);
    board = new VirtualBoard({ chip: "ESP32-S3", app, mac });
    joinVirtualLan(mac, () => app.network);
    for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
    await board.waitForMode("app");

    const result = await provisionDevice(board.port, { wifi: WORKSHOP, wifiTimeoutMs: 30_000 });
    expect(result.wifi).toMatchObject({ state: "connected", ip: "192.168.4.23" });
    expect(result.deviceKind).toMatchObject({ kind: "pydirect-upstream" });

    const t0 = Date.now();
    const { report } = await verifyOverHttps(
      virtualLanTransport("https://192.168.4.23", {
        mac: "24:6f:28:77:01:02",
        certFingerprint: result.certFingerprint,
      }),
      {
        backend: weriftPeerBackend,
        certificatePem: result.certificatePem,
        channelProtocol: "wbp",
        webreplPassword: result.webreplPassword,
        readyTimeoutMs: 30_000,
      },
    );
    console.log("verified over the LAN in", Date.now() - t0, "ms:", report.checks.at(-1)?.detail);
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.checks.find((c) => c.step === "repl")?.detail).toMatch(/^REPL over WebRTC works/);
    expect(app.network.serving?.https).toBe(true);
  }, 150_000);
});
