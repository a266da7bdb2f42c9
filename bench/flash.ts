/**
 * Bench group "flash": a 1.5 MiB firmware (bootloader, partition table, app) onto a paced virtual
 * ESP32-S3 behind a USB-UART bridge, timed end to end (reset into the bootloader to reset into
 * the app):
 *  - our flash job as the portal runs it (fast baud after the stub, a fresh per-USB memory, so the
 *    rates are probed as for the first board of a batch) behind a CP2102N (3 Mbaud), beside
 *    esptool-js driven as ESP Web Tools drives it (115200 baud, ESPLoader.main(), whole parts
 *    through writeFlash with compression, no verify), on identical boards with the same timing
 *    model, in the same run;
 *  - ours over the physical bound for this image on this board (see bench/lib/flash-bound.ts),
 *    and over a stricter one that counts only the sectors holding data (the board is blank);
 *  - ours behind a bridge capped at 921,600 (it garbles every faster rate tried), over the same
 *    ESP Web Tools time (115200 baud crosses both bridges alike);
 *  - link utilisation while our job writes behind the capped bridge, where the link is the
 *    bottleneck: bytes on the wire (SLIP framing, both directions) over what the baud rate could
 *    carry in that time (behind the CP2102N the flash chip is the bottleneck instead);
 *  - re-flashing the identical image, in ms (`flash.reflash_identical_ms`): nothing is written, so
 *    the time is what it costs to find that out, split into its phases: reset into the bootloader
 *    and sync (connect), the ROM's MD5 over each part (md5), and the reset into the app (reset);
 *  - where our full flash's time goes (`flash.full_{connect,prepare,baud,write,verify,reset}_ms`): to
 *    "connected", to the stub running (comparing with the flash, uploading the stub), to the fast
 *    rate settled, to the first part verified, to the reset, to the end;
 *  - re-flashing the image with one byte changed, as a fraction of our full flash.
 *  - the same install onto a board holding different firmware (another build at the same offsets),
 *    over the same ESP Web Tools time: esptool-js writes every byte whatever the flash holds, so
 *    its time does not depend on what was there; ours can no longer leave the padding out.
 * The boards model the link as it is (virtual-board link, usb-bridge, uart-clock, usb-latency):
 * the CP2102N's real baud rates, USB full-speed frames on both legs, the ROM's banner at 115200.
 */
import { ESPLoader, Transport } from "esptool-js";
import { InMemoryBaudMemory, flashParts, type FlashPart } from "../src/core/flash";
import { CHEAP_CH340_CLONE, CP2102N, VirtualBoard, type UsbBridgeProfile } from "../src/virtual-board";
import type { BenchGroup } from "./run";
import { flashBound } from "./lib/flash-bound";
import { syntheticFirmware } from "./lib/synthetic-firmware";
import { CPU_RATES } from "../src/virtual-board/rom/spi-flash";

const MIB = 1024 * 1024;
const RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function benchImage(): FlashPart[] {
  const bootloader = syntheticFirmware({ size: 20 * 1024, seed: 101 });
  const partitions = syntheticFirmware({ size: 3 * 1024, seed: 102 });
  const app = syntheticFirmware({ size: 1.5 * MIB - bootloader.length - partitions.length, seed: 103 });
  return [
    { name: "bootloader", offset: 0x0, data: bootloader },
    { name: "partition-table", offset: 0x8000, data: partitions },
    { name: "app", offset: 0x10000, data: app },
  ];
}

const pacedBoard = (bridge: UsbBridgeProfile = CP2102N) => new VirtualBoard({ chip: "ESP32-S3", paced: true, bridge });

/** Another build at the same offsets: what a board bought with other firmware on it holds. */
function otherFirmware(board: VirtualBoard, parts: FlashPart[]): void {
  for (const [i, p] of parts.entries()) {
    board.flash.set(syntheticFirmware({ size: p.data.length, seed: 201 + i }), p.offset);
  }
}
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function assertFlashHolds(board: VirtualBoard, parts: FlashPart[], who: string): void {
  for (const p of parts) {
    const got = board.flash.subarray(p.offset, p.offset + p.data.length);
    if (got.some((b, i) => b !== p.data[i])) throw new Error(`${who}: ${p.name} did not land on the board intact`);
  }
}

/** Where a full flash's time goes, from the job's events (ms). */
type FullPhases = Record<"connect" | "prepare" | "baud" | "write" | "verify" | "reset", number>;

async function ours(
  board: VirtualBoard,
  parts: FlashPart[],
): Promise<{ ms: number; utilization: number; baud: number; phases: FullPhases }> {
  // Set inside the event callback; an object's fields, so the compiler does not take them for never set.
  const write: { start?: { t: number; bytes: number }; end?: { t: number; bytes: number } } = {};
  const wireBytes = () => board.linkStats.toBoard + board.linkStats.toHost;
  const marks = new Map<string, number>();
  const t0 = performance.now();
  // The write phase: from the first block going out to the last block acknowledged.
  const report = await flashParts(board.port, { parts, fastBaud: { memory: new InMemoryBaudMemory() } }, (e) => {
    const key = e.state === "baud" ? `baud-${e.decision}` : e.state;
    if (!marks.has(key) || key === "baud-settled") marks.set(key, performance.now());
    if (e.state !== "writing") return;
    const mark = { t: performance.now(), bytes: wireBytes() };
    write.start ??= mark;
    write.end = mark;
  });
  const end = performance.now();
  const ms = end - t0;
  const at = (state: string) => marks.get(state) ?? Number.NaN;
  const settled = marks.get("baud-settled") ?? at("stub-running");
  const phases: FullPhases = {
    connect: at("connected") - t0,
    prepare: at("stub-running") - at("connected"),
    baud: settled - at("stub-running"),
    write: at("verifying") - settled,
    verify: at("resetting") - at("verifying"),
    reset: end - at("resetting"),
  };
  let utilization = 0;
  if (write.start && write.end) {
    const s = write.start;
    const e = write.end;
    utilization = (e.bytes - s.bytes) / (report.baudRate / 10) / ((e.t - s.t) / 1000);
  }
  return { ms, utilization, baud: report.baudRate, phases };
}

/** esptool-js the way ESP Web Tools uses it: 115200 baud, main(), writeFlash with compression, hard reset. */
async function espWebToolsStyle(board: VirtualBoard, parts: FlashPart[]): Promise<number> {
  const quiet = { clean: () => undefined, write: () => undefined, writeLine: () => undefined };
  const transport = new Transport(board.port as unknown as SerialPort, false);
  const loader = new ESPLoader({ transport, baudrate: 115200, terminal: quiet });
  // esptool-js prints a few trace lines to the console whatever its settings.
  const log = console.log;
  console.log = () => undefined;
  try {
    const t0 = performance.now();
    await loader.main();
    await loader.writeFlash({
      fileArray: parts.map((p) => ({ data: p.data, address: p.offset })),
      flashSize: "keep",
      flashMode: "keep",
      flashFreq: "keep",
      eraseAll: false,
      compress: true,
    });
    await loader.after("hard_reset");
    await transport.disconnect();
    return performance.now() - t0;
  } finally {
    console.log = log;
  }
}

const flashBench: BenchGroup = {
  name: "flash",
  goals: {
    "flash.ratio_vs_ewt": { max: 0.1 },
    "flash.ratio_vs_ewt_over_other": { max: 0.1 },
    "flash.ratio_vs_limit_blank_aware": { max: 1.1 },
    "flash.ratio_vs_ewt_capped": { max: 0.2 },
    "flash.link_utilization": { min: 0.85 },
    "flash.reflash_identical_ms": { max: 650 },
    "flash.reflash_one_sector": { max: 0.1 },
  },
  explain(f) {
    const notes: string[] = [];
    const blankAware = f["flash.ratio_vs_limit_blank_aware"];
    if (blankAware > 1.1) {
      // What the chip and the protocol add to the bound (wire and NOR only), phase by phase, from
      // the median full flash: the write phase over the NOR time, and everything around it.
      const limit = f["flash.limit_blank_aware_ms"];
      const goalMs = 1.1 * limit;
      const writeOver = f["flash.full_write_ms"] - limit;
      const md5Ms = f["flash.image_bytes"] / CPU_RATES.md5BytesPerMs;
      const around = f["flash.ours_ms"] - f["flash.full_write_ms"];
      notes.push(
        `flash.ratio_vs_limit_blank_aware is ${blankAware}: ${Math.round(f["flash.ours_ms"] - goalMs)} ms over the 1.10 ` +
          `goal (${Math.round(goalMs)} ms; the bound is NOR time alone, ${limit} ms). Of our ${f["flash.ours_ms"]} ms: ` +
          `writing ${f["flash.full_write_ms"]} ms, ${Math.round(writeOver)} ms over the NOR time, because the stub ` +
          `programs its 32 KiB inflate buffer only when it is full and takes one block at a time ` +
          `(stub_write_flash.c, stub_flasher.c): 16 KiB, the most a block may carry, inflates to about 25 KiB of ` +
          `this image, so each 32 KiB takes two blocks, and once a stream's erases are done the flash waits for the ` +
          `second to cross the wire (the job cuts it to just the rest of the 32 KiB); the read-back MD5 ` +
          `${f["flash.full_verify_ms"]} ms (the chip hashes the ` +
          `image, ${Math.round(md5Ms)} ms at the model's ${CPU_RATES.md5BytesPerMs} B/ms, no job skips it short of not ` +
          `verifying); connecting ${f["flash.full_connect_ms"]} ms (EN pulse, IO0 held 50 ms while EN rises, sync at ` +
          `115200, chip detection in ~5 ms round trips over 1 ms USB frames); comparing with the flash and uploading ` +
          `the stub at 921,600 ${f["flash.full_prepare_ms"]} ms; the link check and switch to 3 Mbaud ` +
          `${f["flash.full_baud_ms"]} ms; the reset ${f["flash.full_reset_ms"]} ms. Outside writing, ${Math.round(around)} ms ` +
          `(${((around / limit) * 100).toFixed(1)} % of the bound), against the goal's 10 % margin for everything.`,
      );
    }
    for (const key of ["flash.ratio_vs_ewt", "flash.ratio_vs_ewt_over_other"]) {
      if (f[key] > 0.1) {
        notes.push(
          `${key} is ${f[key]}: ${Math.round((f[key] / 0.1 - 1) * 1000) / 10} % over the 0.10 goal ` +
            `(ESP Web Tools took ${f["flash.ewt_style_ms"]} ms; 0.10 of it is ${Math.round(f["flash.ewt_style_ms"] / 10)} ms).`,
        );
      }
    }
    return notes;
  },
  notes: {
    "flash.reflash_identical_ms":
      "bounded by the board, not the data: connect (EN held low 10 ms, IO0 held 50 ms while EN rises through " +
      "its RC network as esptool does, sync at 115200, the switch to 921,600 and about 20 register round trips " +
      "of chip detection at ~5 ms each across 1 ms USB frames), md5 (the ROM reading and hashing 1.5 MB, 197 ms " +
      "at the model's 8000 B/ms, plus one round trip per 256 KiB piece), and reset (EN held 10 ms); " +
      "see flash.reflash_identical_{connect,md5,reset}_ms",
    "flash.ratio_vs_limit_blank_aware":
      "bounded by the NOR time plus the stub's protocol while writing, the read-back MD5, connecting, the stub " +
      "upload and the reset; see flash.full_{connect,prepare,baud,write,verify,reset}_ms",
  },
  async run() {
    const parts = benchImage();

    // The full flash is the figure everything else is measured against: median of three boards.
    const fullRuns: Array<{ ms: number; baud: number; phases: FullPhases }> = [];
    let board = pacedBoard();
    for (let i = 0; i < RUNS; i++) {
      if (i > 0) {
        board.unplug();
        board = pacedBoard();
      }
      const run = await ours(board, parts);
      assertFlashHolds(board, parts, "flash job");
      fullRuns.push(run);
    }
    const full = [...fullRuns].sort((a, b) => a.ms - b.ms)[fullRuns.length >> 1];
    const bound = flashBound(parts, CP2102N.maxBaud);

    // Re-flashes are short, so a loaded machine's hiccups weigh more: take the median of three.
    // Each run's phases from the job's events: connecting → preparing is the connect, the first
    // "comparing" → the first "verifying" the MD5s, "resetting" → the end the reset.
    const identicalRuns: number[] = [];
    const phaseRuns: Array<Record<"connect" | "md5" | "reset", number>> = [];
    for (let i = 0; i < RUNS; i++) {
      const marks = new Map<string, number>();
      const t = performance.now();
      const r = await flashParts(board.port, { parts }, (e) => {
        if (!marks.has(e.state)) marks.set(e.state, performance.now());
      });
      const end = performance.now();
      identicalRuns.push(end - t);
      if (r.bytesWritten !== 0) throw new Error("identical re-flash wrote something");
      const at = (state: string) => marks.get(state) ?? Number.NaN;
      phaseRuns.push({
        connect: at("preparing") - t,
        md5: at("verifying") - at("comparing"),
        reset: end - at("resetting"),
      });
    }
    const phaseMs = (phase: "connect" | "md5" | "reset") => median(phaseRuns.map((p) => p[phase]));

    // Alternate between two images one byte apart, so that every run has one sector to write.
    const changed = parts.map((p) => ({ ...p, data: p.data.slice() }));
    changed[2].data[700_000] ^= 0x5a;
    const oneSectorRuns: number[] = [];
    let oneSectorBytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const image = i % 2 === 0 ? changed : parts;
      const t = performance.now();
      const r = await flashParts(board.port, { parts: image });
      oneSectorRuns.push(performance.now() - t);
      oneSectorBytes = Math.max(oneSectorBytes, r.bytesWritten);
      assertFlashHolds(board, image, "one-sector re-flash");
    }
    board.unplug();
    const identicalMs = median(identicalRuns);
    const oneSectorMs = median(oneSectorRuns);

    const cappedBoard = pacedBoard(CHEAP_CH340_CLONE);
    const capped = await ours(cappedBoard, parts);
    assertFlashHolds(cappedBoard, parts, "flash job behind the capped bridge");
    cappedBoard.unplug();

    const otherRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const otherBoard = pacedBoard();
      otherFirmware(otherBoard, parts);
      otherRuns.push((await ours(otherBoard, parts)).ms);
      assertFlashHolds(otherBoard, parts, "flash job over other firmware");
      otherBoard.unplug();
    }
    const overOtherMs = median(otherRuns);

    const ewtBoard = pacedBoard();
    const ewtMs = await espWebToolsStyle(ewtBoard, parts);
    assertFlashHolds(ewtBoard, parts, "esptool-js (ESP Web Tools style)");
    ewtBoard.unplug();

    return {
      "flash.image_bytes": parts.reduce((s, p) => s + p.data.length, 0),
      "flash.ours_ms": round(full.ms, 0),
      "flash.ours_baud": full.baud,
      "flash.ewt_style_ms": round(ewtMs, 0),
      "flash.ratio_vs_ewt": round(full.ms / ewtMs),
      "flash.ours_over_other_ms": round(overOtherMs, 0),
      "flash.ratio_vs_ewt_over_other": round(overOtherMs / ewtMs),
      "flash.ratio_vs_limit_over_other": round(overOtherMs / bound.ms),
      "flash.limit_ms": round(bound.ms, 0),
      "flash.limit_wire_ms": round(bound.wireMs, 0),
      "flash.limit_nor_ms": round(bound.norMs, 0),
      "flash.ratio_vs_limit": round(full.ms / bound.ms),
      "flash.limit_blank_aware_ms": round(Math.max(bound.wireMs, bound.norBlankAwareMs), 0),
      "flash.ratio_vs_limit_blank_aware": round(full.ms / Math.max(bound.wireMs, bound.norBlankAwareMs)),
      "flash.full_connect_ms": round(full.phases.connect, 0),
      "flash.full_prepare_ms": round(full.phases.prepare, 0),
      "flash.full_baud_ms": round(full.phases.baud, 0),
      "flash.full_write_ms": round(full.phases.write, 0),
      "flash.full_verify_ms": round(full.phases.verify, 0),
      "flash.full_reset_ms": round(full.phases.reset, 0),
      "flash.ours_capped_ms": round(capped.ms, 0),
      "flash.ours_capped_baud": capped.baud,
      "flash.ratio_vs_ewt_capped": round(capped.ms / ewtMs),
      "flash.link_utilization": round(capped.utilization),
      "flash.reflash_identical_ms": round(identicalMs, 0),
      "flash.reflash_identical_connect_ms": round(phaseMs("connect"), 0),
      "flash.reflash_identical_md5_ms": round(phaseMs("md5"), 0),
      "flash.reflash_identical_reset_ms": round(phaseMs("reset"), 0),
      "flash.reflash_one_sector_ms": round(oneSectorMs, 0),
      "flash.reflash_one_sector_bytes_written": oneSectorBytes,
      "flash.reflash_one_sector": round(oneSectorMs / full.ms),
    };
  },
};

export default flashBench;
