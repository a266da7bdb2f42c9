import { cString, toHex, view, writeCString } from "./bytes";
import { IMAGE_HEADER_SIZE, EXTENDED_HEADER_SIZE, SEGMENT_HEADER_SIZE } from "./esp-image";

export const APP_DESC_MAGIC = 0xabcd5432;
export const APP_DESC_SIZE = 256;
/** esp_app_desc_t is the first thing in the app's first (DROM) segment. */
export const APP_DESC_OFFSET = IMAGE_HEADER_SIZE + EXTENDED_HEADER_SIZE + SEGMENT_HEADER_SIZE;

export interface AppDescription {
  projectName: string;
  version: string;
  idfVersion: string;
  /** As the build stamped it, e.g. "Nov 25 2026". */
  date: string;
  time: string;
  secureVersion: number;
  /** SHA-256 of the ELF the app came from, hex. */
  elfSha256: string;
}

/** esp_app_desc_t from an app image, or null when the image carries none (bootloaders, ESP8266). */
export function readAppDescription(image: Uint8Array): AppDescription | null {
  const at = APP_DESC_OFFSET;
  if (image.length < at + APP_DESC_SIZE) return null;
  const dv = view(image);
  if (dv.getUint32(at, true) !== APP_DESC_MAGIC) return null;
  return {
    secureVersion: dv.getUint32(at + 4, true),
    version: cString(image, at + 16, 32),
    projectName: cString(image, at + 48, 32),
    time: cString(image, at + 80, 16),
    date: cString(image, at + 96, 16),
    idfVersion: cString(image, at + 112, 32),
    elfSha256: toHex(image.subarray(at + 144, at + 176)),
  };
}

export function writeAppDescription(desc: Omit<AppDescription, "elfSha256"> & { elfSha256?: Uint8Array }): Uint8Array {
  const out = new Uint8Array(APP_DESC_SIZE);
  const dv = view(out);
  dv.setUint32(0, APP_DESC_MAGIC, true);
  dv.setUint32(4, desc.secureVersion, true);
  writeCString(out, 16, 32, desc.version);
  writeCString(out, 48, 32, desc.projectName);
  writeCString(out, 80, 16, desc.time);
  writeCString(out, 96, 16, desc.date);
  writeCString(out, 112, 32, desc.idfVersion);
  if (desc.elfSha256) out.set(desc.elfSha256.subarray(0, 32), 144);
  dv.setUint16(176, 0, true);
  dv.setUint16(178, 0xffff, true);
  out[180] = 16; // mmu_page_size as log2: 64 KB pages
  return out;
}
