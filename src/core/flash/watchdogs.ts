/**
 * Quieting the watchdogs a USB-Serial-JTAG chip keeps running in download mode, as esptool does after it
 * connects to the ROM (targets/<chip>.py `_post_connect` → `disable_watchdogs`): "When USB-JTAG/Serial is
 * used, the RTC WDT and SWD watchdog are not reset and can then reset the board during flashing. Disable
 * or autofeed them." esptool skips it when it found a stub already running (the stub's own stub_main does
 * the same, stub_flasher.c disable_watchdogs). Register addresses and keys from esptool's targets.
 */
import type { ChipFamily } from "../image/chips";

export interface WatchdogRegisters {
  /** RTC (LP) watchdog: config word 0 (0 disables it) and its write-protect register. */
  wdtConfig0: number;
  wdtWriteProtect: number;
  wdtKey: number;
  /** Super watchdog: config (its auto-feed bit) and write-protect. */
  swdConfig: number;
  swdWriteProtect: number;
  swdKey: number;
  swdAutoFeed: number;
}

const WDT_KEY = 0x50d83aa1;
const SWD_KEY_RTC_CNTL = 0x8f1d312a;

/** esptool/targets/esp32s3.py: RTCCNTL_BASE_REG 0x60008000. */
const ESP32_S3: WatchdogRegisters = {
  wdtConfig0: 0x60008098,
  wdtWriteProtect: 0x600080b0,
  wdtKey: WDT_KEY,
  swdConfig: 0x600080b4,
  swdWriteProtect: 0x600080b8,
  swdKey: SWD_KEY_RTC_CNTL,
  swdAutoFeed: 1 << 31,
};

/** esptool/targets/esp32c3.py: RTCCNTL_BASE_REG 0x60008000. */
const ESP32_C3: WatchdogRegisters = {
  wdtConfig0: 0x60008090,
  wdtWriteProtect: 0x600080a8,
  wdtKey: WDT_KEY,
  swdConfig: 0x600080ac,
  swdWriteProtect: 0x600080b0,
  swdKey: SWD_KEY_RTC_CNTL,
  swdAutoFeed: 1 << 31,
};

/** esptool/targets/esp32c6.py: DR_REG_LP_WDT_BASE 0x600B1C00 (ESP32-C5 and ESP32-C61 inherit it). */
const ESP32_C6: WatchdogRegisters = {
  wdtConfig0: 0x600b1c00,
  wdtWriteProtect: 0x600b1c18,
  wdtKey: WDT_KEY,
  swdConfig: 0x600b1c1c,
  swdWriteProtect: 0x600b1c20,
  swdKey: WDT_KEY,
  swdAutoFeed: 1 << 18,
};

/** esptool/targets/esp32h2.py: DR_REG_LP_WDT_BASE 0x600B1C00, registers 4 bytes further on than the C6's. */
const ESP32_H2: WatchdogRegisters = {
  ...ESP32_C6,
  wdtWriteProtect: 0x600b1c1c,
  swdConfig: 0x600b1c20,
  swdWriteProtect: 0x600b1c24,
};

/** esptool/targets/esp32p4.py: DR_REG_LP_WDT_BASE 0x50116000 (it unlocks the RTC WDT with the SWD key, the same value). */
const ESP32_P4: WatchdogRegisters = {
  wdtConfig0: 0x50116000,
  wdtWriteProtect: 0x50116018,
  wdtKey: WDT_KEY,
  swdConfig: 0x5011601c,
  swdWriteProtect: 0x50116020,
  swdKey: WDT_KEY,
  swdAutoFeed: 1 << 18,
};

const BY_CHIP: Partial<Record<ChipFamily, WatchdogRegisters>> = {
  "ESP32-S3": ESP32_S3,
  "ESP32-C3": ESP32_C3,
  "ESP32-C6": ESP32_C6,
  "ESP32-C5": ESP32_C6,
  "ESP32-C61": ESP32_C6,
  "ESP32-H2": ESP32_H2,
  "ESP32-P4": ESP32_P4,
};

/** The watchdog registers esptool quiets on this chip, or null where it has no USB-Serial-JTAG watchdog step. */
export function watchdogRegisters(chip: ChipFamily): WatchdogRegisters | null {
  return BY_CHIP[chip] ?? null;
}

/** The register access the sequence needs (esptool-js's ESPLoader has both). */
export interface RegisterAccess {
  readReg(addr: number): Promise<number>;
  writeReg(addr: number, value: number): Promise<void>;
}

/**
 * esptool's disable_watchdogs, step for step: unlock, disable the RTC watchdog, lock; unlock, set the
 * super watchdog's auto-feed bit, lock.
 */
export async function quietWatchdogs(loader: RegisterAccess, regs: WatchdogRegisters): Promise<void> {
  await loader.writeReg(regs.wdtWriteProtect, regs.wdtKey);
  await loader.writeReg(regs.wdtConfig0, 0);
  await loader.writeReg(regs.wdtWriteProtect, 0);
  await loader.writeReg(regs.swdWriteProtect, regs.swdKey);
  await loader.writeReg(regs.swdConfig, ((await loader.readReg(regs.swdConfig)) | regs.swdAutoFeed) >>> 0);
  await loader.writeReg(regs.swdWriteProtect, 0);
}
