import { defineConfig } from "vitest/config";

// Browser tests: vitest runs in Node and drives the system Chromium through playwright-core.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
