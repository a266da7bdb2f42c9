import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

/**
 * Writes the demo firmware (public/firmware/demo/) once for the whole Node suite. Files that
 * install it used to regenerate it each in their own beforeAll; with files running side by side,
 * one file rewriting an image while another reads it could hand the reader a half-written file.
 */
export default function setup(): void {
  // npm test (scripts/run-tests.ts) has written them already, and other stages read them meanwhile.
  if (process.env.PYDIRECT_DEMO_FIRMWARE_READY === "1") return;
  const root = resolve(import.meta.dirname, "..");
  execFileSync("npx", ["tsx", "scripts/make-demo-firmware.ts"], { cwd: root, stdio: "ignore" });
}
