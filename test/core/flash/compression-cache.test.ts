import { inflate } from "pako";
import { describe, expect, it } from "vitest";
import { compressForFlashCached } from "../../../src/core/flash/compression-cache";

function bytes(seed: number, length = 200_000): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 7 === 0 ? x >>> 24 : i & 0x3f;
  }
  return out;
}

describe("compressForFlashCached", () => {
  it("compresses an image once for every board that gets it, keyed by its bytes, not the array", () => {
    const image = bytes(1);
    const first = compressForFlashCached(image);
    expect(inflate(first)).toEqual(image);
    // Another board's copy of the same image (a separate download) gets the same stream.
    expect(compressForFlashCached(image.slice())).toBe(first);
    // One byte different: its own stream.
    const changed = image.slice();
    changed[1234] ^= 1;
    const other = compressForFlashCached(changed);
    expect(other).not.toBe(first);
    expect(inflate(other)).toEqual(changed);
    // A caller that knows the bytes' MD5 names them instead of having them hashed again.
    const named = compressForFlashCached(image.subarray(0, 5000), "part-md5:0:5000");
    expect(inflate(named)).toEqual(image.subarray(0, 5000));
    expect(compressForFlashCached(image.slice(0, 5000), "part-md5:0:5000")).toBe(named);
  });
});
