import { ESPLoader, type Before } from "esptool-js";
import { prepareReset, watchdogReset, watchdogResetIntoLoader } from "./usb-reset";
import { isUsbOtgRom } from "../port/usb-connector";
import { SerialPortTransport } from "../port/esptool-transport";
import { isUsbSerialJtag, type SerialPortLike } from "../port/serial-port";
import type { ChipFamily } from "../image/chips";
import { FlashError } from "./errors";
import { ROM_BAUD, probeLink, switchRomBaud, switchStubBaud } from "./link-rate";
import { compressNow, type CompressedStream } from "./work-ahead";
import { planStubBlocks, romBlocks } from "./stub-blocks";
import type { DetectedChip } from "./types";
import { quietWatchdogs, watchdogRegisters } from "./watchdogs";
import { setFlashParameters } from "./flash-parameters";
import { SPI_ATTACH, identifyChip, stubLeftRunning, withEfuseWords, type EfuseWords } from "./chip-identity";
import { EN_LOW_MS, connectResetConstructors } from "./reset-pulse";
import { romMd5 } from "./rom-md5";

export const DEFAULT_FLASH_BAUD = 921_600;
/** esptool's stub takes 16 KiB blocks. */
const WRITE_BLOCK = 0x4000;
/**
 * The ROM loader's flash block (esptool's FLASH_WRITE_SIZE without the stub). The ROM erases the
 * begin's size rounded up to whole blocks, so a small block keeps its erase to the run's sectors.
 */
const ROM_WRITE_BLOCK = 0x400;
/** Generous per-block allowance while the stub programs (esptool uses 40 s per MB too). */
const WRITE_MS_PER_MB = 40_000;
const MIN_TIMEOUT_MS = 3_000;

export interface OpenSessionOptions {
  /** Baud rate after the first sync at 115200; default 921600. Lower rates are tried when the link refuses. */
  baudRate?: number;
  signal?: AbortSignal;
  /** Print esptool-js's wire trace to the console. */
  tracing?: boolean;
  /** Called once the chip is known, and once the stub runs at its final baud. */
  /** "no_reset": the board is in its loader already (BOOT held, RESET tapped by hand): only sync. */
  resetMode?: "default_reset" | "no_reset";
  /** Reset-and-sync attempts before "no-response" (esptool-js's default 7). */
  connectAttempts?: number;
  onProgress?: (step: { state: "connected"; chip: DetectedChip } | { state: "stub-running"; baudRate: number }) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An open connection to a board's serial bootloader, the ROM's and then the flasher stub's: chip
 * facts, MD5 and reads of flash regions, compressed writes. Built on esptool-js (connect, reset
 * strategies, chip detection, stub upload); the baud switch, block writes and error mapping are
 * ours so that failures become `FlashError`s with something the user can do, and a pulled cable
 * or an abort is noticed at once.
 */
export class FlashSession {
  chip!: DetectedChip;
  /** The rate the link runs at now. */
  baudRate = ROM_BAUD;
  /** The rate asked of the ROM loader (the stub starts at it); `romBaudRate` is what the link took. */
  requestedBaudRate = DEFAULT_FLASH_BAUD;
  romBaudRate = ROM_BAUD;
  /** The flasher stub runs (READ_FLASH, ERASE_*, fast compressed writes); otherwise the ROM answers. */
  get stubRunning(): boolean {
    return this.loader.IS_STUB;
  }
  private lost = false;
  private closed = false;
  /** eFuse words read while identifying the chip (chip-identity.ts). */
  private readonly efuseWords: EfuseWords = new Map();
  private onProgress: OpenSessionOptions["onProgress"];
  private readonly interrupt: Promise<never>;
  private rejectInterrupt!: (err: FlashError) => void;
  /** Set while a watchdog reset is under way: the port leaving then is its success, not a lost board. */
  private resetGone: (() => void) | null = null;
  private readonly onDisconnect = () => (this.resetGone ? this.resetGone() : this.fail(FlashError.disconnected()));
  private readonly onAbort = () => this.fail(FlashError.cancelled());

  private constructor(
    readonly port: SerialPortLike,
    readonly loader: ESPLoader,
    readonly transport: SerialPortTransport,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.interrupt = new Promise<never>((_, reject) => {
      this.rejectInterrupt = reject;
    });
    this.interrupt.catch(() => undefined);
    port.addEventListener?.("disconnect", this.onDisconnect);
    // A stream that fails without a "disconnect" (the permission taken back) ends the job as well;
    // the session then says which it was. During a watchdog reset the port leaving is expected.
    transport.onLinkLost = (err) => {
      if (!this.resetGone && !this.closed) this.fail(FlashError.disconnected(err));
    };
    signal?.addEventListener("abort", this.onAbort);
  }

  /** Reset the board into its serial bootloader, identify it, start the stub and switch baud. */
  static async open(port: SerialPortLike, options: OpenSessionOptions = {}): Promise<FlashSession> {
    const session = await FlashSession.connect(port, options);
    try {
      await session.startStub();
      return session;
    } catch (err) {
      await session.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Reset the board into its ROM serial loader, identify it and switch the ROM to a faster UART
   * (the ROM loaders of the ESP32 family take CHANGE_BAUDRATE too), without the stub yet. The
   * ROM already answers MD5 requests, so a job that finds everything identical never needs the
   * stub, and one that does not uploads it at the fast rate.
   */
  static async connect(port: SerialPortLike, options: OpenSessionOptions = {}): Promise<FlashSession> {
    if (options.signal?.aborted) throw FlashError.cancelled();
    const transport = new SerialPortTransport(port, options.tracing ?? false);
    const loader = new ESPLoader({
      transport,
      baudrate: options.baudRate ?? DEFAULT_FLASH_BAUD,
      romBaudrate: ROM_BAUD,
      terminal: { clean: () => undefined, write: () => undefined, writeLine: () => undefined },
      debugLogging: false,
      resetConstructors: connectResetConstructors(),
    });
    const session = new FlashSession(port, loader, transport, options.signal);
    session.onProgress = options.onProgress;
    session.requestedBaudRate = options.baudRate ?? DEFAULT_FLASH_BAUD;
    try {
      await session.guard(
        session.identify(options.baudRate ?? DEFAULT_FLASH_BAUD, options.resetMode, options.connectAttempts),
        "connect",
      );
      options.onProgress?.({ state: "connected", chip: session.chip });
      return session;
    } catch (err) {
      await session.close().catch(() => undefined);
      throw err;
    }
  }

  /** Upload and start the flasher stub (at the rate the ROM was switched to; the stub keeps it). */
  async startStub(): Promise<void> {
    if (this.loader.IS_STUB) return;
    // esptool-js reads the chip's revision again before choosing the stub: eFuse words already read.
    await this.guard(
      withEfuseWords(this.loader, this.efuseWords, () => this.loader.runStub()),
      "stub",
    );
    if (!this.stubRunning) throw FlashError.noResponse(new Error("the flasher stub did not start"));
    // The real flash size, so that a write past it fails instead of wrapping (see flash-parameters.ts).
    if (this.chip.flashSize !== null) await this.guard(setFlashParameters(this.loader, this.chip.flashSize), "stub");
    this.onProgress?.({ state: "stub-running", baudRate: this.baudRate });
  }

  /**
   * Move the running stub to `baudRate` and check the link there. When the link fails the check
   * the chip is reset and the stub started again at the ROM's rate; the answer is then false.
   */
  async tryBaudRate(baudRate: number): Promise<boolean> {
    if (!this.loader.IS_STUB) throw new Error("tryBaudRate needs the flasher stub running");
    const probe = await probeLink(this);
    if (await switchStubBaud(this, baudRate, probe)) {
      this.baudRate = baudRate;
      return true;
    }
    await this.restart();
    return false;
  }

  /**
   * Reset into the ROM loader, sync again, and start the stub at the rate the ROM took before: the
   * way back from a rate the link could not carry (the chip no longer understands the host).
   * Flash already written stays as it is.
   */
  async restart(): Promise<void> {
    const loader = this.loader;
    await this.guard(
      (async () => {
        await this.transport.disconnect();
        loader.IS_STUB = false;
        this.baudRate = ROM_BAUD;
        await loader.connect("default_reset", 7, false);
        await this.quietWatchdogsIfNeeded();
        if (!this.chip.usbSerialJtag)
          this.baudRate = this.romBaudRate = await switchRomBaud(this, this.requestedBaudRate);
        await loader.checkCommand("attach SPI flash", SPI_ATTACH, new Uint8Array(8));
      })(),
      "connect",
    );
    await this.startStub();
  }

  /** MD5 of a flash region as the chip computes it (lower-case hex). */
  md5(offset: number, length: number): Promise<string> {
    return this.guard(
      this.loader.IS_STUB ? this.loader.flashMd5sum(offset, length) : romMd5(this.loader, offset, length),
      "md5",
    );
  }

  /** Read a flash region (what firmware is on the board, for instance). */
  readFlash(offset: number, length: number, onProgress?: (read: number, total: number) => void): Promise<Uint8Array> {
    return this.guard(
      this.loader.readFlash(offset, length, onProgress ? (_p, read, total) => onProgress(read, total) : null),
      "read",
    );
  }

  eraseAll(): Promise<void> {
    return this.guard(
      this.loader.eraseFlash().then(() => undefined),
      "erase",
    );
  }

  /**
   * Write `data` at `offset`, deflate-compressed as the loader inflates it (the stub, or the ROM
   * when the stub was not started). `onProgress` gets the uncompressed bytes written so far after
   * each block the loader has acknowledged.
   */
  async write(
    offset: number,
    data: Uint8Array,
    onProgress?: (written: number) => void,
    compressed: CompressedStream = compressForFlash(data),
  ): Promise<void> {
    const loader = this.loader;
    const rom = !loader.IS_STUB;
    const blockSize = rom ? ROM_WRITE_BLOCK : WRITE_BLOCK;
    loader.FLASH_WRITE_SIZE = blockSize;
    const bytes = compressed.bytes;
    await this.guard(loader.flashDeflBegin(data.length, bytes.length, offset), "write");
    // The stub's blocks are cut where its inflate buffer fills (stub-blocks.ts); the ROM takes
    // fixed blocks. What each has inflated to by then gives progress and a fair timeout per block.
    const blocks = rom ? romBlocks(bytes.length, data.length, blockSize) : planStubBlocks(compressed, data.length);
    let previousInflated = 0;
    let previousBlockBytes = 0;
    for (const [seq, { start, end, inflated }] of blocks.entries()) {
      this.throwIfInterrupted();
      const blockBytes = Math.max(0, inflated - previousInflated);
      // The stub answers a block once the previous block is programmed, so allow for that one too.
      const timeout = Math.max(
        MIN_TIMEOUT_MS,
        (WRITE_MS_PER_MB * (blockBytes + previousBlockBytes + WRITE_BLOCK)) / 1e6,
      );
      await this.guard(loader.flashDeflBlock(bytes.subarray(start, end), seq, timeout), "write");
      if (inflated > previousInflated) onProgress?.(Math.min(data.length, inflated));
      previousInflated = Math.max(previousInflated, inflated);
      previousBlockBytes = blockBytes;
    }
    // The ROM takes FLASH_DEFL_END as "leave the loader and run the app" (esptool skips it too);
    // every block it acknowledged is already programmed.
    if (rom) return;
    await this.guard(
      loader.flashDeflFinish(false, Math.max(MIN_TIMEOUT_MS, (WRITE_MS_PER_MB * WRITE_BLOCK * 64) / 1e6)),
      "write",
    );
  }

  /**
   * Pulse EN (RTS) with IO0 (DTR) released, so the chip boots the app from flash; EN is held low
   * for `EN_LOW_MS`, what the data sheet asks with a wide margin (reset-pulse.ts). Both lines are
   * driven on the port directly: esptool-js's setRTS re-sends a stale DTR state, which after a
   * port reopen keeps IO0 low and the chip in reset-less limbo. DTR drops before RTS rises so a
   * USB-Serial-JTAG chip does not read the edge as "download mode next".
   */
  async hardReset(): Promise<void> {
    // S2/S3: clear "force download boot"; over the ROM's USB-OTG (no reset line) use the watchdog.
    const family = (this.chip as DetectedChip | undefined)?.family;
    if (family && (await prepareReset(family, this.port.getInfo(), this.loader)) === "watchdog") {
      await this.watchdog(watchdogReset(family, this.loader));
      return;
    }
    await this.guard(
      (async () => {
        await this.port.setSignals({ dataTerminalReady: false, requestToSend: false });
        await this.port.setSignals({ dataTerminalReady: false, requestToSend: true });
        await sleep(EN_LOW_MS);
        await this.port.setSignals({ dataTerminalReady: false, requestToSend: false });
      })(),
      "reset",
    );
  }

  /**
   * Over the ROM's USB-OTG: restart into the ROM loader (usb-reset.ts, watchdogResetIntoLoader),
   * leaving no stub behind; the device leaves the bus and comes back as the same loader.
   */
  async resetIntoLoader(): Promise<void> {
    const family = (this.chip as DetectedChip | undefined)?.family;
    if (!family || !isUsbOtgRom(this.port.getInfo(), family))
      throw new Error("resetIntoLoader is for the ROM's USB-OTG");
    await this.watchdog(watchdogResetIntoLoader(family, this.loader));
  }

  /**
   * The chip resets about 15 ms after the watchdog's enable (2000 RTC slow-clock cycles), and its
   * USB-OTG device leaves with it: the last register write's reply may never come. As esptool, take
   * the port going away as the reset having happened.
   */
  private async watchdog(reset: Promise<void>): Promise<void> {
    const gone = new Promise<void>((resolve) => (this.resetGone = resolve));
    try {
      await this.guard(Promise.race([reset, gone]), "reset");
    } finally {
      this.resetGone = null;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.port.removeEventListener?.("disconnect", this.onDisconnect);
    this.signal?.removeEventListener("abort", this.onAbort);
    if (this.lost) return;
    try {
      await this.transport.disconnect();
    } catch {
      // Already closed (for instance after a failed open).
    }
  }

  throwIfInterrupted(): void {
    if (this.lost) throw FlashError.disconnected();
    if (this.signal?.aborted) throw FlashError.cancelled();
  }

  /** Run an esptool-js step; a pulled cable or an abort ends the wait at once, and errors become FlashErrors. */
  async guard<T>(
    work: Promise<T>,
    step: "connect" | "stub" | "md5" | "read" | "erase" | "write" | "reset",
  ): Promise<T> {
    work.catch(() => undefined);
    this.throwIfInterrupted();
    try {
      return await Promise.race([work, this.interrupt]);
    } catch (err) {
      throw this.translate(err, step);
    }
  }

  private fail(err: FlashError): void {
    if (err.code === "disconnected") this.lost = true;
    this.rejectInterrupt(err);
  }

  private translate(err: unknown, step: string): FlashError {
    if (err instanceof FlashError) return err;
    if (this.lost) return FlashError.disconnected(err);
    if (this.signal?.aborted) return FlashError.cancelled();
    const name = err instanceof Error ? err.name : "";
    const message = err instanceof Error ? err.message : String(err);
    if (step === "connect") {
      if (name === "NetworkError" && /lost/i.test(message)) return FlashError.disconnected(err);
      if (name === "NetworkError" || name === "InvalidStateError" || /open/i.test(message))
        return FlashError.portBusy(err);
      return FlashError.noResponse(err);
    }
    if (step === "stub") return FlashError.noResponse(err);
    return new FlashError("write-failed", `The board stopped answering (${message}). Reconnect it and try again.`, {
      cause: err,
    });
  }

  private async identify(baudRate: number, resetMode: Before = "default_reset", attempts = 7): Promise<void> {
    const loader = this.loader;
    await loader.connect(resetMode, attempts, true);
    // Secure download mode (GET_SECURITY_INFO's flag, read by esptool-js while detecting): the ROM
    // refuses register reads and the stub, so nothing below would work; say so rather than time out.
    if (loader.secureDownloadMode) throw FlashError.secureDownloadMode();
    await this.quietWatchdogsIfNeeded();
    // The dozens of register reads that follow go faster at the final rate. USB-Serial-JTAG moves
    // data at USB speed whatever the baud rate, so it keeps the ROM rate.
    if (!isUsbSerialJtag(this.port.getInfo())) this.baudRate = this.romBaudRate = await switchRomBaud(this, baudRate);
    this.chip = await identifyChip(loader, isUsbSerialJtag(this.port.getInfo()), this.efuseWords);
  }

  /** esptool's `_post_connect` on USB-Serial-JTAG (see watchdogs.ts); a reset re-arms them, so after every connect. */
  private async quietWatchdogsIfNeeded(): Promise<void> {
    const loader = this.loader;
    const regs = watchdogRegisters(loader.chip.CHIP_NAME as ChipFamily);
    if (!regs || stubLeftRunning(loader) || !isUsbSerialJtag(this.port.getInfo())) return;
    await quietWatchdogs(
      { readReg: (addr) => loader.readReg(addr), writeReg: (addr, value) => loader.writeReg(addr, value) },
      regs,
    );
  }
}

/** Deflate as the stub inflates it; exported so a job can compress before it starts the clock on the wire. */
export function compressForFlash(data: Uint8Array): CompressedStream {
  return compressNow(data);
}
