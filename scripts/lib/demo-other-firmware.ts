/**
 * Demo firmware that is not pyDirect, for the flow after an install: an Improv Wi-Fi Serial device
 * (ESPHome-like) and ESP-IDF's blink example (no Wi-Fi set-up over USB). Same boot loader and
 * partition table as the pyDirect demo; the app's description names the project, which is what
 * the virtual board runs (src/demo/virtual-port.ts `demoBoardFirmware`). Pure: no file system.
 */
import { sha256Hex } from "../../src/core/image/bytes";
import { DEMO_BLINK_PROJECT, DEMO_IMPROV_PROJECT } from "../../src/demo/virtual-port";
import {
  DEMO_CHIPS,
  makeDemoApp,
  makeDemoBootloader,
  makeDemoPartitionTable,
  type DemoChip,
  type DemoPart,
} from "./demo-firmware";
import { chipFacts } from "../../src/core/image/chips";

export type OtherDemoKind = "improv" | "blink";

const PROJECT: Record<OtherDemoKind, string> = { improv: DEMO_IMPROV_PROJECT, blink: DEMO_BLINK_PROJECT };

export function otherDemoParts(kind: OtherDemoKind, chip: DemoChip): DemoPart[] {
  const dir = chip.toLowerCase().replace("-", "");
  return [
    { path: `${dir}/bootloader.bin`, offset: chipFacts(chip).bootloaderOffset, data: makeDemoBootloader(chip) },
    { path: `${dir}/partition-table.bin`, offset: 0x8000, data: makeDemoPartitionTable() },
    {
      path: `${dir}/${kind}.bin`,
      offset: 0x10000,
      data: makeDemoApp(chip, { projectName: PROJECT[kind], version: "1.0.0", codeSize: 64 * 1024 }),
    },
  ];
}

/**
 * The Improv demo leaves `new_install_improv_wait_time` out (ESP Web Tools' default, 10 s); blink's
 * builds say `"improv": false`, as a manifest for firmware without Improv may.
 */
export function otherDemoManifest(kind: OtherDemoKind, parts: Record<DemoChip, DemoPart[]>): Record<string, unknown> {
  return {
    name: kind === "improv" ? "Improv demo firmware" : "Blink demo firmware",
    version: "1.0.0",
    virtual_board_only: true,
    new_install_prompt_erase: false,
    builds: DEMO_CHIPS.map((chip) => ({
      chipFamily: chip,
      ...(kind === "blink" ? { improv: false } : {}),
      parts: parts[chip].map((p) => ({
        path: p.path,
        offset: p.offset,
        size: p.data.length,
        sha256: sha256Hex(p.data),
      })),
    })),
  };
}

export function otherDemoPartsByChip(kind: OtherDemoKind): Record<DemoChip, DemoPart[]> {
  return Object.fromEntries(DEMO_CHIPS.map((c) => [c, otherDemoParts(kind, c)])) as Record<DemoChip, DemoPart[]>;
}
