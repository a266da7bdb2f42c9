import { describe, expect, it } from "vitest";
import { md5Hex, skipErasedStretches } from "../../../src/core/flash";

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

const offset = 0x10000;
/** 5 blocks of code-like bytes, then 0xFF padding from 0x3000 into the sixth block to the part's end. */
function paddedImage(): Uint8Array {
  const data = new Uint8Array(6 * 0x10000 - 0x800).map((_, i) => (i * 7 + (i >> 8)) & 0x7f);
  data.fill(0xff, 5 * 0x10000 + 0x3000);
  return data;
}

describe("skipErasedStretches", () => {
  it("leaves out 0xFF padding a blank chip already holds, in 4 KiB sectors, with one question", async () => {
    const flash = fakeFlash(new Uint8Array(4 << 20).fill(0xff));
    const data = paddedImage();
    // What findDifferingRuns gives when it stops at 64 KiB blocks (many differ, as on a blank chip).
    const runs = [{ start: 0, end: data.length }];
    expect(await skipErasedStretches(flash, offset, data, runs)).toEqual([{ start: 0, end: 5 * 0x10000 + 0x3000 }]);
    expect(flash.asked).toEqual([[offset + 5 * 0x10000 + 0x3000, data.length - (5 * 0x10000 + 0x3000)]]);
  });

  it("writes the padding after all where the chip holds something else there", async () => {
    const contents = new Uint8Array(4 << 20).fill(0xff);
    contents[offset + 5 * 0x10000 + 0x8000] = 0x00;
    const data = paddedImage();
    const runs = [{ start: 0, end: data.length }];
    expect(await skipErasedStretches(fakeFlash(contents), offset, data, runs)).toEqual(runs);
  });

  it("keeps a lone 0xFF sector inside a block: skipping it would trade one block erase for many sector erases", async () => {
    const flash = fakeFlash(new Uint8Array(4 << 20).fill(0xff));
    const data = new Uint8Array(0x20000).map((_, i) => (i * 13) & 0x7f);
    data.fill(0xff, 0x14000, 0x15000);
    const runs = [{ start: 0, end: data.length }];
    expect(await skipErasedStretches(flash, offset, data, runs)).toEqual(runs);
    expect(flash.asked).toEqual([]);
  });
});
