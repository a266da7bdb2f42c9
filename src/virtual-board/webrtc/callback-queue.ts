/**
 * How the virtual board's `webrtc` peers hand results to Python: queued, then delivered on their
 * own turn (`schedule`, a macrotask) or by `process_queue()`, never from inside another Python call,
 * as upstream's module queues esp_peer's events for the MicroPython thread.
 */
export type Callback = (arg: unknown) => unknown;
export type EventKind = "offer" | "answer" | "ice" | "data" | "state";

export class CallbackQueue {
  private readonly callbacks = new Map<EventKind, Callback | null>();
  private readonly queue: Array<{ kind: EventKind; arg: unknown }> = [];
  private delivering = false;
  private flushScheduled = false;

  constructor(
    private readonly schedule: (run: () => void) => void,
    /** Where a callback's exception goes (the board's console, as MicroPython prints unhandled ones). */
    private readonly reportError: (text: string) => void,
  ) {}

  on(kind: EventKind, cb: Callback | null): void {
    this.callbacks.set(kind, cb);
  }

  push(kind: EventKind, arg: unknown): void {
    this.queue.push({ kind, arg });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.schedule(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Deliver what is queued; the number of callbacks run (`process_queue()`'s answer). */
  flush(): number {
    // A callback that calls process_queue() must not re-enter delivery.
    if (this.delivering) return 0;
    this.delivering = true;
    let delivered = 0;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        const { kind, arg } = item;
        const cb = this.callbacks.get(kind);
        if (!cb) continue;
        delivered++;
        try {
          cb(arg);
        } catch (err) {
          this.reportError(`webrtc ${kind} callback raised: ${(err as Partial<Error> | null)?.message ?? String(err)}`);
        }
      }
    } finally {
      this.delivering = false;
    }
    return delivered;
  }
}
