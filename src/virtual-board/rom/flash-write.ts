import { Inflate } from "pako";
import { concatBytes } from "@noble/hashes/utils.js";
import { BLOCK_SIZE, CPU_RATES, SECTOR_SIZE, SpiFlash } from "./spi-flash";

/** What went wrong with a block: "spi" is SPIWrite refusing an address past the chip size the stub was given. */
export type WriteError = "inflate" | "too-much-data" | "not-enough-data" | "spi";
export type FeedResult = { ok: true; ms: number } | { ok: false; error: WriteError };

/**
 * The stub's two clocks while it processes a block (performance.now() times): when its CPU is done
 * with what it has been given, and when the flash chip is done with the erase or program it was
 * last sent. An erase is started and left running (stub_write_flash.c start_next_erase: "Does not
 * wait for the erase to complete"); programming waits for it and is itself waited for (SPIWrite).
 */
export interface StubClock {
  cpu: number;
  flash: number;
}

/** stub_write_flash.c handle_flash_deflated_data: `static uint8_t out_buf[32768]`, written out when full. */
const STUB_OUT_BUF = 0x8000;

/**
 * One FLASH_BEGIN..FLASH_END (or the compressed variant) on the chip: where the data goes, how
 * much is still expected, and what has been erased so far.
 *
 * The ROM erases the whole region when the write begins; the stub erases just ahead of the data
 * as it processes it (64 KiB blocks where it can), which is why its FLASH_BEGIN answers at once.
 * With a `StubClock`, `feed` follows the stub's order of work (stub_write_flash.c): before each
 * inflate call it starts the next erase if the flash is idle ("decompressing takes time, so might
 * as well be running a SPI erase in the background"), inflates into a 32 KiB buffer, and writes the
 * buffer out when it is full or the stream ends, first erasing through the sector that follows the
 * write's last byte (handle_flash_data: `last_sector = (next_write + length) / FLASH_SECTOR_SIZE`),
 * then waiting for the flash. Nothing is erased while the stub waits for the UART (cmd_loop's idle
 * hook does no flash work).
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
  /** Set while `feed` runs with the stub's clocks. */
  private clock: StubClock | null = null;
  /** The stub's inflate output not yet written (out_buf), and inflated bytes of the block being fed. */
  private outBuf: Uint8Array | null = null;
  private outFill = 0;
  private produced: Uint8Array[] = [];

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
      const inflater = new Inflate({ chunkSize: SECTOR_SIZE });
      // The stub collects its inflater's output in out_buf and writes it out when that is full; the
      // ROM programs as it inflates.
      if (eraseAhead) {
        this.outBuf = new Uint8Array(STUB_OUT_BUF);
        inflater.onData = (chunk: Uint8Array) => this.produced.push(chunk);
      } else {
        inflater.onData = (chunk: Uint8Array) => this.program(chunk);
      }
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

  /** Is anything of the region left for the stub to erase? */
  private get canEraseAhead(): boolean {
    return this.eraseAhead && this.erasedTo < this.roundedEnd;
  }

  /** Erase the next unit of the region: a 64 KiB block where aligned and wholly inside, else a sector. */
  private eraseNextUnit(): number {
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

  /**
   * Take one data block. Without `clock` the time it costs is returned as `ms`, all of it in series
   * (the ROM, which answers only when done); with it, the stub's clocks are moved on as its work
   * interleaves (see the class comment) and `ms` is 0.
   */
  feed(block: Uint8Array, clock?: StubClock): FeedResult {
    this.pendingMs = 0;
    this.spiFailed = false;
    this.clock = clock ?? null;
    try {
      return this.feedBlock(block);
    } finally {
      this.clock = null;
    }
  }

  private feedBlock(block: Uint8Array): FeedResult {
    const inflater = this.inflater;
    if (inflater) {
      if (this.inflateFailed) return { ok: false, error: "inflate" };
      // stub_write_flash.c handle_flash_deflated_data: once all is written, a further block is
      // accepted only if it could be the 4-byte Adler-32 trailer.
      if (inflater.ended && this.outFill === 0)
        return block.length > 4 ? { ok: false, error: "too-much-data" } : { ok: true, ms: 0 };
      const before = this.written;
      inflater.push(block, false);
      if (inflater.err) {
        this.inflateFailed = true;
        return { ok: false, error: "inflate" };
      }
      if (this.outBuf) this.inflateCalls(ended(inflater));
      if (this.overflow) return { ok: false, error: "too-much-data" };
      if (!this.outBuf) this.pendingMs += (this.written - before) / CPU_RATES.inflateBytesPerMs;
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
    return this.refusedBySpi() ? { ok: false, error: "spi" } : { ok: true, ms: this.clock ? 0 : this.pendingMs };
  }

  /**
   * The stub's inflate calls over what this block inflated to: each call runs until its input is
   * used up or out_buf is full, and is preceded by an opportunistic erase; a full out_buf, or the
   * stream's end, is written out.
   */
  private inflateCalls(streamEnded: boolean): void {
    const outBuf = this.outBuf;
    if (!outBuf) return;
    const all = concatBytes(...this.produced);
    this.produced = [];
    let pos = 0;
    do {
      this.startNextErase();
      const n = Math.min(STUB_OUT_BUF - this.outFill, all.length - pos);
      this.spendCpu(n / CPU_RATES.inflateBytesPerMs);
      outBuf.set(all.subarray(pos, pos + n), this.outFill);
      this.outFill += n;
      pos += n;
      if (this.outFill === STUB_OUT_BUF || (streamEnded && pos === all.length && this.outFill > 0)) {
        const fill = this.outFill;
        this.outFill = 0;
        this.program(outBuf.slice(0, fill));
      }
    } while (pos < all.length);
  }

  /** CPU work: with the stub's clocks it moves the CPU on, otherwise it adds to the serial total. */
  private spendCpu(ms: number): void {
    if (this.clock) this.clock.cpu += ms;
    else this.pendingMs += ms;
  }

  /** stub_write_flash.c start_next_erase: erase the next unit if the flash is idle, without waiting for it. */
  private startNextErase(): void {
    const clock = this.clock;
    if (!clock || !this.canEraseAhead || clock.flash > clock.cpu) return;
    clock.flash = clock.cpu + this.eraseNextUnit();
  }

  /** Erase (synchronously, waiting for the flash before each unit) up to `until`; then wait for the flash. */
  private eraseThrough(until: number): void {
    const clock = this.clock;
    while (this.eraseAhead && this.erasedTo < until && this.canEraseAhead) {
      if (clock) {
        clock.cpu = Math.max(clock.cpu, clock.flash);
        clock.flash = clock.cpu + this.eraseNextUnit();
      } else {
        this.pendingMs += this.eraseNextUnit();
      }
    }
    if (clock) clock.cpu = Math.max(clock.cpu, clock.flash);
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
    // handle_flash_data erases through the sector holding byte `until` first (raw SPI commands, no
    // bound; the remaining-sector count stops it at the region's end)...
    this.eraseThrough(until - (until % SECTOR_SIZE) + SECTOR_SIZE);
    if (until > this.chipSizeLimit) {
      // ...then SPIWrite refuses the whole call past the chip size; the stub still moves on past it.
      this.spiFailed = true;
      this.written += data.length;
      return;
    }
    const ms = this.flash.program(at, data);
    if (this.clock) {
      this.clock.cpu += ms;
      this.clock.flash = this.clock.cpu;
    } else {
      this.pendingMs += ms;
    }
    this.written += data.length;
  }
}

/** Read through a call: pako sets `ended` while `push` runs, which flow analysis cannot see. */
function ended(inflater: Inflate): boolean {
  return inflater.ended;
}
