/**
 * Bench group "line": the production line on paced virtual ESP32-S3s (link paced at its baud
 * rate, SPI NOR erase and program times charged), the demo firmware through the real jobs
 * (manifest, install, flash, provision, WebRTC verification), in one run:
 *  - line.flash_speedup_8: eight boards flashed at once, over eight other boards flashed one after
 *    another by the same line with one slot (same image, same jobs);
 *  - line.full_flow_speedup_4: four boards through install, provision and verify at once, over
 *    four others one after another. Each board's MicroPython runs in its own worker thread.
 * Boards are fresh (blank) in every run, so each run writes the whole image. Also the wall times,
 * the mean time one board took in each run and the CPU time of the parallel runs, which say where
 * time goes when a figure falls short (a board that takes longer when it shares the host is
 * CPU-bound).
 */
import { performance } from "node:perf_hooks";
import { ProductionLine, type LineSettings } from "../src/core/line";
import { MemoryDeviceRegistry } from "../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../src/core/session/default-jobs";
import { weriftPeerBackend } from "../src/core/signaling/werift-peer-node";
import { DEMO_MANIFEST, LINE_WIFI, makeLineBoard, publicFetch, type LineBoard } from "../test/core/line/line-harness";
import type { BenchGroup } from "./run";

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

interface LineRun {
  wallMs: number;
  meanBoardMs: number;
  /** CPU time of this process (every thread: boards' workers too) over the run. */
  cpuMs: number;
}

async function runLine(boards: LineBoard[], settings: LineSettings, concurrency: number): Promise<LineRun> {
  const registry = new MemoryDeviceRegistry();
  const jobs = createPortalJobs({ fetch: publicFetch(), registry, peerBackend: weriftPeerBackend });
  const line = new ProductionLine({ jobs, registry, concurrency });
  for (const b of boards) line.addPort(b.choice);
  // Manifest and parts are fetched once before the clock starts, as a line's first board would.
  await jobs.loadFirmware(settings.offer.manifestUrl, new AbortController().signal);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await line.start(settings);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const failed = line.state.boards.filter((b) => b.step !== "done");
  if (summary.passed !== boards.length) {
    throw new Error(
      `line bench: ${failed.map((b) => `${b.label} ${b.step} ${b.error?.code}: ${b.error?.message}`).join("; ")}`,
    );
  }
  const meanBoardMs = line.state.boards.reduce((sum, b) => sum + (b.finishedAt! - b.startedAt!), 0) / boards.length;
  for (const b of boards) b.board.unplug();
  return { wallMs, meanBoardMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const lineBench: BenchGroup = {
  name: "line",
  goals: {
    "line.flash_speedup_8": { min: 6 },
    "line.full_flow_speedup_4": { min: 3 },
  },
  async run() {
    const jobs = createPortalJobs({ fetch: publicFetch() });
    const offer = (await jobs.loadFirmware(DEMO_MANIFEST, new AbortController().signal)).at(0);
    if (!offer) throw new Error("the demo manifest offers no firmware");

    // One unmeasured board first: the jobs load their modules (esptool-js, x509, WebRTC) on first
    // use, which the run measured first would otherwise pay alone.
    const fullFlow: LineSettings = { offer, wifi: LINE_WIFI };
    await runLine([makeLineBoard({ paced: true })], fullFlow, 1);

    const flashOnly: LineSettings = { offer, wifi: null };
    const flashBoards = () => Array.from({ length: 8 }, () => makeLineBoard({ paced: true, app: false }));
    const flashParallel = await runLine(flashBoards(), flashOnly, 8);
    const flashSerial = await runLine(flashBoards(), flashOnly, 1);

    const flowBoards = () => Array.from({ length: 4 }, () => makeLineBoard({ paced: true }));
    const flowParallel = await runLine(flowBoards(), fullFlow, 4);
    const flowSerial = await runLine(flowBoards(), fullFlow, 1);

    return {
      "line.flash_speedup_8": round(flashSerial.wallMs / flashParallel.wallMs, 2),
      "line.flash_8_parallel_ms": round(flashParallel.wallMs, 0),
      "line.flash_8_serial_ms": round(flashSerial.wallMs, 0),
      "line.flash_board_ms_parallel": round(flashParallel.meanBoardMs, 0),
      "line.flash_board_ms_serial": round(flashSerial.meanBoardMs, 0),
      "line.flash_8_parallel_cpu_ms": round(flashParallel.cpuMs, 0),
      "line.full_flow_speedup_4": round(flowSerial.wallMs / flowParallel.wallMs, 2),
      "line.full_flow_4_parallel_ms": round(flowParallel.wallMs, 0),
      "line.full_flow_4_serial_ms": round(flowSerial.wallMs, 0),
      "line.full_flow_board_ms_parallel": round(flowParallel.meanBoardMs, 0),
      "line.full_flow_board_ms_serial": round(flowSerial.meanBoardMs, 0),
      "line.full_flow_4_parallel_cpu_ms": round(flowParallel.cpuMs, 0),
    };
  },
};

export default lineBench;
