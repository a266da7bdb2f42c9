import type { ResetCause } from "../boot";
import { chipProfile, type ChipProfile } from "../chips";
import type { BoardIdentity } from "../types";
import type { FlashReadStream } from "./flash-read";
import type { FlashWriteSession } from "./flash-write";
import { errorCode, type Failure } from "./loader-replies";
import { responsePacket } from "./protocol";
import { ResponseScheduler } from "./response-scheduler";
import { slipEncode } from "./slip";
import { SpiFlash, type NorTiming } from "./spi-flash";
import { stubFlashMaxSize } from "./stub-rules";

/** What the serial bootloader needs from the board it runs on. */
export interface BootloaderHost {
  readonly identity: BoardIdentity;
  readonly flash: Uint8Array;
  readonly paced: boolean;
  readonly uartBaud: number;
  sendToHost(bytes: Uint8Array): void;
  setUartBaud(baud: number): void;
  reset(into: "download" | "normal", cause?: ResetCause): void;
  print(text: string): void;
  /** NOR erase/program times the flash takes (default: the data sheet's typical ones). */
  readonly norTiming?: NorTiming;
  /** A WRITE_REG reached the chip: RTC registers change how the chip restarts (force download boot, the watchdog). */
  registerWritten?(addr: number, value: number, mask: number): void;
}

/**
 * What the ROM loader and the stub share: the board, the flash, the state of a write, and how replies
 * go out (in order, each no earlier than the chip would have it ready).
 */
export abstract class LoaderBase {
  protected stub = false;
  protected readonly profile: ChipProfile;
  protected readonly spiFlash: SpiFlash;
  protected readonly out: ResponseScheduler;
  /** The ROM needs SPI_ATTACH before flash commands; the stub attaches the flash itself (stub_main). */
  protected attached = false;
  /** The chip size the stub's ROM flash calls check against: FLASH_MAX_SIZE, or SPI_SET_PARAMS's. */
  protected stubChipSize: number;
  /** stub_write_flash.c fs.last_error: a data block's failure, answered on the next block or FLASH_END. */
  protected stubWriteError = 0;
  protected write: FlashWriteSession | null = null;
  protected reading: FlashReadStream | null = null;
  /** When the flash finishes the work already handed to it (performance.now() clock). */
  protected flashBusyUntil = 0;
  /** When the stub finishes processing the last data block (it answers the next one only then). */
  protected blockDoneAt = 0;

  constructor(protected readonly board: BootloaderHost) {
    this.profile = chipProfile(board.identity.chip);
    this.spiFlash = new SpiFlash(board.flash, board.norTiming);
    this.out = new ResponseScheduler(board.paced, (bytes) => board.sendToHost(bytes));
    this.stubChipSize = stubFlashMaxSize(board.identity.chip);
  }

  protected now(): number {
    return this.board.paced ? performance.now() : 0;
  }

  // ---- replies ---------------------------------------------------------------------------------

  protected statusBytes(failure?: Failure): Uint8Array {
    const code = failure === undefined ? 0 : errorCode(failure, this.stub);
    // The stub sends its error code first, then a status (stub_flasher.c: SLIP_send_frame_data(error);
    // SLIP_send_frame_data(status)); the ROM sends a failed flag, then its code.
    if (this.stub) return new Uint8Array([code, 0]);
    return new Uint8Array([failure === undefined ? 0 : 1, code, 0, 0]);
  }

  /** A stub reply with these two status bytes. */
  protected reply(op: number, error: number, status = 0, notBefore = 0): void {
    const body = new Uint8Array([error, status]);
    this.out.send(Math.max(this.now(), notBefore), slipEncode(responsePacket(op, 0, body)));
  }

  protected ok(op: number, data: Uint8Array = new Uint8Array(0), value = 0, notBefore = 0): void {
    const body = new Uint8Array(data.length + (this.stub ? 2 : 4));
    body.set(data);
    this.out.send(Math.max(this.now(), notBefore), slipEncode(responsePacket(op, value, body)));
  }

  protected fail(op: number, failure: Failure, notBefore = 0): void {
    this.out.send(Math.max(this.now(), notBefore), slipEncode(responsePacket(op, 0, this.statusBytes(failure))));
  }

  /**
   * Reply once the flash has finished earlier work plus `ms` more. `arrivedAt` is when the command
   * reached the chip (default now): the simulator's own CPU time computing the reply (an MD5 of
   * megabytes in JavaScript) is not the chip's, which `ms` already models.
   */
  protected afterFlashWork(op: number, ms: number, data?: Uint8Array, arrivedAt = this.now()): void {
    const done = Math.max(arrivedAt, this.flashBusyUntil) + (this.board.paced ? ms : 0);
    this.flashBusyUntil = done;
    this.ok(op, data, 0, done);
  }
}
