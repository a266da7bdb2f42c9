/**
 * SLIP framing (RFC 1055) as the ESP serial bootloader uses it: every packet starts and ends with
 * 0xC0, and 0xC0 / 0xDB inside it travel as 0xDB 0xDC / 0xDB 0xDD.
 */
export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

export function slipEncode(payload: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of payload) if (b === SLIP_END || b === SLIP_ESC) extra++;
  const out = new Uint8Array(payload.length + extra + 2);
  let o = 0;
  out[o++] = SLIP_END;
  for (const b of payload) {
    if (b === SLIP_END) {
      out[o++] = SLIP_ESC;
      out[o++] = SLIP_ESC_END;
    } else if (b === SLIP_ESC) {
      out[o++] = SLIP_ESC;
      out[o++] = SLIP_ESC_ESC;
    } else {
      out[o++] = b;
    }
  }
  out[o] = SLIP_END;
  return out;
}

export type SlipFrameResult = { ok: true; payload: Uint8Array } | { ok: false; reason: "bad-escape" | "too-long" };

/**
 * Reassembles packets from a byte stream that may split or join them anywhere. Bytes outside a
 * packet (line noise, a boot log the host echoes) are ignored, as the ROM ignores them.
 */
export class SlipDecoder {
  private buffer: Uint8Array;
  private length = 0;
  private inFrame = false;
  private escaping = false;
  private broken: "bad-escape" | "too-long" | null = null;

  constructor(
    private readonly onFrame: (frame: SlipFrameResult) => void,
    private readonly maxFrame = 0x10000 + 64,
  ) {
    this.buffer = new Uint8Array(1024);
  }

  push(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === SLIP_END) {
        if (this.inFrame && (this.length > 0 || this.broken)) {
          // End of a packet; a following 0xC0 opens the next one.
          this.emit();
          this.inFrame = false;
        } else {
          // Opening delimiter (or back-to-back delimiters between packets).
          this.inFrame = true;
        }
        this.reset();
        continue;
      }
      if (!this.inFrame || this.broken) continue;
      if (this.escaping) {
        this.escaping = false;
        if (b === SLIP_ESC_END) this.append(SLIP_END);
        else if (b === SLIP_ESC_ESC) this.append(SLIP_ESC);
        else this.broken = "bad-escape";
      } else if (b === SLIP_ESC) {
        this.escaping = true;
      } else {
        this.append(b);
      }
    }
  }

  /** Forget a half-received packet (the chip was reset). */
  clear(): void {
    this.inFrame = false;
    this.reset();
  }

  private reset(): void {
    this.length = 0;
    this.escaping = false;
    this.broken = null;
  }

  private append(b: number): void {
    if (this.length >= this.maxFrame) {
      this.broken = "too-long";
      return;
    }
    if (this.length === this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = b;
  }

  private emit(): void {
    if (this.broken) this.onFrame({ ok: false, reason: this.broken });
    else this.onFrame({ ok: true, payload: this.buffer.slice(0, this.length) });
  }
}
