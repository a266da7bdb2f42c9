/**
 * The board's files live in flash, like littlefs/FAT in MicroPython's `vfs` partition: the
 * runtime serialises its in-memory file tree into that region and restores it at boot. A reset
 * keeps the files because flash survives it; an erase wipes them because the image's magic and
 * checksum no longer match, and the board starts with a fresh filesystem, as a real one reformats.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { deflate, inflate } from "pako";
import { PARTITION_TYPE_DATA, readPartitionTable } from "../../core/image/partition-table";
import type { EmscriptenFS } from "./load-wasm";

export interface FlashRegion {
  offset: number;
  size: number;
  /** Where the region came from: the `vfs` data partition, or the fixed fallback layout. */
  source: "partition-table" | "fallback";
}

const PARTITION_TABLE_OFFSET = 0x8000;
/** MicroPython's generic 4 MB layout puts `vfs` here; used when no partition table is on flash. */
const FALLBACK_OFFSET = 0x200000;
const FALLBACK_MAX_SIZE = 0x200000;
/** Filesystem data partitions: fat, spiffs, littlefs. */
const FS_SUBTYPES = new Set([0x81, 0x82, 0x83]);
const MAGIC = [0x50, 0x44, 0x46, 0x53]; // "PDFS"
const FORMAT_VERSION = 1;
const HEADER_BYTES = 24;
/** Emscripten's own mounts, not the board's files. */
const SYSTEM_DIRS = new Set(["tmp", "home", "dev", "proc"]);
const KIND_DIR = 1;
const KIND_FILE = 2;

export function findFilesystemRegion(flash: Uint8Array): FlashRegion {
  try {
    const table = readPartitionTable(flash.subarray(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + 0xc00), {
      layout: false,
    });
    const data = table.entries.filter((p) => p.type === PARTITION_TYPE_DATA && p.offset + p.size <= flash.length);
    const vfs = data.find((p) => p.label === "vfs") ?? data.find((p) => FS_SUBTYPES.has(p.subtype));
    if (vfs) return { offset: vfs.offset, size: vfs.size, source: "partition-table" };
  } catch {
    // No or corrupt table: fall through to the fixed layout, as a board flashed without one would.
  }
  const size = Math.min(FALLBACK_MAX_SIZE, Math.max(0, flash.length - FALLBACK_OFFSET));
  return { offset: FALLBACK_OFFSET, size, source: "fallback" };
}

/** One file or directory of the board's tree, path absolute ("/lib/sys/settings.py"). */
export interface FsEntry {
  path: string;
  data?: Uint8Array;
}

export function listBoardFiles(fs: EmscriptenFS, dir = "/"): FsEntry[] {
  const out: FsEntry[] = [];
  for (const name of fs.readdir(dir)) {
    if (name === "." || name === "..") continue;
    if (dir === "/" && SYSTEM_DIRS.has(name)) continue;
    const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
    const mode = fs.stat(path).mode;
    if (fs.isDir(mode)) {
      out.push({ path });
      out.push(...listBoardFiles(fs, path));
    } else if (fs.isFile(mode)) {
      out.push({ path, data: fs.readFile(path) });
    }
  }
  return out;
}

export class FilesystemFullError extends Error {
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(
      `The board's filesystem needs ${needed} bytes of flash but its partition holds ${available}; delete files to make room.`,
    );
    this.name = "FilesystemFullError";
  }
}

/** Writes the tree into the flash region; returns the bytes written. */
export function saveFilesystem(fs: EmscriptenFS, flash: Uint8Array, region: FlashRegion): number {
  const payload = deflate(encodeEntries(listBoardFiles(fs)));
  const total = HEADER_BYTES + payload.length;
  if (total > region.size) throw new FilesystemFullError(total, region.size);
  const header = new Uint8Array(HEADER_BYTES);
  const dv = new DataView(header.buffer);
  header.set(MAGIC, 0);
  header[4] = FORMAT_VERSION;
  dv.setUint32(8, payload.length, true);
  header.set(sha256(payload).subarray(0, 12), 12);
  flash.set(header, region.offset);
  flash.set(payload, region.offset + HEADER_BYTES);
  return total;
}

/** Restores the tree from flash; false when the region holds no intact image (blank or erased). */
export function restoreFilesystem(fs: EmscriptenFS, flash: Uint8Array, region: FlashRegion): boolean {
  const entries = readImage(flash, region);
  if (!entries) return false;
  for (const entry of entries) {
    if (entry.data) writeFileMakingDirs(fs, entry.path, entry.data);
    else makeDirs(fs, entry.path);
  }
  return true;
}

function readImage(flash: Uint8Array, region: FlashRegion): FsEntry[] | null {
  if (region.size < HEADER_BYTES) return null;
  const header = flash.subarray(region.offset, region.offset + HEADER_BYTES);
  if (!MAGIC.every((b, i) => header[i] === b) || header[4] !== FORMAT_VERSION) return null;
  const length = new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getUint32(8, true);
  if (HEADER_BYTES + length > region.size) return null;
  const payload = flash.subarray(region.offset + HEADER_BYTES, region.offset + HEADER_BYTES + length);
  const digest = sha256(payload).subarray(0, 12);
  if (!digest.every((b, i) => header[12 + i] === b)) return null;
  try {
    return decodeEntries(inflate(payload));
  } catch {
    return null;
  }
}

export function writeFileMakingDirs(fs: EmscriptenFS, path: string, data: Uint8Array | string): void {
  makeDirs(fs, path.slice(0, path.lastIndexOf("/")) || "/");
  fs.writeFile(path, data);
}

export function makeDirs(fs: EmscriptenFS, dir: string): void {
  let at = "";
  for (const part of dir.split("/").filter(Boolean)) {
    at += `/${part}`;
    if (!fs.analyzePath(at).exists) fs.mkdir(at);
  }
}

function encodeEntries(entries: FsEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (const e of entries) {
    const path = enc.encode(e.path);
    const data = e.data ?? new Uint8Array(0);
    const head = new Uint8Array(7);
    const dv = new DataView(head.buffer);
    head[0] = e.data ? KIND_FILE : KIND_DIR;
    dv.setUint16(1, path.length, true);
    dv.setUint32(3, data.length, true);
    chunks.push(head, path, data);
    size += head.length + path.length + data.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function decodeEntries(bytes: Uint8Array): FsEntry[] {
  const dec = new TextDecoder();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: FsEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 7 > bytes.length) throw new Error("truncated filesystem record");
    const kind = bytes[at];
    const pathLen = dv.getUint16(at + 1, true);
    const dataLen = dv.getUint32(at + 3, true);
    at += 7;
    const path = dec.decode(bytes.subarray(at, at + pathLen));
    at += pathLen;
    if (at + dataLen > bytes.length || !path.startsWith("/")) throw new Error("corrupt filesystem record");
    out.push(kind === KIND_FILE ? { path, data: bytes.slice(at, at + dataLen) } : { path });
    at += dataLen;
  }
  return out;
}
