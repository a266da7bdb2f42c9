import { defineConfig } from "vitest/config";

/** What every project of the browser suite shares (the global setup stays on the root: it runs once). */
const shared = {
  environment: "node",
  testTimeout: 180_000,
  hookTimeout: 180_000,
} as const;

/**
 * Files that measure the browser itself (its CPU over a sleep, the page's slowest answer): they
 * run alone, after the rest.
 */
const TIMED = ["test/browser/virtual-board-worker.test.ts"];

// Browser tests: vitest runs in Node and drives the system Chromium through playwright-core.
// The site is built once (global-setup) and served from dist/ by test/browser/harness.ts; every
// file starts its own servers on port 0 and a fresh context in its worker's Chromium, and only
// reads dist/, so two files can run side by side (the machine has two cores; a third Chromium
// would only queue for them).
export default defineConfig({
  test: {
    globalSetup: ["test/browser/global-setup.ts"],
    projects: [
      {
        test: {
          ...shared,
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          exclude: TIMED,
          maxWorkers: 2,
          // Each file starts its own servers and browser context; what it imports (playwright-core,
          // the harness) holds no state between files but the worker's Chromium, so a worker
          // imports it once, not once a file.
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: "browser-timed",
          include: TIMED,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
