// Node-only: writes the demo firmware and its manifest under public/firmware/demo/.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { demoManifest, demoPartsByChip, DEMO_CHIPS } from "./lib/demo-firmware";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = process.argv[2] ? resolve(process.argv[2]) : join(root, "public", "firmware", "demo");

const parts = demoPartsByChip();
let bytes = 0;
for (const chip of DEMO_CHIPS) {
  for (const part of parts[chip]) {
    const file = join(outDir, part.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, part.data);
    bytes += part.data.length;
  }
}
writeFileSync(join(outDir, "manifest.json"), JSON.stringify(demoManifest(parts), null, 2) + "\n");
console.log(`demo firmware: ${DEMO_CHIPS.join(", ")} (${(bytes / 1024).toFixed(0)} KB) → ${outDir}/manifest.json`);
