/**
 * The part of CBOR (RFC 8949) the WebREPL Binary Protocol uses: unsigned and negative integers,
 * byte and text strings, arrays, maps, null/true/false/undefined, floats, tags. Encoding always
 * uses definite lengths in the shortest form (as TinyCBOR, which the board uses, does); decoding
 * also takes indefinite-length strings and containers. No CBOR library is among the project's
 * dependencies, and this subset is small enough to read in one sitting.
 */

export type CborValue =
  | number
  | bigint
  | string
  | Uint8Array
  | boolean
  | null
  | undefined
  | CborValue[]
  | Map<CborValue, CborValue>
  | { tag: number; value: CborValue };

export class CborError extends Error {}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

function head(out: number[], major: number, value: number | bigint): void {
  const n = BigInt(value);
  const m = major << 5;
  if (n < 24n) out.push(m | Number(n));
  else if (n < 0x100n) out.push(m | 24, Number(n));
  else if (n < 0x10000n) out.push(m | 25, Number(n >> 8n), Number(n & 0xffn));
  else if (n < 0x100000000n) {
    out.push(m | 26);
    for (let s = 24n; s >= 0n; s -= 8n) out.push(Number((n >> s) & 0xffn));
  } else {
    out.push(m | 27);
    for (let s = 56n; s >= 0n; s -= 8n) out.push(Number((n >> s) & 0xffn));
  }
}

function encodeInto(out: number[], value: CborValue): void {
  if (value === null) out.push(0xf6);
  else if (value === undefined) out.push(0xf7);
  else if (value === false) out.push(0xf4);
  else if (value === true) out.push(0xf5);
  else if (typeof value === "number" || typeof value === "bigint") {
    if (typeof value === "number" && !Number.isInteger(value)) {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value);
      out.push(0xfb, ...bytes);
    } else if (value >= 0) head(out, 0, value);
    else head(out, 1, -BigInt(value) - 1n);
  } else if (typeof value === "string") {
    const bytes = utf8.encode(value);
    head(out, 3, bytes.length);
    for (const b of bytes) out.push(b);
  } else if (value instanceof Uint8Array) {
    head(out, 2, value.length);
    for (const b of value) out.push(b);
  } else if (Array.isArray(value)) {
    head(out, 4, value.length);
    for (const item of value) encodeInto(out, item);
  } else if (value instanceof Map) {
    head(out, 5, value.size);
    for (const [k, v] of value) {
      encodeInto(out, k);
      encodeInto(out, v);
    }
  } else {
    head(out, 6, value.tag);
    encodeInto(out, value.value);
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  encodeInto(out, value);
  return Uint8Array.from(out);
}

function halfToNumber(bits: number): number {
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

class Reader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new CborError("CBOR data ends in the middle of an item");
    return this.bytes[this.at++];
  }

  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new CborError("CBOR data ends in the middle of a string");
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** The argument of a head; null for an indefinite length (info 31). */
  argument(info: number): number | bigint | null {
    if (info < 24) return info;
    if (info === 31) return null;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) throw new CborError(`reserved CBOR additional information ${info}`);
    let n = 0n;
    for (const b of this.take(size)) n = (n << 8n) | BigInt(b);
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }

  length(info: number): number | null {
    const n = this.argument(info);
    if (typeof n === "bigint") throw new CborError("CBOR length too large");
    return n;
  }

  isBreak(): boolean {
    if (this.bytes[this.at] === 0xff) {
      this.at++;
      return true;
    }
    return false;
  }

  chunks(major: number): Uint8Array {
    const parts: Uint8Array[] = [];
    while (!this.isBreak()) {
      const h = this.byte();
      const n = h >> 5 === major ? this.length(h & 0x1f) : null;
      if (n === null) throw new CborError("bad chunk in an indefinite-length CBOR string");
      parts.push(this.take(n));
    }
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  item(depth = 0): CborValue {
    if (depth > 64) throw new CborError("CBOR nested too deeply");
    const h = this.byte();
    const major = h >> 5;
    const info = h & 0x1f;
    switch (major) {
      case 0: {
        const n = this.argument(info);
        if (n === null) throw new CborError("indefinite-length integer");
        return n;
      }
      case 1: {
        const n = this.argument(info);
        if (n === null) throw new CborError("indefinite-length integer");
        const v = -1n - BigInt(n);
        return v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
      }
      case 2: {
        const n = this.length(info);
        return n === null ? this.chunks(2) : this.take(n);
      }
      case 3: {
        const n = this.length(info);
        const bytes = n === null ? this.chunks(3) : this.take(n);
        try {
          return utf8Strict.decode(bytes);
        } catch {
          throw new CborError("a CBOR text string is not valid UTF-8");
        }
      }
      case 4: {
        const n = this.length(info);
        const out: CborValue[] = [];
        if (n === null) while (!this.isBreak()) out.push(this.item(depth + 1));
        else for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        const n = this.length(info);
        const out = new Map<CborValue, CborValue>();
        if (n === null) while (!this.isBreak()) out.set(this.item(depth + 1), this.item(depth + 1));
        else for (let i = 0; i < n; i++) out.set(this.item(depth + 1), this.item(depth + 1));
        return out;
      }
      case 6: {
        const tag = this.argument(info);
        if (tag === null) throw new CborError("indefinite-length tag");
        return { tag: Number(tag), value: this.item(depth + 1) };
      }
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25) {
          const b = this.take(2);
          return halfToNumber((b[0] << 8) | b[1]);
        }
        if (info === 26) return new DataView(this.take(4).buffer).getFloat32(0);
        if (info === 27) return new DataView(this.take(8).buffer).getFloat64(0);
        if (info < 20) return info; // unassigned simple values
        if (info === 24) return this.byte();
        throw new CborError(`unexpected CBOR simple value ${info}`);
      }
    }
  }
}

/** Decode exactly one CBOR item; trailing bytes are an error. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const reader = new Reader(bytes);
  const value = reader.item();
  if (reader.at !== bytes.length) throw new CborError("bytes after the CBOR item");
  return value;
}
