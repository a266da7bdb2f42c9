/**
 * Demo firmware that is not the portal's pyDirect image, for the flow after an install: an Improv
 * Wi-Fi Serial device (ESPHome-like), ESP-IDF's blink example (no Wi-Fi set-up over USB), and an
 * image shaped like upstream pyDirect's (jetpax/pyDirect) whose scripts are OUR look-alikes from
 * test/fixtures/upstream-device (frozen by scripts/freeze-device-scripts.ts). Same boot loader and
 * partition table as the pyDirect demo; the app's description names the project, which is what
 * the virtual board runs (src/demo/virtual-port.ts `demoBoardFirmware`). Pure: no file system.
 */
import { sha256Hex } from "../../src/core/image/bytes";
import {
  DEMO_BLINK_PROJECT,
  DEMO_IMPROV_PROJECT,
  DEMO_UPSTREAM_PROJECT,
  DEMO_UPSTREAM_VERSION,
} from "../../src/demo/virtual-port";
import {
  DEMO_CHIPS,
  makeDemoApp,
  makeDemoBootloader,
  makeDemoPartitionTable,
  type DemoChip,
  type DemoPart,
} from "./demo-firmware";
import { chipFacts } from "../../src/core/image/chips";

export type OtherDemoKind = "improv" | "blink" | "upstream";

export const OTHER_DEMO_KINDS: readonly OtherDemoKind[] = ["improv", "blink", "upstream"];

const PROJECT: Record<OtherDemoKind, string> = {
  improv: DEMO_IMPROV_PROJECT,
  blink: DEMO_BLINK_PROJECT,
  upstream: DEMO_UPSTREAM_PROJECT,
};

const VERSION: Record<OtherDemoKind, string> = { improv: "1.0.0", blink: "1.0.0", upstream: DEMO_UPSTREAM_VERSION };

const NAME: Record<OtherDemoKind, string> = {
  improv: "Improv demo firmware",
  blink: "Blink demo firmware",
  upstream: "Upstream pyDirect look-alike (demo)",
};

/**
 * The chips each kind is built for: the upstream look-alike models the ESP32-S3 image (its INFO
 * log level and modules, src/virtual-board/upstream/upstream-app.ts).
 */
export const OTHER_DEMO_CHIPS: Record<OtherDemoKind, readonly DemoChip[]> = {
  improv: DEMO_CHIPS,
  blink: DEMO_CHIPS,
  upstream: ["ESP32-S3"],
};

export function otherDemoParts(kind: OtherDemoKind, chip: DemoChip): DemoPart[] {
  const dir = chip.toLowerCase().replace("-", "");
  return [
    { path: `${dir}/bootloader.bin`, offset: chipFacts(chip).bootloaderOffset, data: makeDemoBootloader(chip) },
    { path: `${dir}/partition-table.bin`, offset: 0x8000, data: makeDemoPartitionTable() },
    {
      path: `${dir}/${kind}.bin`,
      offset: 0x10000,
      data: makeDemoApp(chip, { projectName: PROJECT[kind], version: VERSION[kind], codeSize: 64 * 1024 }),
    },
  ];
}

/**
 * The Improv demo leaves `new_install_improv_wait_time` out (ESP Web Tools' default, 10 s); blink's
 * builds say `"improv": false`, as a manifest for firmware without Improv may.
 */
export function otherDemoManifest(
  kind: OtherDemoKind,
  parts: Partial<Record<DemoChip, DemoPart[]>>,
): Record<string, unknown> {
  return {
    name: NAME[kind],
    version: VERSION[kind],
    virtual_board_only: true,
    new_install_prompt_erase: false,
    builds: OTHER_DEMO_CHIPS[kind].map((chip) => ({
      chipFamily: chip,
      ...(kind === "blink" ? { improv: false } : {}),
      parts: (parts[chip] ?? []).map((p) => ({
        path: p.path,
        offset: p.offset,
        size: p.data.length,
        sha256: sha256Hex(p.data),
      })),
    })),
  };
}

export function otherDemoPartsByChip(kind: OtherDemoKind): Partial<Record<DemoChip, DemoPart[]>> {
  return Object.fromEntries(OTHER_DEMO_CHIPS[kind].map((c) => [c, otherDemoParts(kind, c)]));
}
