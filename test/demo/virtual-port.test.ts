import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createVirtualChoice, virtualBoardModels, virtualModel } from "../../src/demo/virtual-port";
import { VIRTUAL_BOARD_MODELS } from "../../src/virtual-board/board-models";

const ROOT = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the virtual board as a port choice (src/demo)", () => {
  it("offers the virtual board's own list of boards, the 8 MB ESP32-S3 first", () => {
    expect(virtualBoardModels()).toBe(VIRTUAL_BOARD_MODELS);
    expect(virtualBoardModels()[0]).toMatchObject({ chip: "ESP32-S3", flashSize: 8 * 1024 * 1024 });
    expect(virtualModel("no such board")).toBe(VIRTUAL_BOARD_MODELS[0]);
  });

  it("makes a board of the chosen model (chip, flash, USB path), each with its own MAC", () => {
    let seed = 0.1;
    for (const model of VIRTUAL_BOARD_MODELS) {
      const choice = createVirtualChoice({ model, makeApp: () => undefined, random: () => (seed += 0.07) % 1 });
      expect(choice.virtual).toBe(true);
      expect(choice.label).toBe(`${model.label}, demo board`);
      expect(choice.board.identity).toMatchObject({
        chip: model.chip,
        flashSize: model.flashSize,
        usbSerialJtag: model.usbSerialJtag,
      });
    }
    const a = createVirtualChoice({ makeApp: () => undefined, random: () => 0.2 });
    const b = createVirtualChoice({ makeApp: () => undefined, random: () => 0.6 });
    expect(a.board.identity.mac).not.toEqual(b.board.identity.mac);
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
