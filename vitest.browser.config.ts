import { defineConfig } from "vitest/config";

// Browser tests: vitest runs in Node and drives the system Chromium through playwright-core.
// The site is built once (global-setup) and served from dist/ by test/browser/harness.ts.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/browser/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
