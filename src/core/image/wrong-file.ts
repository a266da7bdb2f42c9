/**
 * Files people pick by mistake instead of a firmware image, told from their bytes (and, where the
 * bytes say nothing definite, their name): what each one is, and what to pick instead. The list
 * comes from what the build folders of ESP-IDF, Arduino, PlatformIO and MicroPython hold next to
 * the image (README "Files the portal names").
 */

/** Stable codes, one per kind of file (the UI, the CLI and tests switch on them). */
export type WrongFileCode =
  | "elf-file"
  | "uf2-file"
  | "zip-file"
  | "archive-file"
  | "intel-hex-file"
  | "html-file"
  | "json-not-manifest"
  | "partition-csv"
  | "linker-map"
  | "python-file"
  | "mpy-file"
  | "text-file"
  | "nvs-image"
  | "littlefs-image"
  | "spiffs-image"
  | "fat-image";

export interface WrongFile {
  code: WrongFileCode;
  /** "an ELF file (the program with its debug symbols)": what the file is. */
  what: string;
  /** What to pick or do instead, in a sentence or two. */
  instead: string;
}

const ascii = (data: Uint8Array, from: number, length: number) =>
  String.fromCharCode(...data.subarray(from, Math.min(data.length, from + length)));

const u32le = (data: Uint8Array, at: number) =>
  data.length < at + 4 ? -1 : (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;

const baseName = (name: string) => name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);

const BIN_INSTEAD =
  "Pick the .bin the build made beside it: ESP-IDF's build/<project>.bin (with bootloader/bootloader.bin and partition_table/partition-table.bin, or the whole build folder), Arduino's <sketch>.ino.bin or <sketch>.ino.merged.bin, PlatformIO's .pio/build/<env>/firmware.bin.";

const DATA_IMAGE_INSTEAD =
  "It belongs in its data partition at the offset your partition table gives, next to the firmware, not instead of it: pick the firmware .bin, or a manifest that places both.";

/** Text: the first bytes are printable ASCII / UTF-8 with line breaks, no NULs. */
function looksLikeText(data: Uint8Array, lowerName: string): boolean {
  const head = data.subarray(0, 1024);
  if (head.length === 0) return false;
  let spaces = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) return false;
    if (b === 0x20 || b === 0x0a || b === 0x09) spaces++;
  }
  // Words or lines: a run of one repeated byte is filler, not text.
  return spaces > 0 || /\.(txt|md|log|ini|cfg|conf|csv|py|map|hex)$/.test(lowerName);
}

function textHead(data: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(data.subarray(0, 4096));
}

/** Parsed JSON when the file is JSON, else undefined. */
function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data)) as unknown;
  } catch {
    return undefined;
  }
}

/** ESP-IDF's build/flasher_args.json: offsets and files of a build (usable: see flasher-args.ts). */
export function isFlasherArgs(json: unknown): json is { flash_files: Record<string, string> } {
  return (
    typeof json === "object" &&
    json !== null &&
    "flash_files" in json &&
    typeof json.flash_files === "object" &&
    json.flash_files !== null
  );
}

/** An ESP Web Tools manifest has a `builds` array. */
export function isManifestJson(json: unknown): boolean {
  return typeof json === "object" && json !== null && "builds" in json && Array.isArray(json.builds);
}

function jsonKind(name: string, data: Uint8Array): WrongFile | null {
  const json = parseJson(data);
  // Unparseable JSON named .json is left to the manifest parser, which says where it breaks.
  if (json === undefined || isManifestJson(json) || isFlasherArgs(json)) return null;
  const base = baseName(name);
  const known =
    base === "project_description.json"
      ? "ESP-IDF's project description (build settings, not offsets)"
      : base === "sdkconfig.json"
        ? "ESP-IDF's configuration as JSON"
        : base === "board.json" || base.endsWith(".board.json")
          ? "a board description"
          : "a JSON file";
  return {
    code: "json-not-manifest",
    what: `${known}, not a firmware manifest (it has no "builds" list)`,
    instead:
      "Pick the manifest.json an ESP Web Tools page uses, or from an ESP-IDF build folder its flasher_args.json (with the folder), or the firmware .bin.",
  };
}

function textKind(name: string, data: Uint8Array): WrongFile {
  const text = textHead(data);
  const lower = baseName(name).toLowerCase();
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length > 0 && lines.slice(0, 8).every((l) => /^:[0-9A-Fa-f]{10,}$/.test(l.trim()))) {
    return {
      code: "intel-hex-file",
      what: "an Intel HEX file (firmware as text records)",
      instead:
        "ESP chips are flashed from binary images: pick the .bin of the same build, or convert this one with `objcopy -I ihex -O binary`.",
    };
  }
  if (/^\s*<(!doctype html|html|head|body)\b/i.test(text)) {
    return {
      code: "html-file",
      what: "a web page, not firmware: the link saved was the page about the file",
      instead:
        "Download the file itself: on GitHub use the release's asset link or the file page's “Download raw file” button, then pick that.",
    };
  }
  const csvRows = lines.filter((l) => !l.trim().startsWith("#"));
  if (
    lower.endsWith(".csv") ||
    /#\s*Name\s*,\s*Type\s*,\s*SubType/i.test(text) ||
    (csvRows.length > 0 && csvRows.every((l) => /^\s*\w+\s*,\s*(app|data|0x[0-9a-f]+|\d+)\s*,/i.test(l)))
  ) {
    return {
      code: "partition-csv",
      what: "a partition table's source (partitions.csv), which the build turns into a binary table",
      instead:
        "Pick the partition table the build made from it: ESP-IDF's build/partition_table/partition-table.bin, Arduino's <sketch>.ino.partitions.bin, PlatformIO's .pio/build/<env>/partitions.bin — with the bootloader and the app.",
    };
  }
  if (
    lower.endsWith(".map") ||
    /Linker script and memory map|Memory Configuration|Archive member included/.test(text)
  ) {
    return { code: "linker-map", what: "the linker's map file (a report of where code went)", instead: BIN_INSTEAD };
  }
  if (
    lower.endsWith(".py") ||
    /^#!.*python/.test(text) ||
    /^\s*(import \w+|from [\w.]+ import |def \w+\(|class \w+[(:])/m.test(lines.slice(0, 20).join("\n"))
  ) {
    return {
      code: "python-file",
      what: "a Python script",
      instead:
        "MicroPython runs scripts from the board's filesystem, not from flash images: install MicroPython (or pyDirect) first, then copy the script with mpremote (`mpremote cp main.py :`), Thonny or the portal's console.",
    };
  }
  return {
    code: "text-file",
    what: "a text file, not firmware",
    instead: `Leave it out. ${BIN_INSTEAD}`,
  };
}

/**
 * What a file that is not an ESP image, partition table or manifest is, or null when it is none of
 * the known mistakes (then it is simply unrecognised).
 */
export function identifyWrongFile(name: string, data: Uint8Array): WrongFile | null {
  const lower = baseName(name).toLowerCase();
  if (data.length >= 4 && data[0] === 0x7f && ascii(data, 1, 3) === "ELF") {
    return {
      code: "elf-file",
      what: "an ELF file (the program with its debug symbols; the chip cannot boot it)",
      instead: BIN_INSTEAD,
    };
  }
  // UF2 block: magic "UF2\n" (0x0A324655) then 0x9E5D5157 (Microsoft's UF2 specification).
  if (u32le(data, 0) === 0x0a324655 && u32le(data, 4) === 0x9e5d5157) {
    return {
      code: "uf2-file",
      what: "a UF2 file, for boards running a UF2 bootloader (TinyUF2 on the ESP32-S2/S3)",
      instead:
        "Double-tap RESET to bring up the board's UF2 drive and drag the file onto it; to flash over USB serial here, pick the .bin of the same release (MicroPython's download page offers both).",
    };
  }
  if (data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && (data[2] === 3 || data[2] === 5)) {
    return {
      code: "zip-file",
      what: "a ZIP archive",
      instead: "Unpack it and pick the manifest or the .bin files inside (or drop the unpacked folder).",
    };
  }
  const gzip = data[0] === 0x1f && data[1] === 0x8b;
  const tar = ascii(data, 257, 5) === "ustar";
  const sevenZip = u32le(data, 0) === 0xafbc7a37;
  const rar = ascii(data, 0, 4) === "Rar!";
  if (gzip || tar || sevenZip || rar) {
    return {
      code: "archive-file",
      what: `a ${gzip ? "gzip" : tar ? "tar" : sevenZip ? "7-Zip" : "RAR"} archive`,
      instead: "Unpack it first, then pick the manifest or the .bin files inside (the portal unpacks only ZIP files).",
    };
  }
  // MicroPython .mpy: 'M', then the bytecode version (5 from v1.12, 6 from v1.19).
  if (data[0] === 0x4d && data[1] >= 3 && data[1] <= 6 && lower.endsWith(".mpy")) {
    return {
      code: "mpy-file",
      what: "a compiled MicroPython module (.mpy)",
      instead:
        "Copy it onto the board's filesystem with mpremote (`mpremote cp module.mpy :`) or Thonny once MicroPython runs; it is not a flash image.",
    };
  }
  const dataImage = identifyDataImage(lower, data);
  if (dataImage) return dataImage;
  if (data[0] === 0x7b /* { */ || data[0] === 0x5b /* [ */ || lower.endsWith(".json")) {
    const json = jsonKind(name, data);
    if (json || parseJson(data) !== undefined || lower.endsWith(".json")) return json;
  }
  if (looksLikeText(data, lower)) return textKind(name, data);
  return null;
}

/** NVS, LittleFS, FAT and SPIFFS partition images. */
function identifyDataImage(lower: string, data: Uint8Array): WrongFile | null {
  // LittleFS superblock: "littlefs" right after the revision count and the first metadata tag (lfs.c).
  if (ascii(data, 8, 8) === "littlefs") {
    return {
      code: "littlefs-image",
      what: "a LittleFS filesystem image (files for the board, such as PlatformIO's “Build Filesystem Image” output)",
      instead: DATA_IMAGE_INSTEAD,
    };
  }
  // NVS page header (ESP-IDF nvs_page.hpp): state ACTIVE 0xFFFFFFFE / FULL 0xFFFFFFFC / FREEING 0xFFFFFFF8,
  // sequence number, version byte 0xFE (v2) or 0xFF (v1), then 19 unused 0xFF bytes.
  const state = u32le(data, 0);
  if (
    data.length % 4096 === 0 &&
    (state === 0xfffffffe || state === 0xfffffffc || state === 0xfffffff8) &&
    (data[8] === 0xfe || data[8] === 0xff) &&
    data.subarray(9, 28).every((b) => b === 0xff)
  ) {
    return {
      code: "nvs-image",
      what: "an NVS partition image (stored settings such as Wi-Fi credentials or calibration)",
      instead: DATA_IMAGE_INSTEAD,
    };
  }
  // FAT boot sector: x86 jump (0xEB xx 0x90), boot signature 0x55AA at 510, "FAT" in the type field.
  if (
    data.length >= 512 &&
    data[0] === 0xeb &&
    data[510] === 0x55 &&
    data[511] === 0xaa &&
    (ascii(data, 54, 3) === "FAT" || ascii(data, 82, 3) === "FAT")
  ) {
    return {
      code: "fat-image",
      what: "a FAT filesystem image (ESP-IDF's fatfs partition, or a MicroPython vfs image)",
      instead: DATA_IMAGE_INSTEAD,
    };
  }
  // SPIFFS has no magic number in its default configuration: only the name tells (mkspiffs, PlatformIO's spiffs.bin).
  if (/spiffs/.test(lower)) {
    return {
      code: "spiffs-image",
      what: "a SPIFFS filesystem image (files for the board)",
      instead: DATA_IMAGE_INSTEAD,
    };
  }
  return null;
}

/** "app.elf is an ELF file (…). Pick the .bin …" */
export function wrongFileSentence(name: string, wrong: WrongFile): string {
  return `${baseName(name)} is ${wrong.what}. ${wrong.instead}`;
}
