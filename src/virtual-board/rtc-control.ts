/**
 * The RTC registers a host reaches through the serial loader that change how the chip restarts:
 * RTC_CNTL_OPTION1's FORCE_DOWNLOAD_BOOT (set by an app asking for the bootloader over USB; the
 * ROM then enters download mode on every reset until it is cleared, arduino-esp32 #6762) and the
 * RTC watchdog (esptool's `watchdog_reset`, the only way out of the loader over USB-OTG).
 *
 * Addresses and keys from the ESP32-S3 Technical Reference Manual, "RTC Watchdog Timer"
 * (RTC_CNTL_WDTCONFIG0/1_REG, RTC_CNTL_WDTWPROTECT_REG, write key 0x50D83AA1), as esptool's
 * targets/esp32s3.py lists them; other chips: not modelled (writes are plain register writes).
 */
import type { ChipFamily } from "./types";

interface RtcAddresses {
  option1: number;
  wdtConfig0: number;
  wdtConfig1: number;
  wdtWriteProtect: number;
}

const RTC_ADDRESSES: Partial<Record<ChipFamily, RtcAddresses>> = {
  "ESP32-S3": { option1: 0x6000812c, wdtConfig0: 0x60008098, wdtConfig1: 0x6000809c, wdtWriteProtect: 0x600080b0 },
};
const WDT_WKEY = 0x50d83aa1;
const WDT_EN = 1 << 31;
/** TRM "Clock": the RTC slow clock defaults to the internal 136 kHz RC oscillator. */
const RTC_SLOW_CLOCK_HZ = 136_000;

export class RtcControl {
  /** The ROM enters download mode at the next reset whatever the straps say. */
  forceDownload = false;
  private unlocked = false;
  private timeoutCycles = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly addresses: RtcAddresses | undefined;

  constructor(
    chip: ChipFamily,
    private readonly systemReset: () => void,
  ) {
    this.addresses = RTC_ADDRESSES[chip];
  }

  /** A WRITE_REG from the host (value already masked in by the loader's register file). */
  write(addr: number, value: number, mask: number): void {
    const a = this.addresses;
    if (!a) return;
    if (addr === a.option1 && mask & 1) this.forceDownload = (value & 1) === 1;
    else if (addr === a.wdtWriteProtect) this.unlocked = value >>> 0 === WDT_WKEY;
    else if (addr === a.wdtConfig1 && this.unlocked) this.timeoutCycles = value >>> 0;
    else if (addr === a.wdtConfig0 && this.unlocked && value & WDT_EN) {
      clearTimeout(this.timer);
      const ms = (this.timeoutCycles / RTC_SLOW_CLOCK_HZ) * 1000;
      this.timer = setTimeout(() => this.systemReset(), ms);
    }
  }

  /** Power-on reset clears the RTC domain; a chip reset does not touch it. */
  powerOn(): void {
    clearTimeout(this.timer);
    this.forceDownload = false;
    this.unlocked = false;
  }

  /** The watchdog fired or the chip reset: it stops counting. */
  stop(): void {
    clearTimeout(this.timer);
  }
}
