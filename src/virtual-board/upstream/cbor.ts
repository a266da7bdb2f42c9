/**
 * The slice of CBOR (RFC 8949) the WebREPL Binary Protocol uses: arrays of unsigned integers,
 * text strings, byte strings and null (upstream webrepl/wbp_common.c builds every message with
 * TinyCBOR's cbor_encode_uint / cbor_encode_text_string / cbor_encode_null inside one array).
 * Definite lengths only, as TinyCBOR writes them. Shared by the virtual board's `webrepl_binary`
 * and the WBP clients in tests; nothing here knows WBP.
 */

export type CborValue = number | string | Uint8Array | null | boolean | CborValue[];

export class CborError extends Error {
  readonly code = "cbor-malformed";
}

function head(major: number, value: number, out: number[]): void {
  const m = major << 5;
  if (value < 24) out.push(m | value);
  else if (value < 0x100) out.push(m | 24, value);
  else if (value < 0x10000) out.push(m | 25, value >> 8, value & 0xff);
  else if (value < 0x100000000)
    out.push(m | 26, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  else throw new CborError("integers above 2^32 are not used by WBP");
}

function encodeInto(value: CborValue, out: number[]): void {
  if (value === null) out.push(0xf6);
  else if (value === false) out.push(0xf4);
  else if (value === true) out.push(0xf5);
  else if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new CborError("WBP carries integers only");
    if (value >= 0) head(0, value, out);
    else head(1, -1 - value, out);
  } else if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    head(3, bytes.length, out);
    for (const b of bytes) out.push(b);
  } else if (value instanceof Uint8Array) {
    head(2, value.length, out);
    for (const b of value) out.push(b);
  } else {
    head(4, value.length, out);
    for (const item of value) encodeInto(item, out);
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  encodeInto(value, out);
  return Uint8Array.from(out);
}

export function decodeCbor(bytes: Uint8Array): CborValue {
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new CborError("the message ends inside a CBOR item");
  };
  const readLength = (info: number): number => {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
    if (!size) throw new CborError(`unsupported CBOR length encoding ${String(info)}`);
    need(size);
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + bytes[at++];
    return n;
  };
  const item = (): CborValue => {
    need(1);
    const first = bytes[at++];
    const major = first >> 5;
    const info = first & 0x1f;
    switch (major) {
      case 0:
        return readLength(info);
      case 1:
        return -1 - readLength(info);
      case 2:
      case 3: {
        const n = readLength(info);
        need(n);
        const slice = bytes.slice(at, at + n);
        at += n;
        return major === 2 ? slice : new TextDecoder().decode(slice);
      }
      case 4: {
        const n = readLength(info);
        const items: CborValue[] = [];
        for (let i = 0; i < n; i++) items.push(item());
        return items;
      }
      case 6:
        readLength(info); // a tag (TinyCBOR may tag byte strings): the tagged item is what counts
        return item();
      case 7:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22 || info === 23) return null;
        throw new CborError(`unsupported CBOR simple value ${String(info)}`);
      default:
        throw new CborError(`unsupported CBOR major type ${String(major)}`);
    }
  };
  const value = item();
  if (at !== bytes.length) throw new CborError("bytes left over after the CBOR item");
  return value;
}
