import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SHIPPED_STUBS } from "../../src/virtual-board/rom/stub-images";
import { STUB_DIR } from "./helpers/stub-upload";

// The simulator's table of stubs must be what esptool-js ships: recomputed here from the JSON files.
describe("the stub table in src/virtual-board/rom/stub-images.ts", () => {
  it("lists every stub esptool-js ships, with its addresses and the SHA-256 of its text and data", () => {
    const sha = (b64: string) => createHash("sha256").update(Buffer.from(b64, "base64")).digest("hex");
    const files = readdirSync(STUB_DIR)
      .filter((f) => f.endsWith(".json"))
      .sort();
    const fromJson = files.map((file) => {
      const j = JSON.parse(readFileSync(resolve(STUB_DIR, file), "utf8")) as Record<string, unknown>;
      return {
        file,
        entry: j.entry,
        textStart: j.text_start,
        textSha256: sha(j.text as string),
        dataStart: j.data_start,
        dataSha256: sha(j.data as string),
      };
    });
    const table = SHIPPED_STUBS.map(({ file, entry, textStart, textSha256, dataStart, dataSha256 }) => ({
      file,
      entry,
      textStart,
      textSha256,
      dataStart,
      dataSha256,
    })).sort((a, b) => a.file.localeCompare(b.file));
    // On a mismatch, the expected rows are printed: paste them into stub-images.ts.
    expect(table).toEqual(fromJson);
  });

  it("names the chip of each stub as esptool-js's stubFlasher.js picks it", () => {
    const picker = readFileSync(resolve(STUB_DIR, "../../stubFlasher.js"), "utf8");
    for (const stub of SHIPPED_STUBS) {
      // The file must appear inside the chip's own case, before the next one.
      const casePattern = new RegExp(`case "${stub.chip}":(?:(?!case ")[^])*?/${stub.file.replace(".", "\\.")}`);
      expect(picker, stub.file).toMatch(casePattern);
    }
  });
});
