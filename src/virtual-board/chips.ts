/**
 * What each simulated chip answers when a host asks who it is, register by register, the way the
 * real ROM does: the chip-detect magic word, GET_SECURITY_INFO's chip id (where the ROM has the
 * command), eFuse words for MAC, package and revision, and the SPI controller used for JEDEC ids.
 * Addresses and bit positions follow the chips' technical reference manuals.
 */
import type { ChipFamily } from "../core/image/chips";
import type { BoardIdentity } from "./types";

export interface SpiControllerLayout {
  base: number;
  usrOffset: number;
  usr2Offset: number;
  w0Offset: number;
}

export interface ChipProfile {
  family: ChipFamily;
  /** Value at 0x40001000, the register esptool reads when a chip has no chip id to report. */
  magic: number;
  /** GET_SECURITY_INFO: `null` when the ROM lacks the command (ESP32). */
  securityInfo: { chipId: number; apiVersion: number } | null;
  spi: SpiControllerLayout;
  /** UART0 clock divider register; esptool derives the crystal from it and the baud rate. */
  uartClkdivReg: number;
  /** Clock feeding UART0 in the ROM, Hz. */
  uartClockHz: number;
  /** Register words that describe this chip (eFuses, dates, ROM variables), given the board. */
  registers(mac: Uint8Array, board: BoardIdentity): Map<number, number>;
  /** Silicon revision the simulated chip reports (eFuse fields), as its bootloader prints it. */
  revision: { major: number; minor: number };
  /** The ROM's SYNC reply carries a non-zero value; the stub's carries zero (esptool tells them apart by it). */
  romSyncValue: number;
}

export const CHIP_DETECT_MAGIC_REG = 0x40001000;

function macWords(mac: Uint8Array): [number, number] {
  const low = ((mac[2] << 24) | (mac[3] << 16) | (mac[4] << 8) | mac[5]) >>> 0;
  const high = (mac[0] << 8) | mac[1];
  return [low, high];
}

/** ESP32-S3 / ESP32-C3 share the eFuse BLOCK1 layout for MAC, package and revision fields. */
function block1Registers(
  efuseBase: number,
  mac: Uint8Array,
  fields: { minor: number; major: number },
): Map<number, number> {
  const block1 = efuseBase + 0x44;
  const [low, high] = macWords(mac);
  const regs = new Map<number, number>();
  regs.set(block1, low);
  regs.set(block1 + 4, high);
  // word 3: package 0 (bits 21..23), minor revision low bits (18..20), block version minor 0, no embedded flash.
  regs.set(block1 + 12, ((fields.minor & 0x7) << 18) >>> 0);
  // word 4: no embedded flash vendor / PSRAM.
  regs.set(block1 + 16, 0);
  // word 5: minor revision high bit (23), major revision (24..25).
  regs.set(block1 + 20, ((((fields.minor >> 3) & 1) << 23) | ((fields.major & 3) << 24)) >>> 0);
  return regs;
}

const ESP32: ChipProfile = {
  family: "ESP32",
  magic: 0x00f01d83,
  securityInfo: null,
  spi: { base: 0x3ff42000, usrOffset: 0x1c, usr2Offset: 0x24, w0Offset: 0x80 },
  uartClkdivReg: 0x3ff40014,
  uartClockHz: 40_000_000,
  romSyncValue: 0x20120707,
  revision: { major: 3, minor: 0 },
  registers(mac) {
    const efuse = 0x3ff5a000;
    const [low, high] = macWords(mac);
    const regs = new Map<number, number>();
    regs.set(efuse + 4, low);
    // The MAC's CRC byte sits above the two high MAC bytes.
    regs.set(efuse + 8, (high | (crc8(mac) << 16)) >>> 0);
    // word 3: package ESP32-D0WD (1 in bits 9..11), rev bit 0 (bit 15), dual core, BT enabled.
    regs.set(efuse + 12, ((1 << 9) | (1 << 15)) >>> 0);
    // word 4: ADC reference voltage calibrated.
    regs.set(efuse + 16, (0x0b << 8) >>> 0);
    // word 5: rev bit 1 (bit 20).
    regs.set(efuse + 20, (1 << 20) >>> 0);
    regs.set(efuse + 24, 0);
    // APB_CTRL_DATE: bit 31 marks ECO3 silicon, so the chip reports revision 3.
    regs.set(0x3ff6607c, 0x80000000);
    return regs;
  },
};

const ESP32_S3: ChipProfile = {
  family: "ESP32-S3",
  magic: 0x00000009,
  securityInfo: { chipId: 9, apiVersion: 0 },
  spi: { base: 0x60002000, usrOffset: 0x18, usr2Offset: 0x20, w0Offset: 0x58 },
  uartClkdivReg: 0x60000014,
  uartClockHz: 40_000_000,
  romSyncValue: 0x20120707,
  revision: { major: 0, minor: 2 },
  registers(mac) {
    const regs = block1Registers(0x60007000, mac, { minor: 2, major: 0 });
    // BLOCK2 word 4: block version major 1 (not the ECO0 quirk, since minor is 2).
    regs.set(0x60007000 + 0x5c + 16, 1);
    return regs;
  },
};

const ESP32_C3: ChipProfile = {
  family: "ESP32-C3",
  magic: 0x1b31506f,
  securityInfo: { chipId: 5, apiVersion: 0 },
  spi: { base: 0x60002000, usrOffset: 0x18, usr2Offset: 0x20, w0Offset: 0x58 },
  uartClkdivReg: 0x60000014,
  uartClockHz: 40_000_000,
  romSyncValue: 0x20120707,
  revision: { major: 0, minor: 4 },
  registers(mac) {
    return block1Registers(0x60008800, mac, { minor: 4, major: 0 });
  },
};

/**
 * ESP32-P4, silicon revision v1.0 (ECO1/ECO2 ROM "esp32p4-eco2-20240710", the chip on the boards
 * sold in 2025), read the way esptool-js's targets/esp32p4.js does:
 * - GET_SECURITY_INFO answers chip id 18 (ESP32P4ROM.IMAGE_CHIP_ID), which is how esptool-js
 *   identifies it; the magic word is only a fallback: 0x0ADDBAD0 from ECO1 on (esptool commit
 *   "feat(esp32-p4): Add ECO1 magic number"), 0 on ECO0.
 * - eFuse BLOCK1 at 0x5012D044 (EFUSE_BASE 0x5012D000 + 0x44): MAC low word, MAC high half-word;
 *   word 2 holds the minor revision (bits 0-3), the major revision (bits 4-5, and bit 23 as its
 *   third bit) and the package (bits 20-22; 0 = "ESP32-P4").
 * - SPIMEM1 at 0x5008D000 with the S3's user-command offsets (USR 0x18, USR2 0x20, W0 0x58).
 * - UARTDEV_BUF_NO, the ROM's variable saying which port it serves: for revisions below v3.0 at
 *   0x4FF3FEB0 + 24; 6 means USB-Serial-JTAG (esptool-js then disables the RTC and super
 *   watchdogs before flashing, as on a real P4), 0 UART0.
 * - The crystal is fixed at 40 MHz (esptool-js does not read the UART divider on the P4); UART0's
 *   clock divider register is at 0x500CA014 (UART0 base 0x500CA000).
 */
const P4_EFUSE_BLOCK1 = 0x5012d000 + 0x44;
const P4_UARTDEV_BUF_NO = 0x4ff3feb0 + 24;
const ESP32_P4: ChipProfile = {
  family: "ESP32-P4",
  magic: 0x0addbad0,
  securityInfo: { chipId: 18, apiVersion: 0 },
  spi: { base: 0x5008d000, usrOffset: 0x18, usr2Offset: 0x20, w0Offset: 0x58 },
  uartClkdivReg: 0x500ca014,
  uartClockHz: 40_000_000,
  romSyncValue: 0x20120707,
  revision: { major: 1, minor: 0 },
  registers(mac, board) {
    const [low, high] = macWords(mac);
    const { major, minor } = this.revision;
    const regs = new Map<number, number>();
    regs.set(P4_EFUSE_BLOCK1, low);
    regs.set(P4_EFUSE_BLOCK1 + 4, high);
    regs.set(P4_EFUSE_BLOCK1 + 8, ((minor & 0xf) | ((major & 3) << 4) | (((major >> 2) & 1) << 23)) >>> 0);
    regs.set(P4_UARTDEV_BUF_NO, board.usbSerialJtag ? 6 : 0);
    return regs;
  },
};

const PROFILES: Partial<Record<ChipFamily, ChipProfile>> = {
  ESP32,
  "ESP32-S3": ESP32_S3,
  "ESP32-C3": ESP32_C3,
  "ESP32-P4": ESP32_P4,
};

export const SIMULATED_CHIPS: readonly ChipFamily[] = Object.keys(PROFILES) as ChipFamily[];

export function chipProfile(family: ChipFamily): ChipProfile {
  const profile = PROFILES[family];
  if (!profile) {
    throw new Error(`The virtual board simulates ${SIMULATED_CHIPS.join(", ")}; ${family} is not one of them.`);
  }
  return profile;
}

/** The S3, C3 and P4 have the USB-Serial-JTAG peripheral among the simulated chips (the ESP32 has none). */
export function hasUsbSerialJtag(family: ChipFamily): boolean {
  return family === "ESP32-S3" || family === "ESP32-C3" || family === "ESP32-P4";
}

/** The flash a board of this chip has unless told otherwise: the common dev boards' (S3 N8, P4 EV board 16 MB). */
export function defaultFlashSize(family: ChipFamily): number {
  if (family === "ESP32-P4") return 16 * 1024 * 1024;
  if (family === "ESP32-S3") return 8 * 1024 * 1024;
  return 4 * 1024 * 1024;
}

/** JEDEC id a GigaDevice GD25Q-series part of this size answers to RDID (0x9F). */
export function jedecId(board: BoardIdentity): number {
  const capacity = Math.round(Math.log2(board.flashSize));
  return (0xc8 | (0x40 << 8) | (capacity << 16)) >>> 0;
}

/** CRC-8 (poly 0x07, reflected as in the ESP32 eFuse MAC check); only its presence matters here. */
function crc8(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}
