import { mulberry32 } from "../../scripts/lib/seeded-random";

const WORDS = (
  "machine network socket bluetooth webrtc datachannel offer answer candidate timeout memory error " +
  "value index buffer object module function argument keyword expected integer string bytes list " +
  "tuple dict unsupported operation connection refused peer closed import micropython flash partition"
).split(" ");

export interface SyntheticFirmwareOptions {
  size: number;
  seed?: number;
}

/**
 * Deterministic stand-in for a real MicroPython firmware image: mostly machine-code-like bytes
 * (a skewed mix of instruction patterns with varying operands), string tables, small zero-filled
 * BSS-like gaps and 0xFF padding to the next sector, in the proportions that make a real build
 * deflate at about 1.6:1. Not random (which would not compress) and not zeros (which would
 * compress absurdly well).
 */
export function syntheticFirmware({ size, seed = 1 }: SyntheticFirmwareOptions): Uint8Array {
  const rand = mulberry32(seed);
  const out = new Uint8Array(size);
  // An ESP image header so it looks like one to anything that peeks.
  out.set([0xe9, 0x06, 0x02, 0x20, 0x00, 0x00, 0x38, 0x40], 0);
  let at = 24;
  const opcodes = Array.from({ length: 32 }, () => Math.floor(rand() * 256));
  const put = (b: number) => {
    if (at < size) out[at++] = b & 0xff;
  };
  // Leave the last 6% as 0xFF padding, as an image padded to its partition's sector boundary.
  const contentEnd = Math.floor(size * 0.94);
  while (at < contentEnd) {
    const kind = rand();
    if (kind < 0.75) {
      // A function: instructions from a small, skewed opcode set with register/immediate operands.
      const length = 200 + Math.floor(rand() * 1800);
      for (let i = 0; i < length && at < contentEnd;) {
        const op = opcodes[Math.floor(rand() * rand() * opcodes.length)];
        put(op);
        put(Math.floor(rand() * rand() * 16) | (Math.floor(rand() * 4) << 4));
        put(rand() < 0.1 ? Math.floor(rand() * 256) : Math.floor(rand() * 8));
        i += 3;
      }
    } else if (kind < 0.93) {
      // A string table.
      const count = 10 + Math.floor(rand() * 60);
      for (let i = 0; i < count && at < contentEnd; i++) {
        const word = WORDS[Math.floor(rand() * WORDS.length)];
        for (let c = 0; c < word.length; c++) put(word.charCodeAt(c));
        put(rand() < 0.3 ? 0 : 0x20);
      }
    } else {
      // Zero-initialised data.
      const length = 64 + Math.floor(rand() * 1024);
      at = Math.min(contentEnd, at + length);
    }
  }
  out.fill(0xff, contentEnd);
  return out;
}
