/**
 * What the chip is, read through the ROM loader once esptool-js has connected: family,
 * description, revision, MAC, features, security state (eFuses, GET_SECURITY_INFO) and the
 * flash's size from its JEDEC id.
 */
import type { ESPLoader } from "esptool-js";
import type { ChipFamily } from "../image/chips";
import { readSecurityState, type SecurityInfo } from "./security-state";
import type { DetectedChip } from "./types";

/** The ROM loader's SPI_ATTACH command. */
export const SPI_ATTACH = 0x0d;

/** eFuse words read while identifying the chip, by address: they do not change while it runs. */
export type EfuseWords = Map<number, Promise<number>>;

/**
 * Run `work` with the loader's register reads answered from `words` where it has them (and kept
 * there): esptool-js's chip classes read several eFuse words more than once (package, revision,
 * features, MAC), and its stub upload reads the revision again. Only for reads of eFuse words.
 */
export async function withEfuseWords<T>(loader: ESPLoader, words: EfuseWords, work: () => Promise<T>): Promise<T> {
  const readReg = loader.readReg.bind(loader);
  loader.readReg = (addr: number, timeout?: number) => {
    let word = words.get(addr);
    if (!word) {
      words.set(addr, (word = readReg(addr, timeout)));
      word.catch(() => words.delete(addr));
    }
    return word;
  };
  try {
    return await work();
  } finally {
    loader.readReg = readReg;
  }
}

/**
 * esptool-js found a flasher stub already running when it synced (its `syncStubDetected`: a board
 * kept in its loader by the last session), so the chip answers as the stub, not as its ROM.
 */
export function stubLeftRunning(loader: ESPLoader): boolean {
  return (loader as unknown as { syncStubDetected?: boolean }).syncStubDetected === true;
}

/** Identify the connected chip; `usbSerialJtag`: the port is the chip's own USB-Serial-JTAG. */
export async function identifyChip(
  loader: ESPLoader,
  usbSerialJtag: boolean,
  words: EfuseWords = new Map(),
): Promise<DetectedChip> {
  const detected = await withEfuseWords(loader, words, () => describeChip(loader, usbSerialJtag));
  // The ROM wants the SPI flash attached before flash commands (the stub attaches it itself), and
  // esptool attaches it before it reads the flash's id through the SPI registers.
  // esptool's flash_spi_attach sends the ROM 8 bytes and the stub 4: a stub left running by the last
  // session (a board kept in its loader, esptool-js's syncStubDetected) refuses the ROM's form.
  await loader.checkCommand("attach SPI flash", SPI_ATTACH, new Uint8Array(stubLeftRunning(loader) ? 4 : 8));
  detected.flashSize = await flashSize(loader);
  return detected;
}

async function describeChip(loader: ESPLoader, usbSerialJtag: boolean): Promise<DetectedChip> {
  const chip = loader.chip;
  const description = await chip.getChipDescription(loader);
  const features = (await chip.getChipFeatures(loader)).map((f) => f.trim());
  const detected: DetectedChip = {
    family: chip.CHIP_NAME as ChipFamily,
    description,
    revision: revisionFromDescription(description) ?? (await chipRevision(loader)),
    mac: await chip.readMac(loader),
    flashSize: null,
    features,
    usbSerialJtag,
  };
  detected.security = await readSecurityState(detected.family, detected.revision, {
    securityInfo: () => romSecurityInfo(loader, detected.family),
    readReg: (addr) => loader.readReg(addr),
  });
  return detected;
}

/**
 * GET_SECURITY_INFO as esptool-js read it while identifying the chip (cached there); the ESP32's and
 * ESP8266's ROMs have no such command (esptool's USES_MAGIC_VALUE chips), so they are not asked.
 */
async function romSecurityInfo(loader: ESPLoader, family: ChipFamily): Promise<SecurityInfo | null> {
  if (family === "ESP32" || family === "ESP8266") return null;
  const info = await loader.getSecurityInfo();
  return {
    flags: info.flags,
    flashCryptCnt: info.flashCryptCnt,
    keyPurposes: info.keyPurposes,
    chipId: info.chipId,
    apiVersion: info.apiVersion,
  };
}

/** esptool's description ends in "(revision v0.2)" or, for the ESP32, "(revision 3)": no need to read the eFuses again. */
function revisionFromDescription(description: string): number | null {
  const dotted = /\(revision v(\d+)\.(\d+)\)/.exec(description);
  if (dotted) return Number(dotted[1]) * 100 + Number(dotted[2]);
  const major = /\(revision (\d+)\)/.exec(description);
  return major ? Number(major[1]) * 100 : null;
}

async function chipRevision(loader: ESPLoader): Promise<number | null> {
  const chip = loader.chip as ESPLoader["chip"] & {
    getMajorChipVersion?: (l: ESPLoader) => Promise<number>;
    getMinorChipVersion?: (l: ESPLoader) => Promise<number>;
  };
  if (chip.getMajorChipVersion && chip.getMinorChipVersion) {
    return (await chip.getMajorChipVersion(loader)) * 100 + (await chip.getMinorChipVersion(loader));
  }
  if (chip.getChipRevision) return (await chip.getChipRevision(loader)) * 100;
  return null;
}

/** Flash size from the JEDEC id's capacity byte (2^n bytes), as esptool's "detect" does. */
async function flashSize(loader: ESPLoader): Promise<number | null> {
  const id = await loader.readFlashId();
  const capacity = (id >> 16) & 0xff;
  if (capacity >= 0x12 && capacity <= 0x1c) return 2 ** capacity;
  if (capacity >= 0x32 && capacity <= 0x3a) return 2 ** (capacity - 0x20);
  return null;
}
