import { describe, expect, it } from "vitest";
import { findDifferingRuns, md5Hex } from "../../../src/core/flash";

/** Flash contents the planner sees only through MD5 requests, which are counted. */
function fakeFlash(contents: Uint8Array) {
  const asked: Array<[number, number]> = [];
  return {
    asked,
    md5: async (offset: number, length: number) => {
      asked.push([offset, length]);
      return md5Hex(contents.subarray(offset, offset + length));
    },
  };
}

function image(size: number, seed: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 31 + seed * 7 + (i >> 9)) & 0xff);
}

describe("findDifferingRuns", () => {
  const offset = 0x10000;
  const app = image(1_500_000, 1);

  it("finds nothing to write when the flash holds the part, with few questions", async () => {
    const flash = new Uint8Array(4 << 20).fill(0xff);
    flash.set(app, offset);
    const f = fakeFlash(flash);
    expect(await findDifferingRuns(f, offset, app)).toEqual([]);
    expect(f.asked.length).toBeLessThanOrEqual(6);
  });

  it("narrows a one-byte change to the 4 KiB sector holding it", async () => {
    const flash = new Uint8Array(4 << 20).fill(0xff);
    flash.set(app, offset);
    flash[offset + 777_777] ^= 1;
    const runs = await findDifferingRuns(fakeFlash(flash), offset, app);
    const sectorStart = Math.floor((offset + 777_777) / 4096) * 4096 - offset;
    expect(runs).toEqual([{ start: sectorStart, end: sectorStart + 4096 }]);
  });

  it("keeps sector alignment in flash addresses and clips the last run to the part", async () => {
    const flash = new Uint8Array(4 << 20).fill(0xff);
    flash.set(app, offset);
    flash[offset + app.length - 1] ^= 1;
    flash[offset + 5] ^= 1;
    flash[offset + 4096] ^= 1;
    const runs = await findDifferingRuns(fakeFlash(flash), offset, app);
    const lastSector = Math.floor((app.length - 1) / 4096) * 4096;
    expect(runs).toEqual([
      { start: 0, end: 8192 },
      { start: lastSector, end: app.length },
    ]);
  });

  it("writes differing blocks whole when most of the part differs (another firmware, a blank chip)", async () => {
    const flash = new Uint8Array(4 << 20).fill(0xff);
    const f = fakeFlash(flash);
    const runs = await findDifferingRuns(f, offset, app);
    expect(runs).toEqual([{ start: 0, end: app.length }]);
    // No sector-level questions were asked.
    expect(f.asked.every(([, length]) => length > 4096)).toBe(true);
  });

  it("asks about a piece's head first when told the part before it differed, and not otherwise", async () => {
    const blank = new Uint8Array(4 << 20).fill(0xff);
    const hinted = fakeFlash(blank);
    expect(await findDifferingRuns(hinted, offset, app, true)).toEqual([{ start: 0, end: app.length }]);
    // The first question is about the first piece's 8 KiB head, not all of its 256 KiB.
    expect(hinted.asked[0]).toEqual([offset, 0x2000]);
    const plain = fakeFlash(blank);
    await findDifferingRuns(plain, offset, app);
    expect(plain.asked[0]).toEqual([offset, 0x30000]);
    // The hint costs an identical part one small question per piece, nothing more.
    const same = blank.slice();
    same.set(app, offset);
    const f = fakeFlash(same);
    expect(await findDifferingRuns(f, offset, app, true)).toEqual([]);
    expect(f.asked.filter(([, length]) => length === 0x2000)).toHaveLength(1);
  });

  it("skips 0xFF padding that a blank chip already holds", async () => {
    const flash = new Uint8Array(4 << 20).fill(0xff);
    const padded = app.slice();
    padded.fill(0xff, 0x100000 - offset + offset); // from 1 MiB into the part to its end
    const runs = await findDifferingRuns(fakeFlash(flash), offset, padded);
    expect(runs).toEqual([{ start: 0, end: 0x100000 }]);
  });
});
