/**
 * The RTC watchdog that can reset a chip in download mode over USB-Serial-JTAG.
 *
 * A reset through the USB-Serial-JTAG peripheral leaves the RTC domain running (espflash pull
 * request #169, "When the chip is reset via the USB-SERIAL-JTAG not everything is fully reset, the
 * RTC domain stays active"). ESP-IDF's second-stage bootloader arms the RTC watchdog
 * (CONFIG_BOOTLOADER_WDT_ENABLE, default on; CONFIG_BOOTLOADER_WDT_TIME_MS, default 9000 ms) and
 * the app disarms it before app_main by default; so a chip whose bootloader ran but whose app did
 * not (a boot loop over a bad app), or firmware that keeps the watchdog (as espflash #154's
 * reporters' did), enters download mode with it counting. The ROM loader does not feed it, so the
 * chip resets mid-flash unless the host disables it, which esptool does in `_post_connect` when the
 * port is USB-Serial-JTAG (esptool targets esp32s3.py, esp32c3.py, esp32p4.py `disable_watchdogs`):
 * unlock with the write-protect key, write 0 to WDTCONFIG0, lock again; then the same for the super
 * watchdog, setting its auto-feed bit. The bootloader already sets that auto-feed bit on these
 * chips (ESP-IDF bootloader_init, `bootloader_super_wdt_auto_feed`), so only the RTC watchdog
 * fires here; the super watchdog's writes are accepted and checked against the key all the same.
 */
import type { ChipFamily } from "../core/image/chips";

interface WatchdogRegisters {
  wdtConfig0: number;
  wdtProtect: number;
  wdtKey: number;
  swdConf: number;
  swdProtect: number;
  swdKey: number;
  swdAutoFeed: number;
}

/** Addresses and keys as esptool's targets give them. */
const REGISTERS: Partial<Record<ChipFamily, WatchdogRegisters>> = {
  // esptool/targets/esp32s3.py: RTCCNTL_BASE_REG 0x60008000.
  "ESP32-S3": {
    wdtConfig0: 0x60008098,
    wdtProtect: 0x600080b0,
    wdtKey: 0x50d83aa1,
    swdConf: 0x600080b4,
    swdProtect: 0x600080b8,
    swdKey: 0x8f1d312a,
    swdAutoFeed: 1 << 31,
  },
  // esptool/targets/esp32c3.py: RTCCNTL_BASE_REG 0x60008000.
  "ESP32-C3": {
    wdtConfig0: 0x60008090,
    wdtProtect: 0x600080a8,
    wdtKey: 0x50d83aa1,
    swdConf: 0x600080ac,
    swdProtect: 0x600080b0,
    swdKey: 0x8f1d312a,
    swdAutoFeed: 1 << 31,
  },
  // esptool/targets/esp32p4.py: DR_REG_LP_WDT_BASE 0x50116000; one key for both watchdogs.
  "ESP32-P4": {
    wdtConfig0: 0x50116000,
    wdtProtect: 0x50116018,
    wdtKey: 0x50d83aa1,
    swdConf: 0x5011601c,
    swdProtect: 0x50116020,
    swdKey: 0x50d83aa1,
    swdAutoFeed: 1 << 18,
  },
};

/** ESP-IDF Kconfig, CONFIG_BOOTLOADER_WDT_TIME_MS: the RTC watchdog timeout the bootloader sets. */
export const BOOTLOADER_RTC_WDT_MS = 9000;

/** RTC_CNTL_WDT_EN / LP_WDT_RWDT_EN: bit 31 of WDTCONFIG0. */
const WDT_ENABLE = 1 << 31;

export function hasDownloadWatchdog(chip: ChipFamily): boolean {
  return REGISTERS[chip] !== undefined;
}

/** One stay in download mode with the RTC watchdog counting. */
export class DownloadWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly regs: WatchdogRegisters | undefined;
  private wdtUnlocked = false;
  private swdUnlocked = false;
  swdAutoFeed = false;

  constructor(chip: ChipFamily, timeoutMs: number, onReset: () => void) {
    this.regs = REGISTERS[chip];
    if (!this.regs) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      onReset();
    }, timeoutMs);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** A WRITE_REG reached the chip: unlocking and clearing the enable bit stops the watchdog. */
  registerWritten(addr: number, value: number): void {
    const r = this.regs;
    if (!r) return;
    const a = addr >>> 0;
    if (a === r.wdtProtect) this.wdtUnlocked = value >>> 0 === r.wdtKey;
    if (a === r.swdProtect) this.swdUnlocked = value >>> 0 === r.swdKey;
    if (a === r.wdtConfig0 && this.wdtUnlocked && (value & WDT_ENABLE) === 0) this.stop();
    if (a === r.swdConf && this.swdUnlocked && (value & r.swdAutoFeed) !== 0) this.swdAutoFeed = true;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * The RTC domain's watchdog state across resets: armed by a boot that ran ESP-IDF's bootloader but
 * no app that disarms it; cleared by power loss or the EN pin; counting again when the chip enters
 * download mode over USB-Serial-JTAG.
 */
export class RtcWatchdogState {
  private armed = false;
  private counting: DownloadWatchdog | undefined;

  constructor(
    private readonly chip: ChipFamily,
    /** The firmware keeps the watchdog (does not disarm it before app_main). */
    private readonly firmwareKeepsIt: boolean,
    /** Timeout once counting, ms; `null`: the board does not run the watchdog (unpaced). */
    private readonly timeoutMs: number | null,
  ) {}

  /** A boot from flash finished: `bootloaderRan` (it armed the watchdog) and whether an app runs. */
  booted(bootloaderRan: boolean, appRuns: boolean): void {
    this.armed = bootloaderRan && (!appRuns || this.firmwareKeepsIt);
  }

  /** Power gone, or EN pulled: the RTC domain resets. */
  rtcReset(): void {
    this.armed = false;
  }

  /** The chip entered download mode through USB-Serial-JTAG: the RTC domain kept running. */
  enteredDownloadOverUsb(onReset: () => void): void {
    if (!this.armed || this.timeoutMs === null || !hasDownloadWatchdog(this.chip)) return;
    this.counting = new DownloadWatchdog(this.chip, this.timeoutMs, () => {
      this.counting = undefined;
      onReset();
    });
  }

  registerWritten(addr: number, value: number): void {
    this.counting?.registerWritten(addr, value);
  }

  /** The chip left download mode. */
  stop(): void {
    this.counting?.stop();
    this.counting = undefined;
  }
}
