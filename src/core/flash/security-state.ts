/**
 * A chip's security state as its serial bootloader reveals it: flash encryption, secure boot and
 * the download-mode restrictions, read the way esptool (Python) reads them before `write-flash` and
 * `erase-flash`, and the refusals that follow from it. A plaintext image written to a chip whose
 * flash is encrypted, or an unsigned one to a chip with secure boot, leaves a board that does not
 * start; esptool refuses those writes, and so does the portal, before a byte is written.
 *
 * Sources: esptool `loader.py` (`get_security_info`, the ROM's flag bits) and `cmds.py`
 * (`write_flash`, `erase_flash` checks), `targets/*.py` (eFuse register addresses per chip).
 */
import type { ChipFamily } from "../image/chips";
import { FlashError } from "./errors";

/** GET_SECURITY_INFO's flag bits; the ROM uses the same mapping on every chip that has the command. */
export const SECURITY_FLAGS = {
  secureBoot: 1 << 0,
  secureBootAggressiveRevoke: 1 << 1,
  secureDownloadMode: 1 << 2,
  softDisJtag: 1 << 6,
  hardDisJtag: 1 << 7,
  disUsb: 1 << 8,
  disDownloadDcache: 1 << 9,
  disDownloadIcache: 1 << 10,
} as const;

/** Key purposes the portal names (ESP-IDF's eFuse KEY_PURPOSE values). */
const KEY_PURPOSE_NAMES: Record<number, string> = {
  2: "XTS-AES-256 key 1",
  3: "XTS-AES-256 key 2",
  4: "XTS-AES-128 key",
  9: "secure boot digest 0",
  10: "secure boot digest 1",
  11: "secure boot digest 2",
};

/** GET_SECURITY_INFO's answer, as esptool unpacks it (`<IBBBBBBBBII`; 12 bytes on the ESP32-S2). */
export interface SecurityInfo {
  flags: number;
  flashCryptCnt: number;
  keyPurposes: number[];
  /** null on the ESP32-S2, whose ROM answers 12 bytes without it. */
  chipId: number | null;
  /** The ROM's API / ECO version word; null on the ESP32-S2. */
  apiVersion: number | null;
}

export interface SecurityState {
  /** "security-info": GET_SECURITY_INFO plus eFuse words; "efuse": eFuse words alone (the ESP32's ROM lacks the command). */
  source: "security-info" | "efuse";
  /** An odd number of SPI_BOOT_CRYPT_CNT (ESP32: FLASH_CRYPT_CNT) bits set: the flash is read through AES. */
  flashEncryption: boolean;
  flashCryptCnt: number;
  /**
   * DIS_DOWNLOAD_MANUAL_ENCRYPT (ESP32: DISABLE_DL_ENCRYPT) burnt: download mode cannot write encrypted
   * data any more, ESP-IDF's "release mode". null where it could not be read (secure download mode).
   */
  encryptedDownloadDisabled: boolean | null;
  secureBoot: boolean;
  secureBootAggressiveRevoke: boolean;
  /** The ROM answers only a few commands (no register reads, no stub). */
  secureDownloadMode: boolean;
  jtagDisabled: boolean;
  /** The eFuse key blocks' purposes, by name where the portal knows them. */
  keyPurposes: string[];
  chipId: number | null;
  apiVersion: number | null;
}

/** Where each chip keeps the eFuse bits (esptool `targets/<chip>.py`: EFUSE_*_REG and masks). */
interface EfuseLayout {
  cryptCnt: { reg: number; mask: number };
  dlEncryptDisabled: { reg: number; mask: number };
  /** SECURE_BOOT_EN on chips with secure boot v2 only. */
  secureBoot?: { reg: number; mask: number };
}

/** The "BLOCK0 at EFUSE_BASE + 0x30" layout shared by the S3, C3, C6, H2 and P4 (esptool targets). */
function block0Layout(efuseBase: number, dlEncryptBit = 20): EfuseLayout {
  return {
    dlEncryptDisabled: { reg: efuseBase + 0x30, mask: 1 << dlEncryptBit },
    cryptCnt: { reg: efuseBase + 0x34, mask: 0x7 << 18 },
    secureBoot: { reg: efuseBase + 0x38, mask: 1 << 20 },
  };
}

const EFUSE_LAYOUTS: Partial<Record<ChipFamily, EfuseLayout>> = {
  // esptool targets/esp32.py: EFUSE_RD_REG_BASE 0x3FF5A000; FLASH_CRYPT_CNT bits 20-26 of word 0,
  // DISABLE_DL_ENCRYPT bit 7 of word 6. Secure boot is ABS_DONE_0/1 (handled apart, it depends on the revision).
  ESP32: {
    cryptCnt: { reg: 0x3ff5a000, mask: 0x7f << 20 },
    dlEncryptDisabled: { reg: 0x3ff5a018, mask: 1 << 7 },
  },
  "ESP32-S2": block0Layout(0x3f41a000, 19),
  "ESP32-S3": block0Layout(0x60007000),
  "ESP32-C3": block0Layout(0x60008800),
  "ESP32-C6": block0Layout(0x600b0800),
  "ESP32-H2": block0Layout(0x600b0800),
  "ESP32-P4": block0Layout(0x5012d000),
  // esptool targets/esp32c2.py: all three in the word at EFUSE_BASE + 0x30.
  "ESP32-C2": {
    cryptCnt: { reg: 0x60008830, mask: 0x7 << 7 },
    dlEncryptDisabled: { reg: 0x60008830, mask: 1 << 6 },
    secureBoot: { reg: 0x60008830, mask: 1 << 21 },
  },
  // esptool targets/esp32c5.py.
  "ESP32-C5": {
    dlEncryptDisabled: { reg: 0x600b4830, mask: 1 << 20 },
    cryptCnt: { reg: 0x600b4834, mask: 0x7 << 16 },
    secureBoot: { reg: 0x600b4838, mask: 1 << 25 },
  },
};

/** ESP32 word 6: ABS_DONE_0 (secure boot v1) bit 4, ABS_DONE_1 (v2, only from silicon v3.0) bit 5. */
const ESP32_ABS_DONE_REG = 0x3ff5a018;
const ESP32_ABS_DONE_0 = 1 << 4;
const ESP32_ABS_DONE_1 = 1 << 5;

/** Parse GET_SECURITY_INFO's answer: 20 bytes, or 12 on the ESP32-S2. */
export function parseSecurityInfo(bytes: Uint8Array): SecurityInfo {
  if (bytes.length !== 20 && bytes.length !== 12) {
    throw new Error(`GET_SECURITY_INFO answers 12 or 20 bytes, not ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const long = bytes.length === 20;
  return {
    flags: view.getUint32(0, true),
    flashCryptCnt: bytes[4],
    keyPurposes: Array.from(bytes.subarray(5, 12)),
    chipId: long ? view.getUint32(12, true) : null,
    apiVersion: long ? view.getUint32(16, true) : null,
  };
}

function oddBits(value: number): boolean {
  let bits = 0;
  for (let v = value >>> 0; v; v >>>= 1) bits += v & 1;
  return bits % 2 === 1;
}

/** What the state reader needs from an open bootloader connection. */
export interface SecurityReader {
  /** GET_SECURITY_INFO's answer, or null when the ROM lacks the command (ESP32). */
  securityInfo(): Promise<SecurityInfo | null>;
  readReg(addr: number): Promise<number>;
}

/**
 * Read a chip's security state: GET_SECURITY_INFO where the ROM has it, and the eFuse words esptool
 * reads for what the answer lacks (the "release mode" bit). In secure download mode the ROM refuses
 * register reads, and the answer alone is all there is.
 */
export async function readSecurityState(
  family: ChipFamily,
  revision: number | null,
  reader: SecurityReader,
): Promise<SecurityState> {
  const info = await reader.securityInfo();
  const layout = EFUSE_LAYOUTS[family];
  if (info) {
    const secureDownloadMode = (info.flags & SECURITY_FLAGS.secureDownloadMode) !== 0;
    let encryptedDownloadDisabled: boolean | null = null;
    if (layout && !secureDownloadMode) {
      encryptedDownloadDisabled =
        ((await reader.readReg(layout.dlEncryptDisabled.reg)) & layout.dlEncryptDisabled.mask) !== 0;
    }
    return {
      source: "security-info",
      flashEncryption: oddBits(info.flashCryptCnt),
      flashCryptCnt: info.flashCryptCnt,
      encryptedDownloadDisabled,
      secureBoot: (info.flags & SECURITY_FLAGS.secureBoot) !== 0,
      secureBootAggressiveRevoke: (info.flags & SECURITY_FLAGS.secureBootAggressiveRevoke) !== 0,
      secureDownloadMode,
      jtagDisabled: (info.flags & (SECURITY_FLAGS.softDisJtag | SECURITY_FLAGS.hardDisJtag)) !== 0,
      keyPurposes: namedPurposes(info.keyPurposes),
      chipId: info.chipId,
      apiVersion: info.apiVersion,
    };
  }
  if (!layout) throw new Error(`No eFuse layout known for ${family}`);
  const read = async (field: { reg: number; mask: number }) => (await reader.readReg(field.reg)) & field.mask;
  const cryptBits = (await read(layout.cryptCnt)) >>> 0;
  const shift = Math.log2(layout.cryptCnt.mask & -layout.cryptCnt.mask);
  let secureBoot = false;
  if (family === "ESP32") {
    const absDone = await reader.readReg(ESP32_ABS_DONE_REG);
    secureBoot = (absDone & ESP32_ABS_DONE_0) !== 0 || ((revision ?? 0) >= 300 && (absDone & ESP32_ABS_DONE_1) !== 0);
  } else if (layout.secureBoot) {
    secureBoot = (await read(layout.secureBoot)) !== 0;
  }
  return {
    source: "efuse",
    flashEncryption: oddBits(cryptBits),
    flashCryptCnt: cryptBits >>> shift,
    encryptedDownloadDisabled: (await read(layout.dlEncryptDisabled)) !== 0,
    secureBoot,
    secureBootAggressiveRevoke: false,
    secureDownloadMode: false,
    jtagDisabled: false,
    keyPurposes: [],
    chipId: null,
    apiVersion: null,
  };
}

function namedPurposes(purposes: number[]): string[] {
  return purposes.flatMap((p) => (KEY_PURPOSE_NAMES[p] ? [KEY_PURPOSE_NAMES[p]] : []));
}

/** Nothing set that changes what the portal may do. */
export function isUnlocked(state: SecurityState): boolean {
  return !state.flashEncryption && !state.secureBoot && !state.secureDownloadMode;
}

/** One line for the Connect step: what is on, in the chip's own terms. */
export function describeSecurity(state: SecurityState): string {
  const parts: string[] = [];
  if (state.flashEncryption) {
    const mode =
      state.encryptedDownloadDisabled === true
        ? "release mode"
        : state.encryptedDownloadDisabled === false
          ? "development mode"
          : "mode unknown";
    parts.push(`flash encryption on (${mode})`);
  }
  if (state.secureBoot) parts.push(`secure boot on${state.secureBootAggressiveRevoke ? " (aggressive revoke)" : ""}`);
  if (state.secureDownloadMode) parts.push("secure download mode");
  if (state.jtagDisabled) parts.push("JTAG disabled");
  return parts.length === 0 ? "No flash encryption or secure boot." : `${capitalise(parts.join(", "))}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Refuse what would leave the board unbootable: a plaintext write (any write: the portal writes only
 * plaintext) or an erase on a chip with flash encryption or secure boot on. esptool refuses
 * `erase-flash` in both cases and plaintext `write-flash` with encryption in release mode; the
 * portal refuses the development-mode write too, since the ROM then decrypts the plaintext into
 * garbage at boot. Throws a `FlashError` ("flash-encrypted" / "secure-boot") with what to do instead.
 */
export function refuseLockedWrite(state: SecurityState | undefined, intent: { erase: boolean }): void {
  const refusal = lockRefusal(state, intent);
  if (refusal) throw refusal;
}

/** The refusal `refuseLockedWrite` would throw, or null when the write (or erase) is safe. */
export function lockRefusal(state: SecurityState | undefined, intent: { erase: boolean }): FlashError | null {
  if (!state) return null;
  const what = intent.erase ? "Erasing it" : "Writing a plain (unencrypted) image to it";
  if (state.flashEncryption) {
    const release = state.encryptedDownloadDisabled === true || state.secureDownloadMode;
    return new FlashError(
      "flash-encrypted",
      release
        ? `This board has flash encryption on in release mode: its download mode can no longer write encrypted data. ${what} would leave a board that does not start. Update it over the air (OTA) with a build made for it; a web flasher cannot install it.`
        : `This board has flash encryption on (development mode). ${what} would leave a board that does not start, because the chip decrypts everything it reads from flash. Flash it with its key from a computer (“idf.py encrypted-flash”, or “esptool write-flash --encrypt”), which a web flasher cannot do.`,
    );
  }
  if (state.secureBoot) {
    return new FlashError(
      "secure-boot",
      `This board has secure boot on: it starts only images signed with its owner's key, and its bootloader cannot be replaced. ${what} would leave a board that does not start. Install only images signed for this board, with ESP-IDF (“idf.py app-flash”) or over the air; a web flasher cannot install unsigned firmware on it.`,
    );
  }
  return null;
}
