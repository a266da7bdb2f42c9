import { sha256 } from "@noble/hashes/sha2.js";
import { md5 } from "@noble/hashes/legacy.js";
import { bytesToHex } from "@noble/hashes/utils.js";

export function sha256Hex(data: Uint8Array): string {
  return bytesToHex(sha256(data));
}

export function md5Bytes(data: Uint8Array): Uint8Array {
  return md5(data);
}

export function toHex(data: Uint8Array): string {
  return bytesToHex(data);
}

export function hex(n: number, width = 0): string {
  return "0x" + n.toString(16).padStart(width, "0");
}

/** A NUL-terminated C string from a fixed-size field. */
export function cString(data: Uint8Array, start: number, length: number): string {
  const field = data.subarray(start, start + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

export function writeCString(target: Uint8Array, start: number, length: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length >= length) throw new Error(`"${text}" does not fit in ${length} bytes`);
  target.set(bytes, start);
}

export function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}
