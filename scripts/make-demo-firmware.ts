// Node-only: writes the demo firmware and its manifest under public/firmware/demo/.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { demoManifest, demoPartsByChip, DEMO_CHIPS } from "./lib/demo-firmware";
import { OTHER_DEMO_KINDS, otherDemoManifest, otherDemoPartsByChip } from "./lib/demo-other-firmware";
import { demoProductManifest, demoProductMerged, DEMO_PRODUCTS } from "./lib/demo-products";

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
// One merged image per pyDirect product, named like pyDirect's release assets, with its own manifest.
mkdirSync(join(outDir, "products"), { recursive: true });
for (const product of DEMO_PRODUCTS) {
  const merged = demoProductMerged(product);
  writeFileSync(join(outDir, merged.path), merged.data);
  writeFileSync(
    join(outDir, "products", `${product.product}.manifest.json`),
    JSON.stringify(demoProductManifest(product, merged), null, 2) + "\n",
  );
  bytes += merged.data.length;
}
// Firmware that is not the portal's pyDirect: an Improv device, ESP-IDF's blink example, and the
// upstream pyDirect look-alike.
for (const kind of OTHER_DEMO_KINDS) {
  const other = otherDemoPartsByChip(kind);
  for (const chip of DEMO_CHIPS) {
    for (const part of other[chip] ?? []) {
      const file = join(outDir, kind, part.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, part.data);
      bytes += part.data.length;
    }
  }
  writeFileSync(join(outDir, kind, "manifest.json"), JSON.stringify(otherDemoManifest(kind, other), null, 2) + "\n");
}
console.log(
  `demo firmware: ${DEMO_CHIPS.join(", ")}; products ${DEMO_PRODUCTS.map((p) => p.product).join(", ")} (${(bytes / 1024).toFixed(0)} KB) → ${outDir}/manifest.json, ${outDir}/products/, ${outDir}/improv/, ${outDir}/blink/, ${outDir}/upstream/`,
);
