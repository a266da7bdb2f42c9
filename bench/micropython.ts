/**
 * Bench group "micropython": the virtual board's MicroPython app (unpaced link, so these are the
 * runtime's own costs): power-on to first prompt, soft reset, a raw-REPL round trip, a 4 KB
 * raw-paste exec, CPU share while idle at the prompt, and the filesystem image written to flash.
 * Then the same board with MicroPython in a second thread, as browsers run it (worker_*): boot,
 * raw-REPL round trip beside the in-thread one, and the CPU share of a 2 s sleep in a function.
 */
import { performance } from "node:perf_hooks";
import { enterRaw, rawPasteExec, startBoard } from "../test/virtual-board/micropython/board-harness";
import { startWorkerBoard } from "../test/virtual-board/micropython/worker-harness";
import type { BenchGroup } from "./run";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (v: number, places = 2) => Math.round(v * 10 ** places) / 10 ** places;

const group: BenchGroup = {
  name: "micropython",
  goals: {
    "micropython.boot_to_prompt_ms": { max: 1000 },
    "micropython.raw_exec_roundtrip_ms": { max: 20 },
    "micropython.idle_cpu_share": { max: 0.02 },
    "micropython.worker_blocking_sleep_cpu_share": { max: 0.05 },
  },
  async run() {
    const boots: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const bt = await startBoard();
      boots.push(performance.now() - t);
      bt.term.close();
      bt.board.unplug();
    }

    const bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    const softResets: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await term.send("\x04");
      await term.until("raw REPL; CTRL-B to exit\r\n>");
      softResets.push(performance.now() - t);
    }
    const roundTrips: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await term.rawExec(`print(${i})`);
      roundTrips.push(performance.now() - t);
    }
    const code =
      Array.from({ length: 100 }, (_, i) => `x${i} = ${i} # ${"pad".repeat(10)}`).join("\n") + "\nprint(x99)\n";
    const pastes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await rawPasteExec(term, code);
      pastes.push(performance.now() - t);
    }
    await term.rawExec("open('/blob.bin','wb').write(bytes(range(256)) * 64)");
    const fsBytes = bt.board.flash.subarray(bt.app.current!.filesystemRegion.offset);
    const imageBytes = 24 + new DataView(fsBytes.buffer, fsBytes.byteOffset + 8, 4).getUint32(0, true);

    await term.send("\x02");
    await term.until(">>> ");
    await new Promise((r) => setTimeout(r, 300));
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    await new Promise((r) => setTimeout(r, 3000));
    const cpu = process.cpuUsage(cpu0);
    const idleShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
    term.close();
    bt.board.unplug();

    const workerBoots: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const wb = await startWorkerBoard();
      workerBoots.push(performance.now() - t);
      wb.term.close();
      wb.board.unplug();
    }
    const wb = await startWorkerBoard();
    await enterRaw(wb.term);
    const workerTrips: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await wb.term.rawExec(`print(${i})`);
      workerTrips.push(performance.now() - t);
    }
    await wb.term.rawExec("import time\ndef nap():\n    time.sleep(2)");
    const napCpu0 = process.cpuUsage();
    const napWall0 = performance.now();
    await wb.term.rawExec("nap()");
    const napCpu = process.cpuUsage(napCpu0);
    const napShare = (napCpu.user + napCpu.system) / 1000 / (performance.now() - napWall0);
    wb.term.close();
    wb.board.unplug();

    return {
      "micropython.worker_boot_to_prompt_ms": round(median(workerBoots)),
      "micropython.worker_raw_exec_roundtrip_ms": round(median(workerTrips)),
      "micropython.worker_roundtrip_ratio": round(median(workerTrips) / median(roundTrips)),
      "micropython.worker_blocking_sleep_cpu_share": round(napShare, 4),
      "micropython.boot_to_prompt_ms": round(median(boots)),
      "micropython.soft_reset_ms": round(median(softResets)),
      "micropython.raw_exec_roundtrip_ms": round(median(roundTrips)),
      "micropython.raw_paste_4kb_ms": round(median(pastes)),
      "micropython.idle_cpu_share": round(idleShare, 4),
      "micropython.fs_image_bytes_with_16kb_file": imageBytes,
    };
  },
};

export default group;
