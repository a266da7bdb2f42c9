/**
 * The virtual board with its MicroPython in a second thread, as the portal runs it in a browser
 * (there a Web Worker, here a Node worker thread running the same code): blocking sleeps cost no
 * CPU and leave the host's thread free, Ctrl-C cuts them short, files reach the board's flash,
 * and the whole provisioning and WebRTC verification works across the thread boundary. This file
 * holds the tests that bound time and CPU, and the WebRTC flow (vitest project "timed", run
 * alone); the other flows are in worker-board-flows.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { DeviceStatusEvent } from "../../../src/virtual-board/micropython";
import { verifyOverSerial } from "../../../src/core/verify";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { provisionDevice } from "../../../src/core/provision";
import { enterRaw, TEST_ACCESS_POINTS } from "./board-harness";
import { startWorkerBoard, type WorkerBoard } from "./worker-harness";

let wb: WorkerBoard | undefined;
afterEach(() => {
  wb?.term.close();
  wb?.board.unplug();
  wb = undefined;
});

/** CPU share of this process (all threads) and the longest stall of this thread's event loop. */
async function measure<T>(during: Promise<T>): Promise<{ value: T; cpuShare: number; worstLagMs: number }> {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  let worstLagMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worstLagMs = Math.max(worstLagMs, now - last - 20);
    last = now;
  }, 20);
  try {
    const value = await during;
    const cpu = process.cpuUsage(cpu0);
    return { value, cpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - wall0), worstLagMs };
  } finally {
    clearInterval(ticker);
  }
}

describe("MicroPython in a worker thread", () => {
  it("sleeps in a plain function without CPU while this thread stays free", async () => {
    wb = await startWorkerBoard({ accessPoints: TEST_ACCESS_POINTS });
    await enterRaw(wb.term);
    const run = wb.term.rawExec(
      "import time\ndef nap():\n    time.sleep_ms(2000)\nt = time.ticks_ms()\nnap()\nprint(time.ticks_diff(time.ticks_ms(), t) >= 1990)",
    );
    const { value, cpuShare, worstLagMs } = await measure(run);
    expect(value).toEqual(["True\r\n", ""]);
    // A spinning sleep would be a whole core (share ≥ 1) in the worker.
    expect(cpuShare).toBeLessThan(0.2);
    expect(worstLagMs).toBeLessThan(250);
  });

  it("ends a blocking sleep at once on Ctrl-C, as KeyboardInterrupt, and takes the Ctrl-C only once", async () => {
    wb = await startWorkerBoard({ accessPoints: TEST_ACCESS_POINTS });
    const { term } = wb;
    await enterRaw(term);
    await term.rawExec("import time\ndef nap(s):\n    time.sleep(s)");
    await term.send("nap(60)\x04");
    await term.until("OK");
    await new Promise((r) => setTimeout(r, 300));
    const sent = performance.now();
    await term.send("\x03");
    const stdout = await term.until("\x04");
    const stderr = await term.until("\x04");
    await term.until(">");
    expect(performance.now() - sent).toBeLessThan(2000);
    expect(stdout).toBe("\x04");
    // As the chip prints it: the sleep is native code, so the traceback ends in the caller.
    expect(stderr).toMatch(/line 3, in nap\r\nKeyboardInterrupt: \r\n\x04$/);

    // The program goes on after catching it; a second delivery of that Ctrl-C byte would
    // interrupt the module-level (cooperative) sleep, during which the console takes input.
    await term.send(
      "try:\n    nap(60)\nexcept KeyboardInterrupt:\n    print('caught')\ntime.sleep(1)\nprint('after')\x04",
    );
    await term.until("OK");
    await new Promise((r) => setTimeout(r, 300));
    await term.send("\x03");
    expect(await term.until("\x04")).toBe("caught\r\nafter\r\n\x04");
    expect(await term.until("\x04")).toBe("\x04");
  });

  it("a reset ends a runaway program: the worker is stopped and a new one boots", async () => {
    wb = await startWorkerBoard({ accessPoints: TEST_ACCESS_POINTS });
    await enterRaw(wb.term);
    await wb.term.send("while True:\n    pass\x04");
    await wb.term.until("OK");
    wb.term.skip();
    wb.board.reset("normal");
    await wb.app.whenReady(20_000);
    await wb.term.until(">>> ", 20_000);
    // The old worker was ended, not left spinning.
    const { cpuShare } = await measure(new Promise((r) => setTimeout(r, 1500)));
    expect(cpuShare).toBeLessThan(0.3);
    await enterRaw(wb.term);
    expect(await wb.term.rawExec("print('alive')")).toEqual(["alive\r\n", ""]);
  });

  // Here rather than in worker-board-flows: the Wi-Fi snapshot it checks crosses the thread
  // boundary after the serial reply, and with other files running beside it that can lag behind.
  it("provisions and verifies over WebRTC with the board's peers on this thread's stack", async () => {
    const workshop = TEST_ACCESS_POINTS[0];
    wb = await startWorkerBoard({ accessPoints: [workshop] }, { terminal: false });
    const status: DeviceStatusEvent[] = [];
    wb.app.onStatus((e) => status.push(e));
    const provisioned = await provisionDevice(wb.board.port, {
      wifi: { ssid: workshop.ssid, password: workshop.passphrase },
      wifiTimeoutMs: 20_000,
    });
    expect(provisioned.wifi.state).toBe("connected");
    expect(wb.app.wifi).toMatchObject({ ssid: workshop.ssid, status: 1010 });
    await expect.poll(() => status.some((e) => e.event === "webrtc"), { timeout: 20_000 }).toBe(true);
    const { report, channel, peer } = await verifyOverSerial(wb.board.port, {
      backend: weriftPeerBackend,
      certificatePem: provisioned.certificatePem,
      expect: { hostname: provisioned.hostname, version: "0.1.0" },
      boardIp: null,
      keepOpen: true,
    });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.proof).toBe("dtls-certificate");
    expect(await channel!.exec("import sys; sys.platform")).toEqual({ output: "'esp32'\n", error: null });
    channel!.close();
    peer!.close();
  });
});
