/**
 * Bench group "verify" on the virtual board (paced serial link at 115200 baud, MicroPython running
 * the device scripts, the `webrtc` module on werift, the portal on werift):
 *  - verify.open_ms_median: board reset → DataChannel open (boot, simulated Wi-Fi join, services
 *    start, serial signaling through the raw REPL, ICE + DTLS + SCTP);
 *  - verify.signaling_to_open_ms_median: the portal's part of that (signaling start → open);
 *  - verify.rtt_ms_p50 / p99: echo round trips on an open channel.
 */
import { performance } from "node:perf_hooks";
import { demoParts } from "../scripts/lib/demo-firmware";
import { provisionDevice } from "../src/core/provision";
import { weriftPeerBackend } from "../src/core/signaling/werift-peer-node";
import { verifyOverSerial } from "../src/core/verify";
import { VirtualBoard } from "../src/virtual-board";
import { createMicroPythonApp } from "../src/virtual-board/micropython";
import { webrtcModuleHook } from "../src/virtual-board/webrtc";

const OPEN_RUNS = 7;
const RTT_SAMPLES = 300;
const WIFI = { ssid: "Workshop", password: "correct horse battery" };

const round = (ms: number) => Math.round(ms * 100) / 100;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const verifyBench = {
  name: "verify",
  // pyDirect's own claims for its WebRTC path: set-up 500–2000 ms, DataChannel latency 5–20 ms on a LAN.
  goals: {
    "verify.signaling_to_open_ms_median": { max: 2000 },
    "verify.rtt_ms_p50": { max: 20 },
  },
  async run(): Promise<Record<string, number>> {
    const app = createMicroPythonApp({
      accessPoints: [{ ssid: WIFI.ssid, passphrase: WIFI.password, security: "wpa2-psk", rssi: -50, channel: 6 }],
      modules: [webrtcModuleHook({ backend: weriftPeerBackend })],
    });
    const board = new VirtualBoard({ chip: "ESP32-S3", paced: true, app });
    try {
      for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
      await board.waitForMode("app", 10_000);
      await app.whenReady();
      const provisioned = await provisionDevice(board.port, { wifi: WIFI, wifiTimeoutMs: 20_000 });
      if (provisioned.wifi.state !== "connected") throw new Error("bench board did not join Wi-Fi");

      const opens: number[] = [];
      const signalingToOpen: number[] = [];
      const rtts: number[] = [];
      for (let run = 0; run <= OPEN_RUNS; run++) {
        const ready = app.waitForStatus((e) => e.event === "webrtc" && e.state === "ready", 30_000);
        const resetAt = performance.now();
        board.reset();
        await ready;
        let openedAt = 0;
        const { report, channel, peer } = await verifyOverSerial(
          board.port,
          { backend: weriftPeerBackend, certificatePem: provisioned.certificatePem, echoCount: 1, keepOpen: run === 1 },
          (e) => {
            if (e.state === "channel-open") openedAt = performance.now();
          },
        );
        if (!report.passed)
          throw new Error(`bench verification ${run} of ${OPEN_RUNS} failed: ${JSON.stringify(report.checks)}`);
        if (run === 0) continue; // warm-up: wasm compile, werift load
        opens.push(openedAt - resetAt);
        signalingToOpen.push(report.openMs!);
        if (channel) {
          for (let i = 0; i < RTT_SAMPLES; i++) rtts.push(await channel.echo(`bench-${i}`));
          channel.close();
          peer!.close();
        }
      }
      return {
        "verify.open_ms_median": round(percentile(opens, 50)),
        "verify.signaling_to_open_ms_median": round(percentile(signalingToOpen, 50)),
        "verify.rtt_ms_p50": round(percentile(rtts, 50)),
        "verify.rtt_ms_p99": round(percentile(rtts, 99)),
      };
    } finally {
      board.unplug();
    }
  },
};

export default verifyBench;
