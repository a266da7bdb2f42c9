import { md5 } from "@noble/hashes/legacy.js";

/**
 * The stub's READ_FLASH stream (stub_commands.c handle_flash_read): raw data packets, sent while fewer
 * than `maxInFlight` BYTES are unacknowledged (`num_sent - num_acked < max_in_flight`), each
 * acknowledged by the host with a 4-byte running total; then the MD5 of everything sent.
 */
export class FlashReadStream {
  private sent = 0;
  private acked = 0;
  private finished = false;

  constructor(
    private readonly data: Uint8Array,
    private readonly packetSize: number,
    private readonly maxInFlight: number,
    /** False when the read stopped short (SPIRead refused): the stub then waits for acks that never end it. */
    private readonly complete: boolean,
    private readonly sendFrame: (payload: Uint8Array) => void,
    private readonly onDone: () => void,
  ) {}

  start(): void {
    this.fill();
  }

  acknowledge(payload: Uint8Array): void {
    if (payload.length !== 4) return;
    const total = (payload[0] | (payload[1] << 8) | (payload[2] << 16) | (payload[3] << 24)) >>> 0;
    if (total > this.acked && total <= this.sent) this.acked = total;
    this.fill();
  }

  private fill(): void {
    if (this.finished) return;
    while (this.sent < this.data.length && this.sent - this.acked < this.maxInFlight) {
      const next = this.data.subarray(this.sent, Math.min(this.data.length, this.sent + this.packetSize));
      this.sent += next.length;
      this.sendFrame(next);
    }
    if (this.acked >= this.data.length && this.complete) {
      this.finished = true;
      this.sendFrame(md5(this.data));
      this.onDone();
    }
  }
}
