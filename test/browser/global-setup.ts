import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

/** Build the site once for the whole browser suite (demo firmware first: the build copies it). */
export default function setup(): void {
  const root = resolve(import.meta.dirname, "../..");
  if (process.env.PYDIRECT_SKIP_BUILD === "1") return;
  if (process.env.PYDIRECT_DEMO_FIRMWARE_READY !== "1") {
    execFileSync("npx", ["tsx", "scripts/make-demo-firmware.ts"], { cwd: root, stdio: "inherit" });
  }
  // vitest sets NODE_ENV=test, which would make Vite build a non-production bundle (no service worker).
  execFileSync("npx", ["vite", "build", "--logLevel", "warn"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
}
