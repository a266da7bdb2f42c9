import type { ESPLoader } from "esptool-js";

/** SPI_FLASH_MD5, which the ROM loaders of the ESP32-S2 and later answer as well as the stub. */
const SPI_FLASH_MD5 = 0x13;
/** esptool's MD5_TIMEOUT_PER_MB (8 s), and its DEFAULT_TIMEOUT (3 s) as the floor. */
const MD5_MS_PER_MB = 8_000;
const MIN_TIMEOUT_MS = 3_000;

/**
 * MD5 of a flash region computed by the ROM loader (lower-case hex). The ROM answers with 32 ASCII
 * hex digits where the stub sends 16 raw bytes; esptool-js's flashMd5sum would hex-encode the
 * ROM's digits once more, so the command is sent here directly.
 */
export async function romMd5(loader: ESPLoader, offset: number, length: number): Promise<string> {
  const args = new Uint8Array(16);
  new DataView(args.buffer).setUint32(0, offset, true);
  new DataView(args.buffer).setUint32(4, length, true);
  const timeout = Math.max(MIN_TIMEOUT_MS, (MD5_MS_PER_MB * length) / 1e6);
  const digest = await loader.checkCommand("calculate md5sum", SPI_FLASH_MD5, args, 0, 32, timeout);
  return new TextDecoder().decode(digest as Uint8Array).toLowerCase();
}
