/**
 * Sends the loader's replies (and runs what must follow them, such as a baud change or a reboot)
 * in order, each no earlier than the time the chip would have it ready. Unpaced boards send at once.
 */
type Entry = { at: number; bytes?: Uint8Array; action?: () => void };

export class ResponseScheduler {
  disposed = false;
  private readonly queue: Entry[] = [];
  private lastAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly paced: boolean,
    private readonly sink: (bytes: Uint8Array) => void,
  ) {}

  send(at: number, bytes: Uint8Array): void {
    this.enqueue({ at, bytes });
  }

  /** Run `action` after everything queued so far has gone out, and not before `at`. */
  then(at: number, action: () => void): void {
    this.enqueue({ at, action });
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private enqueue(entry: Entry): void {
    if (this.disposed) return;
    entry.at = Math.max(entry.at, this.lastAt);
    this.lastAt = entry.at;
    this.queue.push(entry);
    this.pump();
  }

  private pump(): void {
    while (!this.disposed && this.queue.length > 0) {
      const head = this.queue[0];
      const wait = this.paced ? head.at - performance.now() : 0;
      if (wait > 0) {
        if (!this.timer) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, wait);
        }
        return;
      }
      this.queue.shift();
      if (head.bytes) this.sink(head.bytes);
      head.action?.();
    }
  }
}
