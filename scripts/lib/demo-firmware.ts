/**
 * The demo firmware: format-valid bootloader, partition table and app images for the chips the
 * virtual board simulates, plus the ESP Web Tools manifest that lists them. Pure (no file system)
 * so tests can build it in memory and derive corrupted variants.
 */
import { sha256Hex } from "../../src/core/image/bytes";
import { writeAppDescription } from "../../src/core/image/app-desc";
import { writeEspImage } from "../../src/core/image/esp-image";
import {
  APP_SUBTYPE_FACTORY,
  DATA_SUBTYPE_FAT,
  DATA_SUBTYPE_NVS,
  DATA_SUBTYPE_PHY,
  PARTITION_TYPE_APP,
  PARTITION_TYPE_DATA,
  writePartitionTable,
  type PartitionEntry,
} from "../../src/core/image/partition-table";
import { chipFacts, type ChipFamily } from "../../src/core/image/chips";
import { mulberry32 } from "./seeded-random";

export const DEMO_CHIPS = ["ESP32", "ESP32-S3", "ESP32-C3", "ESP32-P4"] as const satisfies readonly ChipFamily[];
export type DemoChip = (typeof DEMO_CHIPS)[number];

export const DEMO_PROJECT = "pyDirect";
export const DEMO_VERSION = "0.1.0";
export const DEMO_IDF_VERSION = "v5.4.1";
/** Fixed build stamp so the images are byte-for-byte reproducible. */
const BUILD_DATE = "Nov 25 2026";
const BUILD_TIME = "04:00:00";

/** MicroPython's 4 MB layout: the app gets ~2 MB, the filesystem (`vfs`) the rest. */
export const DEMO_PARTITIONS: PartitionEntry[] = [
  { label: "nvs", type: PARTITION_TYPE_DATA, subtype: DATA_SUBTYPE_NVS, offset: 0x9000, size: 0x6000, flags: 0 },
  { label: "phy_init", type: PARTITION_TYPE_DATA, subtype: DATA_SUBTYPE_PHY, offset: 0xf000, size: 0x1000, flags: 0 },
  {
    label: "factory",
    type: PARTITION_TYPE_APP,
    subtype: APP_SUBTYPE_FACTORY,
    offset: 0x10000,
    size: 0x1f0000,
    flags: 0,
  },
  { label: "vfs", type: PARTITION_TYPE_DATA, subtype: DATA_SUBTYPE_FAT, offset: 0x200000, size: 0x200000, flags: 0 },
];

interface ChipMemoryMap {
  bootloader: { entry: number; segments: [number, number][] };
  app: { entry: number; drom: number; dram: number; iram: number; irom: number };
}

// Load addresses in the style of each chip's linker scripts; lengths are what our generator emits.
const MEMORY: Record<DemoChip, ChipMemoryMap> = {
  ESP32: {
    bootloader: {
      entry: 0x40080658,
      segments: [
        [0x3fff0030, 0x1340],
        [0x40078000, 0x4020],
        [0x40080400, 0x0e80],
      ],
    },
    app: { entry: 0x40081d44, drom: 0x3f400020, dram: 0x3ffbdb60, iram: 0x40080000, irom: 0x400d0020 },
  },
  "ESP32-S3": {
    bootloader: {
      entry: 0x403c9908,
      segments: [
        [0x3fce3810, 0x1500],
        [0x403c9700, 0x0c20],
        [0x403cc700, 0x2c40],
      ],
    },
    app: { entry: 0x40375a9c, drom: 0x3c0a0020, dram: 0x3fc92500, iram: 0x40374000, irom: 0x42000020 },
  },
  "ESP32-C3": {
    bootloader: {
      entry: 0x403ce710,
      segments: [
        [0x3fcd5820, 0x0d40],
        [0x403cc710, 0x0b60],
        [0x403ce710, 0x2fa0],
      ],
    },
    app: { entry: 0x40380000, drom: 0x3c0a0020, dram: 0x3fc8b600, iram: 0x40380000, irom: 0x42000020 },
  },
  // ESP32-P4 (ESP-IDF 5.5 on a v1.x chip): the bootloader's load addresses and lengths as its ROM prints
  // them; the app's flash window starts at 0x40000000 for code and data alike, RAM at 0x4ff00000.
  "ESP32-P4": {
    bootloader: {
      entry: 0x4ff29ed0,
      segments: [
        [0x4ff33ce0, 0x164c],
        [0x4ff29ed0, 0x0c1c],
        [0x4ff2cbd0, 0x3470],
      ],
    },
    app: { entry: 0x4ff00100, drom: 0x40050020, dram: 0x4ff10000, iram: 0x4ff00000, irom: 0x40000020 },
  },
};

/**
 * Bytes that compress like machine code: a skewed choice from a small vocabulary of instruction
 * words, with the odd literal. Real app images deflate to roughly 60% of their size; so does this.
 */
export function codeLikeBytes(length: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const vocabulary = Array.from({ length: 512 }, () => Math.floor(rand() * 0x1_0000_0000) >>> 0);
  const out = new Uint8Array(length);
  const dv = new DataView(out.buffer);
  for (let i = 0; i + 4 <= length; i += 4) {
    const r = rand();
    const word = r < 0.35 ? Math.floor(rand() * 0x1_0000_0000) >>> 0 : vocabulary[Math.floor(512 * rand() ** 3)];
    dv.setUint32(i, word, true);
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `flashSize`: what the image header says the board has (esptool writes the build's flash size there). */
export function makeDemoBootloader(chip: DemoChip, flashSize = 4 * 1048576): Uint8Array {
  const map = MEMORY[chip].bootloader;
  return writeEspImage({
    chip,
    entry: map.entry,
    flashMode: "DIO",
    flashSizeBytes: flashSize,
    segments: map.segments.map(([loadAddress, length], i) => ({
      loadAddress,
      data: codeLikeBytes(length, 0xb007 + i * 17 + DEMO_CHIPS.indexOf(chip)),
    })),
  });
}

export function makeDemoPartitionTable(entries: PartitionEntry[] = DEMO_PARTITIONS): Uint8Array {
  return writePartitionTable(entries);
}

export interface DemoAppOptions {
  projectName?: string;
  version?: string;
  /** Code size in bytes (rounded to 4); the default gives an app of about 320 KB. */
  codeSize?: number;
  /** Flash size in the image header (default 4 MB). */
  flashSize?: number;
}

export function makeDemoApp(chip: DemoChip, options: DemoAppOptions = {}): Uint8Array {
  const map = MEMORY[chip].app;
  const seed = 0xa990 + DEMO_CHIPS.indexOf(chip) * 101;
  const desc = writeAppDescription({
    projectName: options.projectName ?? DEMO_PROJECT,
    version: options.version ?? DEMO_VERSION,
    idfVersion: DEMO_IDF_VERSION,
    date: BUILD_DATE,
    time: BUILD_TIME,
    secureVersion: 0,
    elfSha256: codeLikeBytes(32, seed + 7),
  });
  const codeSize = (options.codeSize ?? 236 * 1024) & ~3;
  return writeEspImage({
    chip,
    entry: map.entry,
    flashMode: "DIO",
    flashSizeBytes: options.flashSize ?? 4 * 1048576,
    segments: [
      { loadAddress: map.drom, data: concat([desc, codeLikeBytes(48 * 1024, seed + 1)]) },
      { loadAddress: map.dram, data: codeLikeBytes(12 * 1024, seed + 2) },
      { loadAddress: map.iram, data: codeLikeBytes(24 * 1024, seed + 3) },
      { loadAddress: map.irom, data: codeLikeBytes(codeSize, seed + 4) },
    ],
  });
}

export interface DemoPart {
  /** Path relative to the manifest. */
  path: string;
  offset: number;
  data: Uint8Array;
}

export function demoParts(chip: DemoChip): DemoPart[] {
  const dir = chip.toLowerCase().replace("-", "");
  return [
    { path: `${dir}/bootloader.bin`, offset: chipFacts(chip).bootloaderOffset, data: makeDemoBootloader(chip) },
    { path: `${dir}/partition-table.bin`, offset: 0x8000, data: makeDemoPartitionTable() },
    { path: `${dir}/pydirect.bin`, offset: 0x10000, data: makeDemoApp(chip) },
  ];
}

/**
 * The demo manifest: plain ESP Web Tools fields plus our sha256/size per part, and
 * `virtual_board_only`: these images boot only on the virtual board, never on a real chip.
 */
export function demoManifest(partsByChip: Record<DemoChip, DemoPart[]> = demoPartsByChip()): Record<string, unknown> {
  return {
    name: "pyDirect demo firmware",
    version: DEMO_VERSION,
    virtual_board_only: true,
    new_install_prompt_erase: true,
    new_install_improv_wait_time: 0,
    channel: "stable",
    release_notes:
      "Demo build generated by scripts/make-demo-firmware.ts: format-valid images that the virtual board boots.",
    builds: DEMO_CHIPS.map((chip) => ({
      chipFamily: chip,
      flash_size: "4MB",
      parts: partsByChip[chip].map((p) => ({
        path: p.path,
        offset: p.offset,
        size: p.data.length,
        sha256: sha256Hex(p.data),
      })),
    })),
  };
}

export function demoPartsByChip(): Record<DemoChip, DemoPart[]> {
  return Object.fromEntries(DEMO_CHIPS.map((c) => [c, demoParts(c)])) as Record<DemoChip, DemoPart[]>;
}
