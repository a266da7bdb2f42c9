/**
 * The line's sequencing with scripted jobs (no boards): slots, stopping, boards added mid-run,
 * ports pulled while waiting, the limits, progress and the registry.
 */
import { describe, expect, it } from "vitest";
import { PortalError } from "../../../src/core/errors";
import { BoardProgress, LineError, ProductionLine, type LineEvent, type LinePort } from "../../../src/core/line";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import type { PortalJobs } from "../../../src/core/session/jobs";
import type { BoardSummary, FirmwareOffer } from "../../../src/core/session/session-types";

const OFFER: FirmwareOffer = {
  manifestUrl: "http://portal.test/m.json",
  name: "pyDirect",
  version: "1.0.0",
  channel: "stable",
  releaseNotes: null,
  chipFamilies: ["ESP32-S3"],
  promptErase: false,
  skipErase: false,
};
const WIFI = { ssid: "Workshop", password: "secret-pass-1" };

/** A port that can be "unplugged" (fires disconnect) and carries the board's MAC for the fake jobs. */
function fakePort(n: number): LinePort & { pull(): void } {
  const target = new EventTarget();
  const port = Object.assign(target, {
    readable: null,
    writable: null,
    open: async () => undefined,
    close: async () => undefined,
    setSignals: async () => undefined,
    getInfo: () => ({}),
    mac: n,
  });
  return { port, label: `Port ${n}`, virtual: true, pull: () => target.dispatchEvent(new Event("disconnect")) };
}

const wait = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    });
  });

/** Jobs that take `ms` per step; `fail` makes one board's step throw. */
function fakeJobs(ms = 20, fail: (mac: number, step: string) => PortalError | null = () => null) {
  const macOf = (port: unknown) => (port as { mac: number }).mac;
  const step = async (port: unknown, name: string, signal: AbortSignal) => {
    await wait(ms, signal);
    const err = fail(macOf(port), name);
    if (err) throw err;
  };
  const jobs: PortalJobs = {
    async inspect(port, signal) {
      await step(port, "inspect", signal);
      const mac = `24:6f:28:00:00:${macOf(port).toString(16).padStart(2, "0")}`;
      return {
        chip: "ESP32-S3",
        description: "ESP32-S3",
        mac,
        flashSize: 8 << 20,
        usbSerialJtag: false,
        firmware: null,
      } satisfies BoardSummary;
    },
    loadFirmware: async () => [OFFER],
    async install(port, request, onEvent) {
      request.onParts?.(["bootloader", "app"], [1000, 9000]);
      for (const [index, [part, total]] of (
        [
          ["bootloader", 1000],
          ["app", 9000],
        ] as const
      ).entries()) {
        for (let written = 0; written <= total; written += total / 4) {
          onEvent({ state: "writing", part, index, written, total, skippedBytes: 0 });
          await wait(1, request.signal);
        }
      }
      await step(port, "install", request.signal);
      onEvent({ state: "verified", part: "bootloader", index: 0, md5: "x", skipped: false });
      onEvent({ state: "verified", part: "app", index: 1, md5: "y", skipped: false });
    },
    async provision(port, request, onEvent) {
      onEvent({ state: "writing", detail: "cert" });
      await step(port, "provision", request.signal);
      const n = macOf(port);
      return {
        deviceId: `id${n}`,
        hostname: `pyDirect-${n}`,
        deviceName: `pyDirect-${n}`,
        certFingerprint: `FP:${n}`,
        certificatePem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----",
        webreplPassword: null,
        address: null,
      };
    },
    async verify(port, request) {
      await step(port, "verify", request.signal);
      return { ok: true, roundTripMs: 2, detail: "verified over WebRTC" };
    },
    readProvisioned: async () => {
      throw new Error("not used");
    },
  };
  return { jobs };
}

/** Most boards between starting and finishing at the same time, from the line's events. */
function peakRunning(line: ProductionLine): { peak: number } {
  const stats = { peak: 0 };
  line.subscribe(() => {
    const running = line.state.boards.filter((b) => !["waiting", "done", "failed", "stopped"].includes(b.step)).length;
    stats.peak = Math.max(stats.peak, running);
  });
  return stats;
}

describe("ProductionLine", () => {
  it("runs boards at once up to its concurrency, one after another with one slot", async () => {
    for (const concurrency of [8, 1]) {
      const { jobs } = fakeJobs();
      const line = new ProductionLine({ jobs, concurrency });
      const stats = peakRunning(line);
      for (let i = 1; i <= 4; i++) line.addPort(fakePort(i));
      const summary = await line.start({ offer: OFFER, wifi: WIFI });
      expect(summary).toMatchObject({ passed: 4, failed: 0, stopped: 0 });
      expect(stats.peak).toBe(Math.min(4, concurrency));
    }
  });

  it("fails one board with its job's error and lets the others finish; registry has each as it finishes", async () => {
    const { jobs } = fakeJobs(10, (mac, step) =>
      mac === 2 && step === "provision"
        ? new PortalError("wifi-failed", "The board could not join Workshop.", { action: "check-wifi" })
        : null,
    );
    const registry = new MemoryDeviceRegistry();
    const line = new ProductionLine({ jobs, registry });
    const ports = [1, 2, 3].map(fakePort);
    for (const p of ports) line.addPort(p);
    const inRegistryWhenFinished: boolean[] = [];
    const finished: Promise<void>[] = [];
    line.subscribe((e) => {
      if (e.type === "board-finished" && e.board.step === "done")
        finished.push(
          registry.get(e.board.result!.deviceId!).then((r) => void inRegistryWhenFinished.push(r !== undefined)),
        );
    });
    const summary = await line.start({ offer: OFFER, wifi: WIFI });
    await Promise.all(finished);
    expect(summary).toMatchObject({ passed: 2, failed: 1 });
    const failed = line.state.boards.find((b) => b.step === "failed")!;
    expect(failed.label).toBe("Port 2");
    expect(failed.error).toMatchObject({ code: "wifi-failed", message: "The board could not join Workshop." });
    expect(inRegistryWhenFinished).toEqual([true, true]);
    expect((await registry.list()).map((r) => r.hostname)).toEqual(["pyDirect-1", "pyDirect-3"]);
    expect(JSON.stringify(line.state)).not.toContain(WIFI.password);
  });

  it("moves each board's progress forward only, to 1 when done, through the flow's steps", async () => {
    const { jobs } = fakeJobs(5);
    const line = new ProductionLine({ jobs });
    line.addPort(fakePort(1));
    const seen: { step: string; progress: number }[] = [];
    line.subscribe((e) => {
      if (e.type === "board-changed") seen.push({ step: e.board.step, progress: e.board.progress });
    });
    await line.start({ offer: OFFER, wifi: WIFI });
    for (let i = 1; i < seen.length; i++) expect(seen[i].progress).toBeGreaterThanOrEqual(seen[i - 1].progress);
    expect(seen.at(-1)).toEqual({ step: "done", progress: 1 });
    expect([...new Set(seen.map((s) => s.step))]).toEqual([
      "waiting",
      "connecting",
      "installing",
      "provisioning",
      "verifying",
      "done",
    ]);
    // Flash-only: the bar reaches its end after installing, and nothing is provisioned.
    const flash = new BoardProgress(true);
    flash.enter("installing");
    flash.parts(["a"], [100]);
    flash.install({ state: "writing", part: "a", index: 0, written: 100, total: 100, skippedBytes: 0 });
    flash.install({ state: "verified", part: "a", index: 0, md5: "m", skipped: false });
    expect(flash.value).toBe(1);
  });

  it("stops running boards and does not start waiting ones; a second start runs them again", async () => {
    const { jobs } = fakeJobs(200);
    const line = new ProductionLine({ jobs, concurrency: 2 });
    for (let i = 1; i <= 4; i++) line.addPort(fakePort(i));
    const run = line.start({ offer: OFFER, wifi: WIFI });
    await wait(50);
    expect(() => line.addPort(fakePort(1))).not.toThrow(); // another port object: allowed
    line.stop();
    const summary = await run;
    expect(summary.stopped).toBe(5);
    expect(line.state.boards.every((b) => b.step === "stopped" && b.error?.code === "stopped")).toBe(true);
    await expect(line.start({ offer: OFFER, wifi: null })).resolves.toMatchObject({ passed: 5 });
    expect(line.state.boards.every((b) => b.result?.hostname === null)).toBe(true);
    await expect(line.start({ offer: OFFER, wifi: null })).rejects.toMatchObject({ code: "no-boards" });
  });

  it("checks the shared Wi-Fi once before any board starts", async () => {
    const { jobs } = fakeJobs();
    const line = new ProductionLine({ jobs });
    line.addPort(fakePort(1));
    line.addPort(fakePort(2));
    await expect(line.start({ offer: OFFER, wifi: { ssid: "Workshop", password: "short" } })).rejects.toMatchObject({
      code: "invalid-password",
    });
    expect(line.running).toBe(false);
    expect(line.state.boards.every((b) => b.step === "waiting" && b.startedAt === null)).toBe(true);
  });

  it("takes a board plugged in mid-run into the running line", async () => {
    const { jobs } = fakeJobs(30);
    const line = new ProductionLine({ jobs });
    line.addPort(fakePort(1));
    const run = line.start({ offer: OFFER, wifi: WIFI });
    await wait(20);
    line.addPort(fakePort(2));
    expect(await run).toMatchObject({ passed: 2 });
  });

  it("fails a waiting board whose cable is pulled, and a running one the job does not notice, as unplugged", async () => {
    const { jobs } = fakeJobs(100);
    const line = new ProductionLine({ jobs, concurrency: 1, unplugGraceMs: 50 });
    const first = fakePort(1);
    const second = fakePort(2);
    line.addPort(first);
    line.addPort(second);
    const events: LineEvent[] = [];
    line.subscribe((e) => events.push(e));
    const run = line.start({ offer: OFFER, wifi: WIFI });
    await wait(20);
    second.pull(); // still waiting for the one slot
    first.pull(); // running: the fake job never notices, the line stops it after the grace time
    const summary = await run;
    expect(summary).toMatchObject({ passed: 0, failed: 2 });
    for (const b of line.state.boards) expect(b.error).toMatchObject({ code: "board-unplugged" });
    expect(line.state.boards[0].error?.message).toContain("Port 1 was unplugged");
    expect(events.filter((e) => e.type === "board-finished")).toHaveLength(2);
    // A finished board being unplugged is the operator taking it away: no error.
    const calm = new ProductionLine({ jobs: fakeJobs(1).jobs });
    const p = fakePort(9);
    calm.addPort(p);
    await calm.start({ offer: OFFER, wifi: WIFI });
    p.pull();
    expect(calm.state.boards[0].step).toBe("done");
  });

  it("refuses a ninth board, the same port twice, and removing a running board, each with its sentence", async () => {
    const { jobs } = fakeJobs(100);
    const line = new ProductionLine({ jobs });
    const ports = Array.from({ length: 8 }, (_, i) => fakePort(i + 1));
    for (const p of ports) line.addPort(p);
    expect(() => line.addPort(fakePort(9))).toThrow(LineError);
    expect(() => line.addPort(fakePort(9))).toThrow(/already has 8 boards/);
    line.removeBoard("board-8");
    expect(() => line.addPort(ports[0])).toThrow(/already on the line/);
    const run = line.start({ offer: OFFER, wifi: WIFI });
    await wait(10);
    expect(() => line.removeBoard("board-1")).toThrow(/Stop it first/);
    await expect(line.start({ offer: OFFER, wifi: WIFI })).rejects.toMatchObject({ code: "line-running" });
    await run;
    line.clearFinished();
    expect(line.state.boards).toHaveLength(0);
  });
});
