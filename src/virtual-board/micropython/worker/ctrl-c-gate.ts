/**
 * Lets a blocking sleep in the worker end early on Ctrl-C. The page bumps a shared counter for
 * every Ctrl-C byte before posting it; the sleep waits on that counter (Atomics.wait, no CPU).
 * A Ctrl-C that woke a sleep has already interrupted the program, so its byte is dropped when it
 * arrives, as the real UART driver consumes the interrupt character.
 */
import { blockFor } from "../interpreter";
import { CTRL_C } from "./protocol";

export class CtrlCGate {
  /** Ctrl-C bytes taken from the message stream (passed on or dropped). */
  private taken = 0;
  /** Ctrl-C bytes that already woke a sleep and whose byte has not arrived yet. */
  private early = 0;
  private readonly cell: Int32Array | null;

  constructor(shared: SharedArrayBuffer | null) {
    this.cell = shared ? new Int32Array(shared) : null;
  }

  /** True when this gate can wait without spinning (memory shared with the page). */
  get blocksWithoutSpinning(): boolean {
    return this.cell !== null;
  }

  /** Console bytes as they arrive; drops the ones whose interrupt a sleep already delivered. */
  filter(bytes: Uint8Array): Uint8Array {
    if (!bytes.includes(CTRL_C)) return bytes;
    const kept: number[] = [];
    for (const b of bytes) {
      if (b === CTRL_C) {
        this.taken++;
        if (this.early > 0) {
          this.early--;
          continue;
        }
      }
      kept.push(b);
    }
    return Uint8Array.from(kept);
  }

  /** Sleep `ms`; true when a Ctrl-C ended it early (only when `interruptible`). */
  readonly wait = (ms: number, interruptible: boolean): boolean => {
    const cell = this.cell;
    if (!cell) {
      blockFor(ms);
      return false;
    }
    const deadline = performance.now() + ms;
    for (;;) {
      const expected = this.taken + this.early;
      const seen = Atomics.load(cell, 0);
      if (seen !== expected && interruptible) {
        this.early += seen - expected;
        return true;
      }
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(cell, 0, seen, left);
    }
  };
}

/** Page side: count the Ctrl-C bytes about to be posted and wake a sleeping worker. */
export function announceCtrlC(shared: SharedArrayBuffer | null, bytes: Uint8Array): void {
  if (!shared) return;
  let n = 0;
  for (const b of bytes) if (b === CTRL_C) n++;
  if (n === 0) return;
  const cell = new Int32Array(shared);
  Atomics.add(cell, 0, n);
  Atomics.notify(cell, 0);
}
