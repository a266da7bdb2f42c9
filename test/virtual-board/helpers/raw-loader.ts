import { SlipDecoder, slipEncode } from "../../../src/virtual-board/rom/slip";
import type { VirtualBoard } from "../../../src/virtual-board";

export interface Reply {
  op: number;
  value: number;
  body: Uint8Array;
  /** The status bytes at the end of the body (4 from the ROM, 2 from the stub). */
  status: number[];
}

/**
 * A minimal host side of the serial bootloader protocol, hand-rolled so tests can send exactly
 * the bytes they want (bad checksums, wrong lengths) and see exactly what comes back.
 */
export class RawLoader {
  readonly frames: Uint8Array[] = [];
  raw: number[] = [];
  private writer!: WritableStreamDefaultWriter<Uint8Array>;
  private reader!: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new SlipDecoder((f) => {
    if (f.ok) this.frames.push(f.payload);
  });
  statusLength = 4;

  constructor(private readonly board: VirtualBoard) {}

  async open(baudRate = 115200): Promise<void> {
    await this.board.port.open({ baudRate });
    this.writer = this.board.port.writable!.getWriter();
    this.reader = this.board.port.readable!.getReader();
    void this.pump();
  }

  async enterDownloadMode(): Promise<void> {
    this.board.reset("download");
    await this.board.waitForMode("download");
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) return;
        this.raw.push(...value);
        this.decoder.push(value);
      }
    } catch {
      // port closed
    }
  }

  async sendRaw(bytes: Uint8Array): Promise<void> {
    await this.writer.write(bytes);
  }

  async send(op: number, data: Uint8Array, checksum = 0, declaredLength = data.length): Promise<void> {
    const pkt = new Uint8Array(8 + data.length);
    const view = new DataView(pkt.buffer);
    pkt[1] = op;
    view.setUint16(2, declaredLength, true);
    view.setUint32(4, checksum, true);
    pkt.set(data, 8);
    await this.sendRaw(slipEncode(pkt));
  }

  async nextFrame(timeoutMs = 2000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (Date.now() > deadline) throw new Error("no frame from the board");
      await new Promise((r) => setTimeout(r, 2));
    }
    return this.frames.shift()!;
  }

  async command(
    op: number,
    data: Uint8Array = new Uint8Array(0),
    checksum = 0,
    declaredLength?: number,
  ): Promise<Reply> {
    this.frames.length = 0;
    await this.send(op, data, checksum, declaredLength);
    const frame = await this.nextFrame();
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const body = frame.subarray(8);
    return {
      op: frame[1],
      value: view.getUint32(4, true),
      body,
      status: Array.from(body.subarray(body.length - this.statusLength)),
    };
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
    this.reader.releaseLock();
    this.writer.releaseLock();
    await this.board.port.close();
  }
}

export function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0, true));
  return out;
}

export function checksum(data: Uint8Array): number {
  let s = 0xef;
  for (const b of data) s ^= b;
  return s;
}

/** A *_DATA payload: length, sequence, two zero words, then the data. */
export function dataPayload(data: Uint8Array, seq: number): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  out.set(words(data.length, seq, 0, 0));
  out.set(data, 16);
  return out;
}
