/**
 * Resetting an ESP32-S2/S3 out of its serial loader where the RTS line cannot: over the ROM's
 * USB-OTG CDC (303a:<image chip id>) there is no reset line, so esptool arms the RTC watchdog
 * instead; and a loader entered through "force download boot" (an app's USB CDC asking for the
 * bootloader) would come back to the loader on every reset until that bit is cleared.
 *
 * Register addresses and values are esptool's (targets/esp32s3.py and esp32s2.py: `hard_reset`,
 * `watchdog_reset`, RTC_CNTL_* constants); chips not listed need neither.
 */
import type { ChipFamily } from "../image/chips";
import type { SerialPortIdentity } from "../port/serial-port";
import { isUsbOtgRom } from "../port/usb-connector";

interface RtcResetRegisters {
  option1: number;
  wdtConfig0: number;
  wdtConfig1: number;
  wdtWriteProtect: number;
}

/** RTC_CNTL_WDT_WKEY: the write-protect key of the RTC watchdog (both chips). */
export const RTC_WDT_WKEY = 0x50d83aa1;
/** RTC_CNTL_FORCE_DOWNLOAD_BOOT in RTC_CNTL_OPTION1_REG. */
export const FORCE_DOWNLOAD_BOOT = 0x1;
/** WDTCONFIG0 as esptool writes it: enable, stage 0 resets the system (5), flash boot mode off, 2. */
export const RTC_WDT_ENABLE_SYSTEM_RESET = ((1 << 31) | (5 << 28) | (1 << 8) | 2) >>> 0;
/** WDTCONFIG1: stage 0 timeout in RTC slow clock cycles, as esptool sets it. */
export const RTC_WDT_TIMEOUT = 2000;

const RTC: Partial<Record<ChipFamily, RtcResetRegisters>> = {
  "ESP32-S3": { option1: 0x6000812c, wdtConfig0: 0x60008098, wdtConfig1: 0x6000809c, wdtWriteProtect: 0x600080b0 },
  "ESP32-S2": { option1: 0x3f408128, wdtConfig0: 0x3f408094, wdtConfig1: 0x3f408098, wdtWriteProtect: 0x3f4080ac },
};

export function rtcResetRegisters(chip: ChipFamily): RtcResetRegisters | null {
  return RTC[chip] ?? null;
}

/** Longest wait for the force-download clear; a loader answers a register write in a few ms. */
const OPTION1_WRITE_WAIT_MS = 500;

/** What the session needs to poke registers (the ROM and the stub both take WRITE_REG). */
export interface RegisterWriter {
  writeReg(addr: number, value: number, mask?: number): Promise<void>;
}

/**
 * How this chip on this port leaves the loader: "watchdog" over the ROM's USB-OTG (after clearing
 * force-download), "lines" (RTS) otherwise; the force-download bit is cleared first where it exists.
 */
export async function prepareReset(
  chip: ChipFamily,
  port: SerialPortIdentity,
  regs: RegisterWriter,
): Promise<"watchdog" | "lines"> {
  const rtc = rtcResetRegisters(chip);
  if (!rtc) return "lines";
  // esptool: "Clear force download boot mode to avoid chip being stuck in download mode after reset"
  // (arduino-esp32 #6762). A failed write is not fatal there either.
  // A loader that stopped answering must not hold up the reset for esptool-js's 3 s command timeout.
  const write = regs.writeReg(rtc.option1, 0, FORCE_DOWNLOAD_BOOT).catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([write, new Promise((resolve) => (timer = setTimeout(resolve, OPTION1_WRITE_WAIT_MS)))]);
  clearTimeout(timer);
  return isUsbOtgRom(port, chip) ? "watchdog" : "lines";
}

/** esptool's `watchdog_reset`: unlock, set the timeout, enable a system reset, lock. */
export async function watchdogReset(chip: ChipFamily, regs: RegisterWriter): Promise<void> {
  const rtc = rtcResetRegisters(chip);
  if (!rtc) throw new Error(`${chip}: no RTC watchdog reset known`);
  await regs.writeReg(rtc.wdtWriteProtect, RTC_WDT_WKEY);
  await regs.writeReg(rtc.wdtConfig1, RTC_WDT_TIMEOUT);
  await regs.writeReg(rtc.wdtConfig0, RTC_WDT_ENABLE_SYSTEM_RESET);
  await regs.writeReg(rtc.wdtWriteProtect, 0);
}

/**
 * Back into the ROM loader over USB-OTG, where no line reaches the chip: set FORCE_DOWNLOAD_BOOT,
 * then reset through the watchdog. The bit survives that reset (why esptool's `hard_reset` clears
 * it before its watchdog reset, arduino-esp32 #6762), so the ROM starts its loader again and its
 * USB-OTG device comes back; the next `prepareReset` clears it.
 */
export async function watchdogResetIntoLoader(chip: ChipFamily, regs: RegisterWriter): Promise<void> {
  const rtc = rtcResetRegisters(chip);
  if (!rtc) throw new Error(`${chip}: no RTC watchdog reset known`);
  await regs.writeReg(rtc.option1, FORCE_DOWNLOAD_BOOT, FORCE_DOWNLOAD_BOOT);
  await watchdogReset(chip, regs);
}
