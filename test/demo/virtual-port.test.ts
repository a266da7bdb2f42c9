import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createVirtualChoice, virtualBoardModels, virtualModel } from "../../src/demo/virtual-port";
import { SIMULATED_CHIPS } from "../../src/virtual-board/chips";

const ROOT = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the virtual board as a port choice (src/demo)", () => {
  it("offers every chip the virtual board simulates, the ESP32-S3 first, and the S3 with 16 MB", () => {
    const models = virtualBoardModels();
    expect(models[0]).toMatchObject({ id: "ESP32-S3", chip: "ESP32-S3" });
    expect(new Set(models.map((m) => m.chip))).toEqual(new Set(SIMULATED_CHIPS));
    expect(models.find((m) => m.flashSize === 16 * 1024 * 1024)).toMatchObject({ chip: "ESP32-S3" });
    expect(virtualModel("no such board").id).toBe("ESP32-S3");
  });

  it("makes a board of the chosen chip and flash size, each with its own MAC", () => {
    let seed = 0.1;
    const choice = createVirtualChoice({ chip: "ESP32-S3", flashSize: 16 * 1024 * 1024, makeApp: () => undefined, random: () => (seed += 0.1) });
    expect(choice.virtual).toBe(true);
    expect(choice.label).toBe("Virtual ESP32-S3, 16 MB (demo board)");
    expect(choice.board.flash.length).toBe(16 * 1024 * 1024);
    const other = createVirtualChoice({ chip: "ESP32-C3", makeApp: () => undefined, random: () => (seed += 0.1) });
    expect(other.label).toBe("Virtual ESP32-C3 (demo board)");
    expect(other.board.identity.mac).not.toEqual(choice.board.identity.mac);
  });

  it("nothing under src/core imports src/virtual-board except for the ChipFamily type", () => {
    const offenders = sources(join(ROOT, "src/core")).flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => /virtual-board/.test(line) && /\bimport\b|from\s+["']/.test(line))
        .filter((line) => !/^import type \{ ChipFamily \} from ["'][./]*virtual-board\/types["'];$/.test(line.trim()))
        .map((line) => `${file.replace(ROOT, "")}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
