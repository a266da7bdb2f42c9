/**
 * A small, bounded ZIP reader for firmware archives (an ESP Web Tools folder, an Arduino "Export
 * compiled binary" or PlatformIO build zipped up): stored and deflated entries only, read from the
 * central directory (PKWARE APPNOTE 4.3.12 / 4.3.16). It refuses what could hurt: more output than
 * any ESP flash holds, an entry that inflates past its declared size (a zip bomb lies about it),
 * names that climb out of the folder, encryption and ZIP64. Deflate is pako's.
 */
import { Inflate } from "pako";
import { FirmwareSourceError } from "./errors";
import type { LocalFile } from "./types";

export interface ZipLimits {
  /** Total bytes all entries may unpack to (default 64 MiB: twice the largest ESP flash). */
  maxTotalBytes?: number;
  /** Entries the directory may list (default 1000). */
  maxEntries?: number;
}

const DEFAULT_MAX_TOTAL = 64 * 1024 * 1024;
const DEFAULT_MAX_ENTRIES = 1000;
const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65535. */
const EOCD_SEARCH = 22 + 0xffff;

export function isZip(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && data[2] === 3 && data[3] === 4;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of data) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Entries a user never means: macOS resource forks and Finder files. */
const isJunk = (name: string) => name.startsWith("__MACOSX/") || /(^|\/)\.DS_Store$/.test(name);

function safeName(archive: string, raw: string): string {
  const name = raw.replace(/\\/g, "/");
  if (name.startsWith("/") || /^[a-zA-Z]:/.test(name) || name.split("/").some((seg) => seg === "..")) {
    throw new FirmwareSourceError(
      "zip-unsafe-path",
      `${archive} holds an entry named “${raw}”, which points outside the archive's folder; the portal does not unpack it. Unpack the archive yourself and pick the files you trust.`,
      { files: [archive] },
    );
  }
  return name.replace(/^(\.\/)+/, "");
}

/** The files in `archive` (directories and macOS junk left out), each named by its path inside it. */
export function unpackZip(archive: LocalFile, limits: ZipLimits = {}): LocalFile[] {
  const data = archive.data;
  const maxTotal = limits.maxTotalBytes ?? DEFAULT_MAX_TOTAL;
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const damaged = (why: string) =>
    new FirmwareSourceError(
      "zip-damaged",
      `${archive.name} cannot be read as a ZIP archive (${why}); download it again, or unpack it yourself.`,
      { files: [archive.name] },
    );
  const bomb = (why: string) =>
    new FirmwareSourceError(
      "zip-bomb",
      `${archive.name} would unpack to ${why}, more than any firmware needs; the portal does not unpack it. Unpack it yourself and pick the firmware files.`,
      { files: [archive.name] },
    );
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - EOCD_SEARCH); i--) {
    if (dv.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw damaged("no central directory");
  const count = dv.getUint16(eocd + 10, true);
  const dirOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) {
    throw new FirmwareSourceError(
      "zip-unsupported",
      `${archive.name} is a ZIP64 archive, which the portal does not unpack; unpack it yourself and pick the files.`,
      { files: [archive.name] },
    );
  }
  if (count > maxEntries) throw bomb(`${count} entries`);
  // First the whole directory: its declared sizes are checked before anything is inflated.
  const entries: {
    name: string;
    method: number;
    crc: number;
    compressedSize: number;
    size: number;
    localOffset: number;
  }[] = [];
  let total = 0;
  let at = dirOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > data.length || dv.getUint32(at, true) !== CENTRAL_SIGNATURE)
      throw damaged("a broken directory entry");
    const flags = dv.getUint16(at + 8, true);
    const method = dv.getUint16(at + 10, true);
    const nameLength = dv.getUint16(at + 28, true);
    const rawName = new TextDecoder().decode(data.subarray(at + 46, at + 46 + nameLength));
    const entry = {
      name: safeName(archive.name, rawName),
      method,
      crc: dv.getUint32(at + 16, true),
      compressedSize: dv.getUint32(at + 20, true),
      size: dv.getUint32(at + 24, true),
      localOffset: dv.getUint32(at + 42, true),
    };
    at += 46 + nameLength + dv.getUint16(at + 30, true) + dv.getUint16(at + 32, true);
    if (entry.name.endsWith("/") || isJunk(entry.name)) continue;
    if (flags & 1) {
      throw new FirmwareSourceError(
        "zip-unsupported",
        `${archive.name} is password-protected; unpack it yourself and pick the files.`,
        { files: [archive.name] },
      );
    }
    if (method !== 0 && method !== 8) {
      throw new FirmwareSourceError(
        "zip-unsupported",
        `${entry.name} in ${archive.name} is compressed with method ${method}; the portal unpacks stored and deflated entries only. Unpack it yourself and pick the files.`,
        { files: [archive.name] },
      );
    }
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff) throw bomb("a ZIP64-sized entry");
    total += entry.size;
    if (total > maxTotal) throw bomb(`more than ${Math.round(maxTotal / 1048576)} MB`);
    entries.push(entry);
  }
  const out: LocalFile[] = [];
  for (const { name, method, crc, compressedSize, size, localOffset } of entries) {
    if (localOffset + 30 > data.length || dv.getUint32(localOffset, true) !== LOCAL_SIGNATURE)
      throw damaged(`no local header for ${name}`);
    const start = localOffset + 30 + dv.getUint16(localOffset + 26, true) + dv.getUint16(localOffset + 28, true);
    if (start + compressedSize > data.length) throw damaged(`${name} is cut short`);
    const stored = data.subarray(start, start + compressedSize);
    const content =
      method === 0
        ? stored.slice()
        : inflateBounded(stored, size, () => bomb(`more than ${name}'s declared ${size} bytes`));
    if (content.length !== size) throw damaged(`${name} unpacks to ${content.length} bytes, not ${size}`);
    if (crc32(content) !== crc) throw damaged(`${name} fails its CRC check`);
    out.push({ name, data: content });
  }
  return out;
}

/** Inflate, stopping as soon as the output passes `limit` bytes (a bomb's declared size is a lie). */
function inflateBounded(input: Uint8Array, limit: number, tooBig: () => Error): Uint8Array {
  const out = new Uint8Array(limit);
  // An object, not a local boolean: the callback sets it while push() runs.
  const state = { length: 0, overflow: false };
  const inflater = new Inflate({ raw: true, chunkSize: 64 * 1024 });
  inflater.onData = (chunk: Uint8Array) => {
    if (state.overflow) return;
    if (state.length + chunk.length > limit) {
      state.overflow = true;
      return;
    }
    out.set(chunk, state.length);
    state.length += chunk.length;
  };
  // Feed in slices so an overflowing stream is noticed before it has produced much more than the limit.
  const SLICE = 16 * 1024;
  for (let i = 0; i < input.length && !state.overflow; i += SLICE) {
    inflater.push(input.subarray(i, Math.min(input.length, i + SLICE)), i + SLICE >= input.length);
    if (inflater.err) break;
  }
  if (state.overflow) throw tooBig();
  return out.subarray(0, state.length);
}
