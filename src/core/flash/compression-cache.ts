/**
 * The deflate stream for bytes flashed before, kept for the next board. A production line writes
 * the same image to many boards, and level-9 deflate of a 1 MB app costs a few hundred ms of the
 * one thread every board's job shares (measured in bench/line.ts); the stream depends only on
 * the bytes, so it is compressed once per image. Keyed by length and MD5 of the bytes (the MD5
 * costs a few ms per MB), bounded by the compressed bytes it holds, least recently used first out.
 */
import { compressForFlash } from "./flash-session";
import { md5Hex } from "./skip-identical";

const MAX_CACHED_BYTES = 16 * 1024 * 1024;
const streams = new Map<string, Uint8Array>();
let cachedBytes = 0;

/**
 * `compressForFlash(data)`, from the cache when these exact bytes were compressed before. Never
 * mutate the result. `digest` names the bytes when the caller already knows their MD5 (a range
 * of a part whose MD5 it has: "<part md5>:<start>:<end>"), which saves hashing them again.
 */
export function compressForFlashCached(data: Uint8Array, digest?: string): Uint8Array {
  const key = `${data.length}:${digest ?? md5Hex(data)}`;
  const known = streams.get(key);
  if (known) {
    // Most recently used last: Map keeps insertion order.
    streams.delete(key);
    streams.set(key, known);
    return known;
  }
  const stream = compressForFlash(data);
  if (stream.length > MAX_CACHED_BYTES) return stream;
  streams.set(key, stream);
  cachedBytes += stream.length;
  for (const [oldKey, old] of streams) {
    if (cachedBytes <= MAX_CACHED_BYTES) break;
    streams.delete(oldKey);
    cachedBytes -= old.length;
  }
  return stream;
}
