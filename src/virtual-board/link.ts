/**
 * One direction of the serial link between host and board.
 *
 * Paced: bytes arrive at the receiver when they would have finished crossing the wire at
 * `bitsPerSecond / 10` bytes a second (start bit, 8 data bits, stop bit), one direction at a
 * time being independent of the other, as on a real full-duplex UART. Unpaced: bytes arrive on the
 * next macrotask, in order.
 */
export type ByteReceiver = (bytes: Uint8Array) => void;

const scheduleSoon: (fn: () => void) => void =
  typeof setImmediate === "function"
    ? (fn) => {
        setImmediate(fn);
      }
    : (() => {
        const channel = new MessageChannel();
        const queue: Array<() => void> = [];
        channel.port1.onmessage = () => queue.shift()?.();
        return (fn: () => void) => {
          queue.push(fn);
          channel.port2.postMessage(0);
        };
      })();

export interface LinkStats {
  /** Bytes that entered the wire. */
  bytes: number;
  /** Time (ms) the wire was busy carrying them, when paced. */
  busyMs: number;
}

export class LinkDirection {
  /** Bits per second on the wire; `null` means unpaced. */
  bitsPerSecond: number | null;
  readonly stats: LinkStats = { bytes: 0, busyMs: 0 };
  private busyUntil = 0;
  private pending: Uint8Array[] = [];
  private flushScheduled = false;
  private generation = 0;
  /** Paced chunks in wire order, each with the time its last byte arrives. */
  private inFlight: Array<{ at: number; bytes: Uint8Array }> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly receiver: ByteReceiver,
    bitsPerSecond: number | null,
  ) {
    this.bitsPerSecond = bitsPerSecond;
  }

  /**
   * Put bytes on the wire. Resolves once the wire has room again: everything but `bufferBytes`
   * worth of the queue has been sent, which is how a serial driver's transmit buffer pushes back.
   */
  send(bytes: Uint8Array, bufferBytes = 4096): Promise<void> {
    if (bytes.length === 0) return Promise.resolve();
    const copy = bytes.slice();
    this.stats.bytes += copy.length;
    const bps = this.bitsPerSecond;
    if (bps === null) {
      this.pending.push(copy);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        const gen = this.generation;
        scheduleSoon(() => {
          this.flushScheduled = false;
          if (gen !== this.generation) return;
          const chunks = this.pending;
          this.pending = [];
          for (const chunk of chunks) this.receiver(chunk);
        });
      }
      return Promise.resolve();
    }
    const now = performance.now();
    const byteMs = 10_000 / bps;
    const start = Math.max(now, this.busyUntil);
    const duration = copy.length * byteMs;
    this.busyUntil = start + duration;
    this.stats.busyMs += duration;
    // One timer for the head of an ordered queue: separate timers per chunk can fire out of order
    // when their delays round to the same millisecond, and a UART never reorders bytes.
    this.inFlight.push({ at: this.busyUntil, bytes: copy });
    this.armTimer();
    const wait = this.busyUntil - now - bufferBytes * byteMs;
    return wait > 1 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
  }

  /** Drop everything still in flight (unplug, or a reset that empties the chip's FIFO). */
  cut(): void {
    this.generation++;
    this.pending = [];
    this.flushScheduled = false;
    this.busyUntil = 0;
    this.inFlight = [];
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private armTimer(): void {
    const head = this.inFlight.at(0);
    if (this.timer !== undefined || !head) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.deliverDue();
      },
      Math.max(0, head.at - performance.now()),
    );
  }

  private deliverDue(): void {
    // Timers may fire a fraction of a millisecond early; what is not due yet re-arms the timer.
    for (let head = this.inFlight.at(0); head && head.at <= performance.now() + 0.25; head = this.inFlight.at(0)) {
      this.inFlight.shift();
      this.receiver(head.bytes);
    }
    this.armTimer();
  }
}
