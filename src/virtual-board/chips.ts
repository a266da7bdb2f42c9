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
  /** Register words that describe this chip (eFuses, dates), given the board's MAC. */
  registers(mac: Uint8Array): Map<number, number>;
  /** The ROM's SYNC reply carries a non-zero value; the stub's carries zero (esptool tells them apart by it). */
  romSyncValue: number;
}

export const CHIP_DETECT_MAGIC_REG = 0x40001000;

function macWords(mac: Uint8Array): [number, number] {
  const low = ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
  const high = (mac[0]! << 8) | mac[1]!;
  return [low, high];
}

/** ESP32-S3 / ESP32-C3 share the eFuse BLOCK1 layout for MAC, package and revision fields. */
function block1Registers(efuseBase: number, mac: Uint8Array, fields: { minor: number; major: number }): Map<number, number> {
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
  registers(mac) {
    return block1Registers(0x60008800, mac, { minor: 4, major: 0 });
  },
};

const PROFILES: Partial<Record<ChipFamily, ChipProfile>> = {
  ESP32,
  "ESP32-S3": ESP32_S3,
  "ESP32-C3": ESP32_C3,
};

export const SIMULATED_CHIPS: readonly ChipFamily[] = Object.keys(PROFILES) as ChipFamily[];

export function chipProfile(family: ChipFamily): ChipProfile {
  const profile = PROFILES[family];
  if (!profile) {
    throw new Error(`The virtual board simulates ${SIMULATED_CHIPS.join(", ")}; ${family} is not one of them.`);
  }
  return profile;
}

/** Only the S3 and C3 have the USB-Serial-JTAG peripheral among the simulated chips. */
export function hasUsbSerialJtag(family: ChipFamily): boolean {
  return family === "ESP32-S3" || family === "ESP32-C3";
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
