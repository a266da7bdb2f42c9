import { md5 } from "@noble/hashes/legacy.js";
import { chipProfile, type ChipProfile } from "../chips";
import type { BoardIdentity, DownloadModeSession } from "../types";
import { FlashWriteSession } from "./flash-write";
import { downloadBanner, errorCode, type Failure } from "./loader-replies";
import { Op, parseCommand, responsePacket, u32, xorChecksum, type CommandPacket } from "./protocol";
import { ResponseScheduler } from "./response-scheduler";
import { SlipDecoder, slipEncode, type SlipFrameResult } from "./slip";
import { CPU_RATES, SECTOR_SIZE, SpiFlash } from "./spi-flash";
import { RegisterFile } from "./registers";
import { FlashReadStream } from "./flash-read";

/** What the serial bootloader needs from the board it runs on. */
export interface BootloaderHost {
  readonly identity: BoardIdentity;
  readonly flash: Uint8Array;
  readonly paced: boolean;
  readonly uartBaud: number;
  sendToHost(bytes: Uint8Array): void;
  setUartBaud(baud: number): void;
  reset(into: "download" | "normal"): void;
  print(text: string): void;
}

const SYNC_PAYLOAD = new Uint8Array([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
/** The ROM answers one SYNC with eight replies (esptool reads all of them). */
const ROM_SYNC_REPLIES = 8;
/** esptool's stub takes 16 KiB blocks; anything much larger would not fit its buffers. */
const STUB_MAX_BLOCK = 0x10000;
/** Time from MEM_END to the stub's "OHAI": clearing BSS and attaching flash. */
const STUB_START_MS = 2;

export function createDownloadSession(board: BootloaderHost): DownloadModeSession {
  return new BootloaderSession(board);
}

/**
 * The chip in download mode: the ROM's serial loader, and once esptool uploads and starts it,
 * the flasher stub. Both speak the same framing and most commands; they differ in status size
 * (ROM 4 bytes, stub 2), error codes, the stub-only commands, and in timing: the ROM finishes flash
 * work before it answers, the stub answers a data block as soon as it has it and programs it while
 * the next one arrives.
 */
class BootloaderSession implements DownloadModeSession {
  private stub = false;
  private crashed = false;
  private readonly profile: ChipProfile;
  private readonly decoder: SlipDecoder;
  private readonly registers: RegisterFile;
  private readonly spiFlash: SpiFlash;
  private readonly out: ResponseScheduler;
  private memRegions: Array<{ start: number; end: number }> = [];
  private memLoading: { blocks: number; received: number } | null = null;
  private write: FlashWriteSession | null = null;
  private reading: FlashReadStream | null = null;
  /** When the flash finishes the work already handed to it (performance.now() clock). */
  private flashBusyUntil = 0;
  /** When the stub finishes processing the last data block (it answers the next one only then). */
  private blockDoneAt = 0;

  constructor(private readonly board: BootloaderHost) {
    this.profile = chipProfile(board.identity.chip);
    this.decoder = new SlipDecoder((frame) => this.onFrame(frame));
    this.registers = new RegisterFile(this.profile, board.identity, () => board.uartBaud);
    this.spiFlash = new SpiFlash(board.flash);
    this.out = new ResponseScheduler(board.paced, (bytes) => board.sendToHost(bytes));
    board.print(downloadBanner(board.identity));
  }

  receive(bytes: Uint8Array): void {
    if (this.out.disposed || this.crashed) return;
    this.decoder.push(bytes);
  }

  dispose(): void {
    this.out.dispose();
    this.reading = null;
  }

  private now(): number {
    return this.board.paced ? performance.now() : 0;
  }

  private onFrame(frame: SlipFrameResult): void {
    // A mangled frame carries no command the chip could answer; the host times out and retries.
    if (!frame.ok) return;
    if (this.reading) {
      this.reading.acknowledge(frame.payload);
      return;
    }
    const cmd = parseCommand(frame.payload);
    if (!cmd) return;
    if (cmd.declaredLength !== cmd.data.length) {
      this.fail(cmd.op, "length");
      return;
    }
    this.dispatch(cmd);
  }

  private dispatch(cmd: CommandPacket): void {
    const { op, data } = cmd;
    switch (op) {
      case Op.SYNC: {
        this.sync(data);
        return;
      }
      case Op.READ_REG:
        if (data.length !== 4) {
          this.fail(op, "invalid");
          return;
        }
        {
          this.ok(op, new Uint8Array(0), this.registers.read(u32(data, 0)));
          return;
        }
      case Op.WRITE_REG: {
        this.writeReg(data);
        return;
      }
      case Op.SPI_SET_PARAMS: {
        if (data.length === 24) this.ok(op);
        else this.fail(op, "invalid");
        return;
      }
      case Op.SPI_ATTACH: {
        if (data.length === 4 || data.length === 8) this.ok(op);
        else this.fail(op, "invalid");
        return;
      }
      case Op.CHANGE_BAUDRATE: {
        this.changeBaud(data);
        return;
      }
      case Op.GET_SECURITY_INFO: {
        this.securityInfo();
        return;
      }
      case Op.MEM_BEGIN:
      case Op.MEM_DATA:
      case Op.MEM_END: {
        this.memory(cmd);
        return;
      }
      case Op.FLASH_BEGIN:
      case Op.FLASH_DEFL_BEGIN: {
        this.flashBegin(op, data);
        return;
      }
      case Op.FLASH_DATA:
      case Op.FLASH_DEFL_DATA: {
        this.flashData(cmd);
        return;
      }
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END: {
        this.flashEnd(op, data);
        return;
      }
      case Op.SPI_FLASH_MD5: {
        this.flashMd5(data);
        return;
      }
    }
    if (!this.stub) {
      this.fail(op, "unsupported");
      return;
    }
    switch (op) {
      case Op.ERASE_FLASH: {
        this.afterFlashWork(op, this.spiFlash.chipErase());
        return;
      }
      case Op.ERASE_REGION: {
        this.eraseRegion(data);
        return;
      }
      case Op.READ_FLASH: {
        this.readFlash(data);
        return;
      }
      case Op.RUN_USER_CODE:
        this.out.then(this.now(), () => this.board.reset("normal"));
        return;
    }
    this.fail(op, "unsupported");
  }

  // ---- replies ---------------------------------------------------------------------------------

  private statusBytes(failure?: Failure): Uint8Array {
    const code = failure === undefined ? 0 : errorCode(failure, this.stub);
    const status = failure === undefined ? 0 : 1;
    return this.stub ? new Uint8Array([status, code]) : new Uint8Array([status, code, 0, 0]);
  }

  private ok(op: number, data: Uint8Array = new Uint8Array(0), value = 0, notBefore = 0): void {
    const body = new Uint8Array(data.length + (this.stub ? 2 : 4));
    body.set(data);
    this.out.send(Math.max(this.now(), notBefore), slipEncode(responsePacket(op, value, body)));
  }

  private fail(op: number, failure: Failure, notBefore = 0): void {
    this.out.send(Math.max(this.now(), notBefore), slipEncode(responsePacket(op, 0, this.statusBytes(failure))));
  }

  /** Reply once the flash has finished earlier work plus `ms` more. */
  private afterFlashWork(op: number, ms: number, data?: Uint8Array): void {
    const done = Math.max(this.now(), this.flashBusyUntil) + (this.board.paced ? ms : 0);
    this.flashBusyUntil = done;
    this.ok(op, data, 0, done);
  }

  /**
   * While waiting for the UART the stub starts erasing what the write will need next; each erase,
   * once started, runs to completion. Model the erases that would have started before `t`.
   */
  private eraseAheadUntil(t: number): void {
    const session = this.write;
    while (session?.canEraseAhead && this.flashBusyUntil < t) this.flashBusyUntil += session.eraseNextUnit();
  }

  // ---- commands --------------------------------------------------------------------------------

  private sync(data: Uint8Array): void {
    if (data.length !== SYNC_PAYLOAD.length || data.some((b, i) => b !== SYNC_PAYLOAD[i])) {
      this.fail(Op.SYNC, "invalid");
      return;
    }
    if (this.stub) {
      this.ok(Op.SYNC);
      return;
    }
    for (let i = 0; i < ROM_SYNC_REPLIES; i++) this.ok(Op.SYNC, new Uint8Array(0), this.profile.romSyncValue);
  }

  private writeReg(data: Uint8Array): void {
    if (data.length === 0 || data.length % 16 !== 0) {
      this.fail(Op.WRITE_REG, "invalid");
      return;
    }
    let delayMs = 0;
    for (let i = 0; i < data.length / 4; i += 4) {
      this.registers.write(u32(data, i), u32(data, i + 1), u32(data, i + 2));
      delayMs += u32(data, i + 3) / 1000;
    }
    this.ok(Op.WRITE_REG, new Uint8Array(0), 0, this.now() + (this.board.paced ? delayMs : 0));
  }

  private changeBaud(data: Uint8Array): void {
    if (data.length !== 8) {
      this.fail(Op.CHANGE_BAUDRATE, "invalid");
      return;
    }
    const baud = u32(data, 0);
    if (baud < 300 || baud > 5_000_000) {
      this.fail(Op.CHANGE_BAUDRATE, "invalid");
      return;
    }
    // The acknowledgement still goes out at the old rate; the UART switches right after it.
    this.ok(Op.CHANGE_BAUDRATE);
    this.out.then(this.now(), () => this.board.setUartBaud(baud));
  }

  private securityInfo(): void {
    const info = this.profile.securityInfo;
    if (!info) {
      this.fail(Op.GET_SECURITY_INFO, "unsupported");
      return;
    }
    const body = new Uint8Array(20);
    const view = new DataView(body.buffer);
    view.setUint32(0, 0, true); // no secure boot, no secure download mode
    view.setUint32(12, info.chipId, true);
    view.setUint32(16, info.apiVersion, true);
    this.ok(Op.GET_SECURITY_INFO, body);
  }

  private memory(cmd: CommandPacket): void {
    const { op, data } = cmd;
    if (op === Op.MEM_BEGIN) {
      if (data.length !== 16) {
        this.fail(op, "invalid");
        return;
      }
      const [size, blocks, , offset] = [u32(data, 0), u32(data, 1), u32(data, 2), u32(data, 3)];
      this.memRegions.push({ start: offset, end: offset + size });
      this.memLoading = { blocks, received: 0 };
      this.ok(op);
      return;
    }
    if (op === Op.MEM_DATA) {
      const block = this.dataBlock(cmd);
      if (!block) return;
      if (!this.memLoading) {
        this.fail(op, "not-in-flash-mode");
        return;
      }
      this.memLoading.received++;
      this.ok(op);
      return;
    }
    if (data.length !== 8) {
      this.fail(op, "invalid");
      return;
    }
    const stayInLoader = u32(data, 0) !== 0;
    const entry = u32(data, 1);
    this.memLoading = null;
    this.ok(op);
    if (stayInLoader) return;
    const runsLoadedCode = this.memRegions.some((r) => entry >= r.start && entry < r.end);
    this.out.then(this.now() + (this.board.paced ? STUB_START_MS : 0), () => {
      if (!runsLoadedCode) {
        // Jumping into memory nothing was loaded to: the core faults and the loader goes silent.
        this.crashed = true;
        return;
      }
      this.stub = true;
      this.board.sendToHost(slipEncode(new TextEncoder().encode("OHAI")));
    });
  }

  /** Checks a *_DATA payload (length word, sequence, two zero words, data) and its checksum. */
  private dataBlock(cmd: CommandPacket): Uint8Array | null {
    const { op, data } = cmd;
    if (data.length < 16) {
      this.fail(op, "length");
      return null;
    }
    const length = u32(data, 0);
    const block = data.subarray(16);
    if (length !== block.length) {
      this.fail(op, "length");
      return null;
    }
    if (xorChecksum(block) !== cmd.checksum) {
      this.fail(op, "checksum");
      return null;
    }
    return block;
  }

  private flashBegin(op: number, data: Uint8Array): void {
    if (data.length !== 16 && data.length !== 20) {
      this.fail(op, "invalid");
      return;
    }
    const [size, blocks, blockSize, offset] = [u32(data, 0), u32(data, 1), u32(data, 2), u32(data, 3)];
    const compressed = op === Op.FLASH_DEFL_BEGIN;
    if (!this.spiFlash.contains(offset, size)) {
      this.fail(op, "range");
      return;
    }
    if (blockSize === 0 || blockSize > STUB_MAX_BLOCK) {
      this.fail(op, "invalid");
      return;
    }
    if (this.stub) {
      this.write = new FlashWriteSession(this.spiFlash, offset, size, compressed, true);
      this.afterFlashWork(op, 0);
      return;
    }
    // The ROM erases the whole region before it answers, then writes whole blocks as they come.
    const writeSize = compressed ? size : Math.min(this.spiFlash.size - offset, Math.max(size, blocks * blockSize));
    this.write = new FlashWriteSession(this.spiFlash, offset, writeSize, compressed, false);
    this.afterFlashWork(op, this.write.eraseAll(size));
  }

  private flashData(cmd: CommandPacket): void {
    const { op } = cmd;
    const block = this.dataBlock(cmd);
    if (!block) return;
    const session = this.write;
    if (!session || session.compressed !== (op === Op.FLASH_DEFL_DATA)) {
      this.fail(op, "not-in-flash-mode");
      return;
    }
    if (this.stub && this.board.paced) this.eraseAheadUntil(this.now());
    const result = session.feed(block);
    if (!result.ok) {
      this.fail(op, result.error === "inflate" ? "inflate" : "too-much");
      return;
    }
    const ms = this.board.paced ? result.ms : 0;
    if (this.stub) {
      // Acknowledged as soon as received, unless the previous block is still being processed;
      // then programmed (after any erase already under way) while the next block arrives.
      const ackAt = Math.max(this.now(), this.blockDoneAt);
      this.flashBusyUntil = Math.max(ackAt, this.flashBusyUntil) + ms;
      this.blockDoneAt = this.flashBusyUntil;
      this.ok(op, undefined, 0, ackAt);
      return;
    }
    this.afterFlashWork(op, ms);
  }

  private flashEnd(op: number, data: Uint8Array): void {
    if (data.length !== 4) {
      this.fail(op, "invalid");
      return;
    }
    const reboot = u32(data, 0) === 0;
    const session = this.write;
    if (this.stub) {
      if (!session) {
        this.fail(op, "not-in-flash-mode");
        return;
      }
      if (session.remaining > 0) {
        this.fail(op, "not-enough", this.flashBusyUntil);
        return;
      }
    }
    this.write = null;
    // Answered once the last block is programmed (an erase-ahead still running is not waited for).
    this.ok(op, undefined, 0, this.stub ? this.blockDoneAt : this.flashBusyUntil);
    // The stub only leaves on "reboot"; the ROM treats the other value as "run user code".
    if (reboot || !this.stub) this.out.then(this.flashBusyUntil, () => this.board.reset("normal"));
  }

  private flashMd5(data: Uint8Array): void {
    if (data.length !== 16) {
      this.fail(Op.SPI_FLASH_MD5, "invalid");
      return;
    }
    const offset = u32(data, 0);
    const size = u32(data, 1);
    if (!this.spiFlash.contains(offset, size)) {
      this.fail(Op.SPI_FLASH_MD5, "range", this.flashBusyUntil);
      return;
    }
    const digest = md5(this.spiFlash.bytes.subarray(offset, offset + size));
    const body = this.stub ? digest : new TextEncoder().encode(toHex(digest));
    this.afterFlashWork(Op.SPI_FLASH_MD5, size / CPU_RATES.md5BytesPerMs, body);
  }

  private eraseRegion(data: Uint8Array): void {
    if (data.length !== 8) {
      this.fail(Op.ERASE_REGION, "invalid");
      return;
    }
    const offset = u32(data, 0);
    const size = u32(data, 1);
    if (offset % SECTOR_SIZE !== 0 || size % SECTOR_SIZE !== 0) {
      this.fail(Op.ERASE_REGION, "length");
      return;
    }
    if (!this.spiFlash.contains(offset, size)) {
      this.fail(Op.ERASE_REGION, "range");
      return;
    }
    this.afterFlashWork(Op.ERASE_REGION, this.spiFlash.eraseRange(offset, size));
  }

  private readFlash(data: Uint8Array): void {
    if (data.length !== 16) {
      this.fail(Op.READ_FLASH, "invalid");
      return;
    }
    const [offset, length, packetSize, maxInFlight] = [u32(data, 0), u32(data, 1), u32(data, 2), u32(data, 3)];
    if (!this.spiFlash.contains(offset, length)) {
      this.fail(Op.READ_FLASH, "range");
      return;
    }
    if (packetSize === 0 || packetSize > 0x10000 || maxInFlight === 0) {
      this.fail(Op.READ_FLASH, "invalid");
      return;
    }
    this.afterFlashWork(Op.READ_FLASH, 0);
    this.reading = new FlashReadStream(
      this.spiFlash.bytes.subarray(offset, offset + length),
      packetSize,
      maxInFlight,
      (packet) => this.out.send(Math.max(this.now(), this.flashBusyUntil), slipEncode(packet)),
      () => {
        this.reading = null;
      },
    );
    this.reading.start();
  }
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
