import { Inflate } from "pako";
import { BLOCK_SIZE, CPU_RATES, SECTOR_SIZE, SpiFlash } from "./spi-flash";

export type FeedResult = { ok: true; ms: number } | { ok: false; error: "inflate" | "too-much-data" };

/**
 * One FLASH_BEGIN..FLASH_END (or the compressed variant) on the chip: where the data goes, how
 * much is still expected, and what has been erased so far.
 *
 * The ROM erases the whole region when the write begins; the stub erases just ahead of the data
 * as it arrives (64 KiB blocks where it can), which is why its FLASH_BEGIN answers at once.
 */
export class FlashWriteSession {
  written = 0;
  private erasedTo: number;
  private readonly end: number;
  private inflater: Inflate | null = null;
  private inflateFailed = false;
  private overflow = false;
  private pendingMs = 0;

  constructor(
    private readonly flash: SpiFlash,
    readonly offset: number,
    /** Bytes that will be written (uncompressed). */
    readonly size: number,
    readonly compressed: boolean,
    private readonly eraseAhead: boolean,
  ) {
    this.erasedTo = offset - (offset % SECTOR_SIZE);
    this.end = offset + size;
    if (compressed) {
      // The stub inflates into a small buffer and programs it as it fills, block by block.
      const inflater = new Inflate({ chunkSize: SECTOR_SIZE });
      inflater.onData = (chunk: Uint8Array) => this.program(chunk);
      this.inflater = inflater;
    }
  }

  /** ROM style: erase everything up front. Returns the time it takes. */
  eraseAll(eraseSize: number): number {
    const start = this.offset - (this.offset % SECTOR_SIZE);
    const end = Math.min(this.flash.size, Math.ceil((this.offset + eraseSize) / SECTOR_SIZE) * SECTOR_SIZE);
    this.erasedTo = end;
    return end > start ? this.flash.eraseRange(start, end - start) : 0;
  }

  /** The stub erases ahead of the data while it waits for the UART: is there anything left to erase? */
  get canEraseAhead(): boolean {
    return this.eraseAhead && this.erasedTo < this.roundedEnd;
  }

  /** Erase the next unit of the region: a 64 KiB block where aligned and wholly inside, else a sector. */
  eraseNextUnit(): number {
    if (!this.canEraseAhead) return 0;
    if (this.erasedTo % BLOCK_SIZE === 0 && this.roundedEnd - this.erasedTo >= BLOCK_SIZE) {
      const ms = this.flash.eraseBlock(this.erasedTo);
      this.erasedTo += BLOCK_SIZE;
      return ms;
    }
    const ms = this.flash.eraseSector(this.erasedTo);
    this.erasedTo += SECTOR_SIZE;
    return ms;
  }

  private get roundedEnd(): number {
    return Math.min(this.flash.size, Math.ceil(this.end / SECTOR_SIZE) * SECTOR_SIZE);
  }

  get remaining(): number {
    return this.size - this.written;
  }

  feed(block: Uint8Array): FeedResult {
    this.pendingMs = 0;
    if (this.compressed) {
      const inflater = this.inflater;
      if (!inflater) throw new Error("a compressed write without its inflater");
      if (this.inflateFailed || inflater.ended)
        return { ok: false, error: this.overflow ? "too-much-data" : "inflate" };
      const before = this.written;
      inflater.push(block, false);
      if (inflater.err) {
        this.inflateFailed = true;
        return { ok: false, error: "inflate" };
      }
      if (this.overflow) return { ok: false, error: "too-much-data" };
      this.pendingMs += (this.written - before) / CPU_RATES.inflateBytesPerMs;
    } else {
      if (this.remaining <= 0) return { ok: false, error: "too-much-data" };
      // The last block arrives padded to the block size; only `size` bytes are programmed.
      this.program(block.subarray(0, Math.min(block.length, this.remaining)));
    }
    return { ok: true, ms: this.pendingMs };
  }

  private program(chunk: Uint8Array): void {
    let data = chunk;
    if (data.length > this.remaining) {
      this.overflow = true;
      data = data.subarray(0, Math.max(0, this.remaining));
    }
    if (data.length === 0) return;
    const at = this.offset + this.written;
    const until = at + data.length;
    while (this.eraseAhead && this.erasedTo < until) this.pendingMs += this.eraseNextUnit();
    this.pendingMs += this.flash.program(at, data);
    this.written += data.length;
  }
}
