import { CHIP_DETECT_MAGIC_REG, jedecId, type ChipProfile } from "../chips";
import type { BoardIdentity } from "../types";
import { securityEfuseWords } from "../security-efuses";

const SPI_CMD_USR = 1 << 18;
const SPIFLASH_RDID = 0x9f;

/**
 * The slice of the chip's address space that READ_REG / WRITE_REG reach: eFuse words, the
 * chip-detect magic, UART0's clock divider and the SPI flash controller's user-command registers
 * (esptool reads the flash's JEDEC id through them). Anything else reads as zero.
 */
export class RegisterFile {
  private readonly words = new Map<number, number>();

  constructor(
    private readonly profile: ChipProfile,
    private readonly board: BoardIdentity,
    private readonly uartBaud: () => number,
  ) {
    for (const [addr, value] of profile.registers(board.mac, board)) this.words.set(addr, value >>> 0);
    for (const [addr, bits] of securityEfuseWords(profile.family, board.security)) {
      this.words.set(addr, ((this.words.get(addr) ?? 0) | bits) >>> 0);
    }
    this.words.set(CHIP_DETECT_MAGIC_REG, profile.magic >>> 0);
  }

  read(addr: number): number {
    if (addr === this.profile.uartClkdivReg) {
      return Math.round(this.profile.uartClockHz / this.uartBaud()) & 0xfffff;
    }
    return this.words.get(addr >>> 0) ?? 0;
  }

  write(addr: number, value: number, mask: number): void {
    const a = addr >>> 0;
    const merged = ((this.read(a) & ~mask) | (value & mask)) >>> 0;
    this.words.set(a, merged);
    if (a === this.profile.spi.base && merged & SPI_CMD_USR) this.runSpiUserCommand();
  }

  private runSpiUserCommand(): void {
    const { base, usr2Offset, w0Offset } = this.profile.spi;
    const command = this.read(base + usr2Offset) & 0xff;
    this.words.set(base + w0Offset, command === SPIFLASH_RDID ? jedecId(this.board) : 0);
    // The controller clears the USR bit when the transaction is done.
    this.words.set(base, 0);
  }
}
