import { md5 } from "@noble/hashes/legacy.js";
import { FlashWriteSession, type WriteError } from "./flash-write";
import { FlashReadStream } from "./flash-read";
import { LoaderBase } from "./loader-base";
import { errorCode, type Failure } from "./loader-replies";
import { Op, StubError, u32, xorChecksum, type CommandPacket } from "./protocol";
import { slipEncode } from "./slip";
import { CPU_RATES, SECTOR_SIZE } from "./spi-flash";
import { MAX_WRITE_BLOCK, STUB_READ_BLOCK_MAX } from "./stub-rules";

/** The ROM's own block limit is not published; it takes what esptool-js sends it (16 KiB). */
const ROM_MAX_BLOCK = 0x10000;
const READ_SLOW_BLOCK = 64;

/**
 * The flash commands, as the ROM and as esptool's flasher stub (esptool-legacy-flasher-stub:
 * stub_flasher.c cmd_loop, stub_commands.c, stub_write_flash.c) carry them out.
 */
export abstract class FlashCommands extends LoaderBase {
  /** Checks a *_DATA payload (length word, sequence, two zero words, data) and its checksum. */
  protected dataBlock(cmd: CommandPacket): Uint8Array | null {
    const failure = dataBlockFailure(cmd);
    if (failure) {
      this.fail(cmd.op, failure);
      return null;
    }
    return cmd.data.subarray(16);
  }

  protected flashBegin(op: number, data: Uint8Array): void {
    // The stub and the ROM both take 16 bytes, or 20 with the encryption flag (stub_flasher.c cmd_loop).
    if (data.length !== 16 && data.length !== 20) {
      this.fail(op, this.stub ? "length" : "invalid");
      return;
    }
    const [size, blocks, blockSize, offset] = [u32(data, 0), u32(data, 1), u32(data, 2), u32(data, 3)];
    const compressed = op === Op.FLASH_DEFL_BEGIN;
    if (this.stub) {
      // stub_flasher.c: `data_words[2] > MAX_WRITE_BLOCK` is ESP_BAD_BLOCKSIZE. handle_flash_begin checks
      // no range: the data goes where it is sent, the ROM's SPIWrite refusing only past the chip size.
      if (blockSize > MAX_WRITE_BLOCK) {
        this.fail(op, "block-size");
        return;
      }
      this.write = new FlashWriteSession(this.spiFlash, offset, size, compressed, true, this.stubChipSize);
      this.stubWriteError = 0;
      this.afterFlashWork(op, 0);
      return;
    }
    // The ROM attaches the SPI flash only when SPI_ATTACH asks it to, while the stub does at boot
    // (esp-rs/esp-flasher-stub PR #66, after esptool commit afaa7d2); esptool (main.py) sends it before any
    // flash command when it talks to the ROM alone ("Enabling default SPI flash mode"). Without it the
    // ROM's SPI calls reach no flash: the failure code here (0x06, failed to act) is our model.
    if (!this.attached) {
      this.fail(op, "not-attached");
      return;
    }
    if (!this.spiFlash.contains(offset, size)) {
      this.fail(op, "range");
      return;
    }
    if (blockSize === 0 || blockSize > ROM_MAX_BLOCK) {
      this.fail(op, "invalid");
      return;
    }
    // The ROM erases the whole region before it answers, then writes whole blocks as they come.
    const writeSize = compressed ? size : Math.min(this.spiFlash.size - offset, Math.max(size, blocks * blockSize));
    this.write = new FlashWriteSession(this.spiFlash, offset, writeSize, compressed, false);
    this.afterFlashWork(op, this.write.eraseAll(size));
  }

  protected flashData(cmd: CommandPacket): void {
    if (this.stub) {
      this.stubFlashData(cmd);
      return;
    }
    const { op } = cmd;
    const block = this.dataBlock(cmd);
    if (!block) return;
    const session = this.write;
    if (!session || session.compressed !== (op === Op.FLASH_DEFL_DATA)) {
      this.fail(op, "not-in-flash-mode");
      return;
    }
    const arrivedAt = this.now();
    const result = session.feed(block);
    if (!result.ok) {
      this.fail(op, result.error === "inflate" ? "inflate" : "too-much");
      return;
    }
    this.afterFlashWork(op, this.board.paced ? result.ms : 0, undefined, arrivedAt);
  }

  /**
   * stub_flasher.c cmd_loop, ESP_FLASH_(DEFLATED_)DATA: the reply carries fs.last_error (what went wrong
   * with an earlier block), or a length/checksum failure of this one; the block is processed after the
   * reply only when that is ESP_OK, and what goes wrong then is only answered on the next block or at
   * FLASH_END ("error won't get sent back to esptool.py until next block is sent").
   */
  protected stubFlashData(cmd: CommandPacket): void {
    const { op } = cmd;
    const session = this.write;
    if (!session) {
      this.fail(op, "not-in-flash-mode");
      return;
    }
    const failure = dataBlockFailure(cmd);
    const error = failure ? errorCode(failure, true) : this.stubWriteError;
    // Acknowledged as soon as received, unless the previous block is still being processed (cmd_loop
    // takes the next command only once it is done with the last).
    const ackAt = Math.max(this.now(), this.blockDoneAt);
    this.reply(op, error, 0, ackAt);
    if (error !== 0) return;
    if (session.compressed !== (op === Op.FLASH_DEFL_DATA)) {
      this.stubWriteError = StubError.NOT_IN_FLASH_MODE;
      return;
    }
    // Processed after the reply, while the next block arrives; an erase it started may still run
    // when it is done (see FlashWriteSession).
    const clock = { cpu: ackAt, flash: this.flashBusyUntil };
    const result = session.feed(cmd.data.subarray(16), this.board.paced ? clock : undefined);
    if (!result.ok) this.stubWriteError = stubWriteErrorCode(result.error);
    if (!this.board.paced) return;
    this.blockDoneAt = clock.cpu;
    this.flashBusyUntil = Math.max(clock.flash, clock.cpu);
  }

  protected flashEnd(op: number, data: Uint8Array): void {
    const session = this.write;
    if (this.stub) {
      // stub_write_flash.c handle_flash_end: not in flash mode, data still owed, else the last block's error.
      if (!session) {
        this.fail(op, "not-in-flash-mode");
        return;
      }
      if (session.remaining > 0) {
        this.fail(op, "not-enough", this.flashBusyUntil);
        return;
      }
      this.write = null;
      const error = this.stubWriteError;
      this.reply(op, error, 0, this.blockDoneAt);
      // "passing 0 as parameter for ESP_FLASH_END means reboot now" (stub_flasher.c), only after ESP_OK.
      if (error === 0 && u32(data, 0) === 0) this.out.then(this.flashBusyUntil, () => this.board.reset("normal"));
      return;
    }
    if (data.length !== 4) {
      this.fail(op, "invalid");
      return;
    }
    this.write = null;
    this.ok(op, undefined, 0, this.flashBusyUntil);
    // The ROM treats either value as "leave the loader": 0 reboots, 1 runs the app; both boot from flash.
    this.out.then(this.flashBusyUntil, () => this.board.reset("normal"));
  }

  protected flashMd5(data: Uint8Array): void {
    const arrivedAt = this.now();
    if (data.length !== 16) {
      this.fail(Op.SPI_FLASH_MD5, this.stub ? "failed" : "invalid");
      return;
    }
    const offset = u32(data, 0);
    const size = u32(data, 1);
    if (this.stub) {
      // stub_commands.c handle_flash_get_md5sum reads through the ROM's SPIRead, which refuses past the
      // chip size it was given (0x63, sent as 1 through `||`); below it the flash wraps the address.
      if (offset + size > this.stubChipSize) {
        this.fail(Op.SPI_FLASH_MD5, "failed", this.flashBusyUntil);
        return;
      }
      const digest = md5(this.spiFlash.read(offset, size));
      this.afterFlashWork(Op.SPI_FLASH_MD5, size / CPU_RATES.md5BytesPerMs, digest, arrivedAt);
      return;
    }
    if (!this.attached) {
      this.fail(Op.SPI_FLASH_MD5, "not-attached");
      return;
    }
    if (!this.spiFlash.contains(offset, size)) {
      this.fail(Op.SPI_FLASH_MD5, "range", this.flashBusyUntil);
      return;
    }
    // The ROM answers with 32 hex digits (the stub with 16 raw bytes, stub_commands.c).
    const digest = new TextEncoder().encode(toHex(md5(this.spiFlash.read(offset, size))));
    this.afterFlashWork(Op.SPI_FLASH_MD5, size / CPU_RATES.md5BytesPerMs, digest, arrivedAt);
  }

  /**
   * The ESP32 ROM's READ_FLASH_SLOW: offset and length, at most 64 bytes ("ROM read limit per command",
   * esptool targets/esp32.py read_flash_slow), answered with a 64-byte buffer whatever the length.
   */
  protected readFlashSlow(data: Uint8Array): void {
    const op = Op.READ_FLASH_SLOW;
    if (data.length !== 8 || u32(data, 1) > READ_SLOW_BLOCK) {
      this.fail(op, "invalid");
      return;
    }
    if (!this.attached) {
      this.fail(op, "not-attached");
      return;
    }
    const [offset, length] = [u32(data, 0), u32(data, 1)];
    if (!this.spiFlash.contains(offset, length)) {
      this.fail(op, "range");
      return;
    }
    const buffer = new Uint8Array(READ_SLOW_BLOCK);
    buffer.set(this.spiFlash.read(offset, length));
    this.afterFlashWork(op, 0, buffer);
  }

  protected eraseRegion(data: Uint8Array): void {
    // stub_commands.c: verify_data_len(command, 8) || handle_flash_erase(...): any failure is sent as 1
    // (unaligned address 0x32 or size 0x33; the ROM's SPIEraseSector/Block refusing past the chip size).
    if (data.length !== 8) {
      this.fail(Op.ERASE_REGION, "failed");
      return;
    }
    const offset = u32(data, 0);
    const size = u32(data, 1);
    if (offset % SECTOR_SIZE !== 0 || size % SECTOR_SIZE !== 0 || offset + size > this.stubChipSize) {
      this.fail(Op.ERASE_REGION, "failed");
      return;
    }
    this.afterFlashWork(Op.ERASE_REGION, this.spiFlash.eraseRange(offset, size));
  }

  protected readFlash(data: Uint8Array): void {
    if (data.length !== 16) {
      this.fail(Op.READ_FLASH, "length");
      return;
    }
    const [offset, length, packetSize, maxInFlight] = [u32(data, 0), u32(data, 1), u32(data, 2), u32(data, 3)];
    this.afterFlashWork(Op.READ_FLASH, 0);
    // stub_commands.c handle_flash_read: a block larger than its sector buffer returns before sending
    // anything (the OK reply has already gone): the host waits for data that never comes.
    if (packetSize > STUB_READ_BLOCK_MAX || packetSize === 0) return;
    // SPIRead refuses past the chip size: the stub sends the blocks before it, then waits for acks forever.
    const readable = Math.max(0, Math.min(length, this.stubChipSize - offset));
    const whole = readable === length ? length : readable - (readable % packetSize);
    this.reading = new FlashReadStream(
      this.spiFlash.read(offset, whole),
      packetSize,
      maxInFlight,
      whole === length,
      (packet) => this.out.send(Math.max(this.now(), this.flashBusyUntil), slipEncode(packet)),
      () => {
        this.reading = null;
      },
    );
    this.reading.start();
  }
}

/** Why a *_DATA payload (length word, sequence, two zero words, data) is refused, or null. */
function dataBlockFailure(cmd: CommandPacket): Failure | null {
  const { data } = cmd;
  if (data.length < 16 || u32(data, 0) !== data.length - 16) return "length";
  return xorChecksum(data.subarray(16)) === cmd.checksum ? null : "checksum";
}

/** stub_write_flash.c: how each failure of a processed block is recorded in fs.last_error. */
function stubWriteErrorCode(error: WriteError): number {
  switch (error) {
    case "inflate":
      return StubError.INFLATE_ERROR;
    case "too-much-data":
      return StubError.TOO_MUCH_DATA;
    case "not-enough-data":
      return StubError.NOT_ENOUGH_DATA;
    case "spi":
      return StubError.FAILED_SPI_OP;
  }
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
