import { defineConfig } from "vitest/config";

/**
 * Files whose assertions bound wall-clock time from above (a reply within N ms, event-loop lag,
 * the stub's ack while SPI NOR work goes on, a Wi-Fi join's realistic duration, a DataChannel
 * opening before the gathering limit). They run after the rest, one file at a time, beside only
 * the browser suite, which `npm test` runs as SCHED_IDLE, so a neighbour's CPU burst cannot fail
 * them (scripts/run-tests.ts). Files that only bound time from below (the link's wire
 * time, usb-bridge's pacing) or measure their own process's CPU share (idle-cpu, input) stay in
 * the parallel project: being slowed down cannot fail them.
 */
const TIMED = [
  "test/virtual-board/timing-model.test.ts",
  "test/virtual-board/micropython/worker-board.test.ts",
  "test/virtual-board/micropython/asyncio.test.ts",
  "test/virtual-board/micropython/repl.test.ts",
  "test/virtual-board/micropython/network.test.ts",
  "test/core/repl/raw-repl.test.ts",
  "test/core/repl/console-connection.test.ts",
  "test/core/verify/trickle.test.ts",
  // Six boards at once through flash, provision and WebRTC verification, each raw-REPL command
  // held to the product's own 10 s answer limit: beside lint, the type check and three other
  // files on two cores, one board's command once took longer (seen in CI, not in the product).
  "test/core/line/line-virtual-boards.test.ts",
];

/**
 * Files that replace globals or module exports (vi.stubGlobal, vi.spyOn on a prototype, fake
 * timers). Each restores what it replaced, but a file that fails half-way would leave its stand-in
 * to the next file in the same process, so these get a fresh module graph each.
 */
const REPLACES_GLOBALS = [
  "test/core/firmware-sources/manifest-url.test.ts",
  "test/core/session/handoff.test.ts",
  "test/core/flash/fast-baud.test.ts",
  "test/core/flash/strict-board.test.ts",
  "test/virtual-board/link-model.test.ts",
  "test/virtual-board/usb-bridge.test.ts",
];

/**
 * Most files spend their time waiting on the virtual board's real timers (boots, Wi-Fi joins,
 * esptool-js read timeouts on a garbled link), not on the CPU: measured, a batch of session and
 * flash files used 50 s of CPU in 275 s of wall time. So even on two cores several files overlap
 * well; vitest's default (available cores - 1, i.e. one on a 2-core machine) would run them
 * one after another.
 */
const PARALLEL_FILES = 4;

/** What every project of the Node suite shares (the global setup stays on the root: it runs once). */
const shared = {
  environment: "node",
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: "forks",
} as const;

/**
 * The two projects that run together (vitest requires one maxWorkers for one groupOrder). Four
 * files on two cores: a test that spawns processes (the CLI through npx, the release script) takes
 * longer than alone; the limit still catches a hang.
 */
const sideBySide = {
  maxWorkers: PARALLEL_FILES,
  testTimeout: 120_000,
  hookTimeout: 120_000,
  sequence: { groupOrder: 0 },
} as const;

// Unit and integration tests that run in Node against the virtual board.
export default defineConfig({
  test: {
    // The demo firmware the session tests install, written once before any file reads it.
    globalSetup: ["test/demo-firmware-setup.ts"],
    projects: [
      {
        test: {
          ...shared,
          name: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**", "node_modules/**", ...TIMED, ...REPLACES_GLOBALS],
          ...sideBySide,
          // A worker imports the project once and runs file after file in it, instead of a fresh
          // process re-importing esptool-js, MicroPython's wasm glue and the simulator for each
          // file: measured alone on two cores, 344 core-s and 220 s isolated, 237 core-s and 175 s
          // not. Boards, ports and servers are made per test, so no file sees another's.
          isolate: false,
        },
      },
      {
        test: {
          ...shared,
          name: "node-isolated",
          include: REPLACES_GLOBALS,
          ...sideBySide,
        },
      },
      {
        test: {
          ...shared,
          name: "timed",
          include: TIMED,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
