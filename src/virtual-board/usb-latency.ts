/**
 * The USB leg of the link: bytes cross USB full speed in bulk transfers that the host controller
 * schedules frame by frame, and a bridge decides when a partly filled IN packet goes to the host.
 *
 * - USB 2.0 specification, 5.3.3 and 8.4.3.1: full-speed frames are 1 ms, each opened by a
 *   start-of-frame packet; bulk transactions are scheduled by the host controller within frames,
 *   so bytes a driver hands over (OUT) or a device has ready (IN) during one frame cross in the
 *   next. Modelled as: delivered at the next whole millisecond.
 * - USB 2.0 specification, 5.8.3 and table 5-9: a full-speed bulk endpoint's packets are at most
 *   64 bytes and a frame carries up to 19 of them (1,216 bytes), more than any rate here needs, so
 *   only the packet boundary matters.
 * - Bridges that hold short data (FTDI's latency timer) add their own wait; see `UsbLinkProfile`.
 */

export interface UsbLinkProfile {
  /** Data bytes in one bulk IN packet (the endpoint's max packet size less any status header). */
  inPacketBytes: number;
  /**
   * A partly filled IN buffer goes to the host only when this many ms have passed since the
   * bridge last sent a packet (FTDI's latency timer); `null`: on the next IN token, i.e. the next frame.
   */
  latencyTimerMs: number | null;
}

/** USB 2.0 specification 5.3.3: one full-speed frame. */
export const USB_FRAME_MS = 1;

/** The next frame boundary after `t` (a performance.now() time). */
function nextFrame(t: number): number {
  return (Math.floor(t / USB_FRAME_MS) + 1) * USB_FRAME_MS;
}

/**
 * One direction of the USB leg. Bytes pushed in come out, in order, at the time the bus would
 * have carried them. Unpaced (`profile` null) it passes bytes straight through.
 */
export class UsbPipe {
  private buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private queue: Array<{ at: number; bytes: Uint8Array }> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private latencyTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the bridge last sent an IN packet (its latency timer restarts then). */
  private lastSentAt = -Infinity;

  constructor(
    private readonly deliver: (bytes: Uint8Array) => void,
    public profile: UsbLinkProfile | null,
  ) {}

  push(bytes: Uint8Array): void {
    const profile = this.profile;
    if (!profile) {
      this.deliver(bytes);
      return;
    }
    const now = performance.now();
    if (profile.latencyTimerMs === null) {
      this.schedule(nextFrame(now), bytes);
      return;
    }
    // A bridge with a latency timer keeps data in its buffer: full packets go at the next IN token,
    // the rest when the timer runs out; it restarts on every packet sent (data or, on FTDI parts,
    // the two modem-status bytes sent when it expires, so an idle bridge ticks every period).
    this.buffered.push(bytes);
    this.bufferedBytes += bytes.length;
    const whole = this.bufferedBytes - (this.bufferedBytes % profile.inPacketBytes);
    if (whole > 0) {
      const all = concat(this.buffered, this.bufferedBytes);
      this.schedule(nextFrame(now), all.subarray(0, whole));
      this.lastSentAt = nextFrame(now);
      const rest = all.subarray(whole);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.disarmLatencyTimer();
    }
    if (this.bufferedBytes > 0 && this.latencyTimer === undefined) this.armLatencyTimer(now, profile.latencyTimerMs);
  }

  /** Drop what has not crossed yet (unplug, or the chip reset while bytes were in the bridge). */
  cut(): void {
    this.buffered = [];
    this.bufferedBytes = 0;
    this.queue = [];
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.disarmLatencyTimer();
  }

  private armLatencyTimer(now: number, period: number): void {
    let flushAt: number;
    if (this.lastSentAt === -Infinity) flushAt = now + period;
    else if (this.lastSentAt >= now) flushAt = this.lastSentAt + period;
    else flushAt = this.lastSentAt + Math.ceil((now - this.lastSentAt) / period) * period;
    this.latencyTimer = setTimeout(() => {
      this.latencyTimer = undefined;
      if (this.bufferedBytes === 0) return;
      const all = concat(this.buffered, this.bufferedBytes);
      this.buffered = [];
      this.bufferedBytes = 0;
      this.lastSentAt = flushAt;
      this.schedule(flushAt, all);
    }, flushAt - now);
  }

  private disarmLatencyTimer(): void {
    if (this.latencyTimer !== undefined) clearTimeout(this.latencyTimer);
    this.latencyTimer = undefined;
  }

  private schedule(at: number, bytes: Uint8Array): void {
    const last = this.queue.at(-1);
    // USB never reorders a pipe's bytes: nothing leaves before what went in earlier.
    this.queue.push({ at: Math.max(at, last?.at ?? 0), bytes });
    this.arm();
  }

  private arm(): void {
    const head = this.queue.at(0);
    if (this.timer !== undefined || !head) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        for (let next = this.queue.at(0); next && next.at <= performance.now() + 0.25; next = this.queue.at(0)) {
          this.queue.shift();
          this.deliver(next.bytes);
        }
        this.arm();
      },
      Math.max(0, head.at - performance.now()),
    );
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Where host → board bytes go after the USB leg: the UART wire, which pushes back on the writer. */
export interface Wire {
  send(bytes: Uint8Array): Promise<void>;
}

/**
 * Host → board: each write is a bulk OUT transfer in the next frame, then goes onto the wire; the
 * writer waits for the wire's push-back as before. Unpaced (no profile) writes go straight on.
 */
export class UsbOutLeg {
  private readonly pipe: UsbPipe;
  private readonly writers: Array<() => void> = [];

  constructor(private readonly wire: Wire) {
    // The pipe hands each write on whole and in order, so its writers wait in the same order.
    this.pipe = new UsbPipe((bytes) => {
      const writer = this.writers.shift();
      void this.wire.send(bytes).then(writer);
    }, null);
  }

  set profile(profile: UsbLinkProfile | null) {
    this.pipe.profile = profile;
  }

  send(bytes: Uint8Array): Promise<void> {
    if (!this.pipe.profile) return this.wire.send(bytes);
    return new Promise((resolve) => {
      this.writers.push(resolve);
      this.pipe.push(bytes);
    });
  }

  /** Drop bytes still on the USB leg; their writers go on (the bytes are simply lost). */
  cut(): void {
    this.pipe.cut();
    for (const resolve of this.writers.splice(0)) resolve();
  }
}
