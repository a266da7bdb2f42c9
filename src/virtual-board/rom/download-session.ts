import type { DownloadModeSession } from "../types";
import { FlashCommands } from "./flash-commands";
import { type BootloaderHost } from "./loader-base";
import { downloadBanner } from "./loader-replies";
import { Op, parseCommand, StubError, u32, type CommandPacket } from "./protocol";
import { RamLoader, stubFits } from "./ram-loader";
import { RegisterFile } from "./registers";
import { SlipDecoder, slipEncode, type SlipFrameResult } from "./slip";
import { CRASH_WATCHDOG_MS, STUB_MAX_DATA_LEN, STUB_RX_BUFFER, stubFlashMaxSize } from "./stub-rules";

export type { BootloaderHost } from "./loader-base";

const SYNC_PAYLOAD = new Uint8Array([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
/** The ROM answers one SYNC with eight replies (esptool reads all of them). */
const ROM_SYNC_REPLIES = 8;
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
class BootloaderSession extends FlashCommands implements DownloadModeSession {
  private crashed = false;
  private readonly decoder: SlipDecoder;
  private readonly registers: RegisterFile;
  private ram = new RamLoader();
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(board: BootloaderHost) {
    super(board);
    this.decoder = new SlipDecoder((frame) => this.onFrame(frame));
    this.registers = new RegisterFile(this.profile, board.identity, () => board.uartBaud);
    board.print(downloadBanner(board.identity));
  }

  receive(bytes: Uint8Array): void {
    if (this.out.disposed || this.crashed) return;
    this.decoder.push(bytes);
  }

  dispose(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.out.dispose();
    this.reading = null;
  }

  private onFrame(frame: SlipFrameResult): void {
    // A mangled frame carries no command the chip could answer; the host times out and retries.
    if (!frame.ok) return;
    if (this.reading) {
      this.reading.acknowledge(frame.payload);
      return;
    }
    if (this.stub) {
      // The stub's receive buffer ends a frame every STUB_RX_BUFFER bytes and takes the rest as new ones.
      for (let at = 0; at < frame.payload.length; at += STUB_RX_BUFFER) {
        this.stubFrame(frame.payload.subarray(at, at + STUB_RX_BUFFER));
      }
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

  private stubFrame(payload: Uint8Array): void {
    if (payload.length >= 4 && (payload[2] | (payload[3] << 8)) > STUB_MAX_DATA_LEN) {
      // stub_flasher.c cmd_loop: the header goes out, then ESP_BAD_DATA_LEN and 0xEE, nothing done.
      this.reply(payload[1], StubError.BAD_DATA_LEN, 0xee);
      return;
    }
    const cmd = parseCommand(payload);
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
        // fl_id, total_size, block, sector, page, status mask: the ROM's SPIParamCfg takes total_size as the
        // chip size its SPIRead/SPIWrite check (stub_commands.c handle_spi_set_params; `||` gives 1 on a bad length).
        if (data.length !== 24) {
          this.fail(op, this.stub ? "failed" : "invalid");
          return;
        }
        if (this.stub) this.stubChipSize = u32(data, 1);
        this.ok(op);
        return;
      }
      case Op.SPI_ATTACH: {
        // esptool's flash_spi_attach (loader.py) sends the ROM 8 bytes (hspi_arg plus "is legacy") and the
        // stub 4; stub_flasher.c checks verify_data_len(command, 4) || handle_spi_attach(...).
        if (data.length !== (this.stub ? 4 : 8)) {
          this.fail(op, this.stub ? "failed" : "invalid");
          return;
        }
        this.attached = true;
        this.ok(op);
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
      case Op.READ_FLASH_SLOW: {
        if (this.stub || this.board.identity.chip !== "ESP32") break;
        this.readFlashSlow(data);
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

  // ---- commands --------------------------------------------------------------------------------

  private sync(data: Uint8Array): void {
    if (this.stub) {
      // stub_flasher.c cmd_loop, ESP_SYNC: length checked (36), then eight replies like the ROM's, value 0,
      // "so SYNC could be possible with the flasher stub as well" (reconnecting to a running stub).
      if (data.length !== SYNC_PAYLOAD.length) {
        this.fail(Op.SYNC, "length");
        return;
      }
      for (let i = 0; i < ROM_SYNC_REPLIES; i++) this.ok(Op.SYNC);
      return;
    }
    if (data.length !== SYNC_PAYLOAD.length || data.some((b, i) => b !== SYNC_PAYLOAD[i])) {
      this.fail(Op.SYNC, "invalid");
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
      this.board.registerWritten?.(u32(data, i), u32(data, i + 1));
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
    // The ROM ignores the second word (esptool's change_baud, loader.py, sends it 0). The stub scales its
    // current divider by it: divider = divider * current_baud / new_baud (stub_io.c get_new_uart_divider),
    // so a wrong current rate gives a wrong new one, and 0 stops the UART.
    const current = u32(data, 1);
    const uart = this.board.uartBaud;
    const actual = !this.stub || current === uart ? baud : current === 0 ? 0 : (baud * uart) / current;
    this.out.then(this.now(), () => this.board.setUartBaud(actual));
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
        this.fail(op, this.stub ? "failed" : "invalid");
        return;
      }
      this.ram.begin(u32(data, 0), u32(data, 3));
      this.ok(op);
      return;
    }
    if (op === Op.MEM_DATA) {
      if (this.stub) {
        this.stubMemData(cmd);
        return;
      }
      const block = this.dataBlock(cmd);
      if (!block) return;
      if (!this.ram.data(block)) {
        this.fail(op, "not-in-flash-mode");
        return;
      }
      this.ok(op);
      return;
    }
    if (data.length !== 8) {
      this.fail(op, this.stub ? "failed" : "invalid");
      return;
    }
    // stub_commands.c handle_mem_finish: data still owed is ESP_NOT_ENOUGH_DATA (sent as 1 through `||`),
    // and the stub then does not jump.
    if (this.stub && this.ram.remaining > 0) {
      this.ram.end();
      this.fail(op, "failed");
      return;
    }
    // The ROM jumps when the first word is 0 (esptool-js memFinish sends 1 for "no entry"); the stub when
    // the entry is not 0 (stub_flasher.c cmd_loop, ESP_MEM_END).
    const entry = u32(data, 1);
    const jumps = this.stub ? entry !== 0 : u32(data, 0) === 0;
    this.ram.end();
    this.ok(op);
    if (!jumps) return;
    const revision = this.profile.revision.major * 100 + this.profile.revision.minor;
    const runsStub = stubFits(this.ram.identify(entry), this.board.identity.chip, revision);
    this.ram = new RamLoader();
    if (!runsStub) {
      this.crash();
      return;
    }
    this.out.then(this.now() + (this.board.paced ? STUB_START_MS : 0), () => {
      this.stub = true;
      this.write = null;
      this.stubChipSize = stubFlashMaxSize(this.board.identity.chip);
      // stub_flasher.c stub_main: SLIP_send(&greeting, 4), "OHAI".
      this.board.sendToHost(slipEncode(new TextEncoder().encode("OHAI")));
    });
  }

  /**
   * stub_commands.c handle_mem_data: no checksum or length word is checked; the data must have been
   * announced, fit what is left of it, and be whole words.
   */
  private stubMemData(cmd: CommandPacket): void {
    const block = cmd.data.subarray(16);
    if (!this.ram.loading && block.length > 0) this.reply(cmd.op, StubError.NOT_IN_FLASH_MODE);
    else if (block.length > this.ram.remaining) this.reply(cmd.op, StubError.TOO_MUCH_DATA);
    else if (block.length % 4 !== 0) this.reply(cmd.op, StubError.BAD_DATA_LEN);
    else {
      this.ram.data(block);
      this.ok(cmd.op);
    }
  }

  /**
   * Code that is not this chip's stub (another chip's, another revision's, or no stub at all) faults the
   * CPU: the loader goes silent and a watchdog resets the chip, which prints its boot banner and, with
   * the strapping pins released, boots from flash.
   */
  private crash(): void {
    this.crashed = true;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      if (!this.out.disposed) this.board.reset("normal", "watchdog");
    }, CRASH_WATCHDOG_MS);
  }
}
