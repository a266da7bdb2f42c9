import { Inflate } from "pako";
import { BLOCK_SIZE, CPU_RATES, SECTOR_SIZE, SpiFlash } from "./spi-flash";

/** What went wrong with a block: "spi" is SPIWrite refusing an address past the chip size the stub was given. */
export type WriteError = "inflate" | "too-much-data" | "not-enough-data" | "spi";
export type FeedResult = { ok: true; ms: number } | { ok: false; error: WriteError };

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
  private spiFailed = false;

  constructor(
    private readonly flash: SpiFlash,
    readonly offset: number,
    /** Bytes that will be written (uncompressed). */
    readonly size: number,
    readonly compressed: boolean,
    private readonly eraseAhead: boolean,
    /**
     * The stub's idea of the chip size (FLASH_MAX_SIZE, or SPI_SET_PARAMS's): the ROM's SPIWrite refuses a
     * write past it; below it the write goes out and the flash wraps it. Infinity for the ROM, which
     * range-checks at FLASH_BEGIN.
     */
    private readonly chipSizeLimit = Infinity,
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
    // The stub erases with raw SPI commands and no bound (stub_write_flash.c start_next_erase): past the
    // array the flash wraps the address. The ROM's region was range-checked when the write began.
    return Math.ceil(this.end / SECTOR_SIZE) * SECTOR_SIZE;
  }

  get remaining(): number {
    return this.size - this.written;
  }

  feed(block: Uint8Array): FeedResult {
    this.pendingMs = 0;
    this.spiFailed = false;
    const inflater = this.inflater;
    if (inflater) {
      if (this.inflateFailed) return { ok: false, error: "inflate" };
      // stub_write_flash.c handle_flash_deflated_data: once all is written, a further block is
      // accepted only if it could be the 4-byte Adler-32 trailer.
      if (inflater.ended) return block.length > 4 ? { ok: false, error: "too-much-data" } : { ok: true, ms: 0 };
      const before = this.written;
      inflater.push(block, false);
      if (inflater.err) {
        this.inflateFailed = true;
        return { ok: false, error: "inflate" };
      }
      if (this.overflow) return { ok: false, error: "too-much-data" };
      this.pendingMs += (this.written - before) / CPU_RATES.inflateBytesPerMs;
      // stub_write_flash.c handle_flash_deflated_data: the stream ended with bytes still owed. (The ROM's
      // size is the region it erased, rounded up to blocks by esptool-js; it does not expect it filled.)
      if (this.eraseAhead && ended(inflater) && this.remaining > 0) return { ok: false, error: "not-enough-data" };
    } else {
      // The stub trims a block past the announced size and writes nothing more (stub_write_flash.c
      // handle_flash_data, "Trim the final block"); the ROM refuses it.
      if (this.remaining <= 0) return this.eraseAhead ? { ok: true, ms: 0 } : { ok: false, error: "too-much-data" };
      // The last block arrives padded to the block size; only `size` bytes are programmed.
      this.program(block.subarray(0, Math.min(block.length, this.remaining)));
    }
    return this.refusedBySpi() ? { ok: false, error: "spi" } : { ok: true, ms: this.pendingMs };
  }

  /** Set while programming (a callback of the inflater, for compressed data). */
  private refusedBySpi(): boolean {
    return this.spiFailed;
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
    // handle_flash_data erases up to the block's last sector first (raw SPI commands, no bound)...
    while (this.eraseAhead && this.erasedTo < until) this.pendingMs += this.eraseNextUnit();
    if (until > this.chipSizeLimit) {
      // ...then SPIWrite refuses the whole call past the chip size; the stub still moves on past it.
      this.spiFailed = true;
      this.written += data.length;
      return;
    }
    this.pendingMs += this.flash.program(at, data);
    this.written += data.length;
  }
}

/** Read through a call: pako sets `ended` while `push` runs, which flow analysis cannot see. */
function ended(inflater: Inflate): boolean {
  return inflater.ended;
}
