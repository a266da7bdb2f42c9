/**
 * Board → host console bytes. MicroPython's console "cooks" output (LF becomes CR LF); the wasm
 * build hands us one byte per call, so bytes are gathered and sent in one chunk per task turn.
 * Protocol bytes (OK, \x04, prompts) go through the same queue, so order is kept.
 */
export class ConsoleOutput {
  private pending: number[] = [];
  private scheduled = false;
  private readonly listeners = new Set<(text: string) => void>();
  private readonly decoder = new TextDecoder();

  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  /** Bytes printed by Python: LF is sent as CR LF. */
  cooked(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 0x0a) this.pending.push(0x0d);
      this.pending.push(b);
    }
    this.schedule();
  }

  /** Text as it must appear on the wire (protocol replies, prompts, banners). */
  raw(text: string | Uint8Array): void {
    const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
    for (const b of bytes) this.pending.push(b);
    this.schedule();
  }

  /** Decoded text of everything sent, for status-line watchers. */
  onText(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = Uint8Array.from(this.pending);
    this.pending = [];
    this.sink(chunk);
    if (this.listeners.size > 0) {
      const text = this.decoder.decode(chunk, { stream: true });
      for (const l of this.listeners) l(text);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }
}
