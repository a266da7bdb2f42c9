/**
 * Flash encryption and secure boot as a simulated chip's eFuses hold them, and what its ROM's
 * GET_SECURITY_INFO answers about them. Burnt the way ESP-IDF's bootloader burns them on first
 * boot (ESP-IDF "Flash Encryption" and "Secure Boot v2" guides); bit positions from esptool's
 * targets/*.py (EFUSE_*_REG / *_MASK) and the ROM flag map in esptool's loader.py.
 */
import type { ChipFamily } from "../core/image/chips";

/** The security eFuses a virtual board has burnt (none by default). */
export interface VirtualSecurityEfuses {
  /**
   * Flash encryption on: SPI_BOOT_CRYPT_CNT (ESP32: FLASH_CRYPT_CNT) = 1, an XTS-AES-128 key in
   * KEY0 (ESP32: BLOCK1). "release" also burns DIS_DOWNLOAD_MANUAL_ENCRYPT and the download-mode
   * cache disables (ESP32: DISABLE_DL_ENCRYPT/DECRYPT/CACHE), as ESP-IDF's release mode does; secure
   * download mode is left off (CONFIG_SECURE_INSECURE_ALLOW_DL_MODE), so register reads still work.
   */
  flashEncryption?: "development" | "release";
  /** Secure Boot v2: SECURE_BOOT_EN and a key digest in KEY1 (ESP32 v3: ABS_DONE_1). */
  secureBoot?: boolean;
  /**
   * ENABLE_SECURITY_DOWNLOAD burnt (not on the ESP32, whose ROM lacks it): the ROM answers only
   * the flash, baud and security-info commands (ESP-IDF "Secure Download Mode"; esptool then finds
   * READ_REG and the stub upload unsupported).
   */
  secureDownloadMode?: boolean;
}

/** esptool loader.py SECURITY_INFO_FLAG_MAP (taken there from the ROM code). */
const FLAG_SECURE_BOOT_EN = 1 << 0;
const FLAG_SECURE_DOWNLOAD_ENABLE = 1 << 2;
const FLAG_DIS_DOWNLOAD_DCACHE = 1 << 9;
const FLAG_DIS_DOWNLOAD_ICACHE = 1 << 10;
/** ESP-IDF KEY_PURPOSE values (esptool targets: PURPOSE_VAL_XTS_AES128_KEY, KEY_PURPOSES 9). */
const PURPOSE_XTS_AES_128 = 4;
const PURPOSE_SECURE_BOOT_DIGEST0 = 9;

/** eFuse BLOCK0 bases of the simulated chips with the "EFUSE_BASE + 0x30" layout (esptool targets). */
const BLOCK0_BASE: Partial<Record<ChipFamily, number>> = {
  "ESP32-S3": 0x60007000,
  "ESP32-C3": 0x60008800,
  "ESP32-P4": 0x5012d000,
};

/**
 * Words to OR into the chip's register file. S3/C3/P4: BLOCK0 + 0x30 bit 20 DIS_DOWNLOAD_MANUAL_ENCRYPT
 * (and DIS_DOWNLOAD_ICACHE bit 9 / DCACHE bit 10 on the S3's RD_REPEAT_DATA0); + 0x34 bits 18-20
 * SPI_BOOT_CRYPT_CNT, bits 24-27 KEY_PURPOSE_0, 28-31 KEY_PURPOSE_1; + 0x38 bit 20 SECURE_BOOT_EN.
 * ESP32: word 0 bits 20-26 FLASH_CRYPT_CNT; word 6 bit 5 ABS_DONE_1, bits 7/8/9 DISABLE_DL_ENCRYPT/DECRYPT/CACHE.
 */
export function securityEfuseWords(family: ChipFamily, efuses: VirtualSecurityEfuses | undefined): Map<number, number> {
  const words = new Map<number, number>();
  if (!efuses) return words;
  const or = (addr: number, bits: number) => words.set(addr, ((words.get(addr) ?? 0) | bits) >>> 0);
  if (family === "ESP32") {
    if (efuses.flashEncryption) or(0x3ff5a000, 1 << 20);
    if (efuses.flashEncryption === "release") or(0x3ff5a018, (1 << 7) | (1 << 8) | (1 << 9));
    if (efuses.secureBoot) or(0x3ff5a018, 1 << 5);
    return words;
  }
  const base = BLOCK0_BASE[family];
  if (base === undefined) throw new Error(`The virtual ${family} has no security eFuse layout`);
  if (efuses.flashEncryption) or(base + 0x34, (1 << 18) | (PURPOSE_XTS_AES_128 << 24));
  if (efuses.flashEncryption === "release") or(base + 0x30, (1 << 20) | (1 << 9) | (1 << 10));
  if (efuses.secureBoot) {
    or(base + 0x38, 1 << 20);
    or(base + 0x34, PURPOSE_SECURE_BOOT_DIGEST0 << 28);
  }
  return words;
}

/** GET_SECURITY_INFO's flags word, flash_crypt_cnt byte and seven key-purpose bytes for these eFuses. */
export function securityInfoFields(efuses: VirtualSecurityEfuses | undefined): {
  flags: number;
  flashCryptCnt: number;
  keyPurposes: number[];
} {
  let flags = 0;
  const keyPurposes = [0, 0, 0, 0, 0, 0, 0];
  if (efuses?.secureBoot) {
    flags |= FLAG_SECURE_BOOT_EN;
    keyPurposes[1] = PURPOSE_SECURE_BOOT_DIGEST0;
  }
  if (efuses?.flashEncryption) keyPurposes[0] = PURPOSE_XTS_AES_128;
  if (efuses?.flashEncryption === "release") flags |= FLAG_DIS_DOWNLOAD_DCACHE | FLAG_DIS_DOWNLOAD_ICACHE;
  if (efuses?.secureDownloadMode) flags |= FLAG_SECURE_DOWNLOAD_ENABLE;
  return { flags, flashCryptCnt: efuses?.flashEncryption ? 1 : 0, keyPurposes };
}

/** Commands the ROM still takes in Secure Download Mode (ESP-IDF security guide, "Secure Download Mode"). */
export const SECURE_DOWNLOAD_ALLOWED: ReadonlySet<number> = new Set([
  0x02, 0x03, 0x04, 0x08, 0x0b, 0x0d, 0x0f, 0x10, 0x11, 0x12, 0x14,
]);
