/**
 * ESP-IDF's build/flasher_args.json as a manifest source: it lists every file of the build with the
 * offset `idf.py flash` writes it at ("flash_files": {"0x0": "bootloader/bootloader.bin", …}) and
 * the chip (`extra_esptool_args.chip`). Paths are relative to the build folder, as a manifest's are
 * to the manifest, so the synthesized manifest keeps the file's name and its parts match the same way.
 */
import { CHIP_FAMILIES, chipFacts, type ChipFamily } from "../image/chips";
import { isFlasherArgs } from "../image/wrong-file";
import { FirmwareSourceError } from "./errors";
import { imageChip } from "./recognise-image";
import type { LocalFile } from "./types";

export function isFlasherArgsFile(file: LocalFile): boolean {
  if (!/\.json$/i.test(file.name) || file.data[0] !== 0x7b) return false;
  try {
    return isFlasherArgs(JSON.parse(new TextDecoder().decode(file.data)));
  } catch {
    return false;
  }
}

interface FlasherArgs {
  flash_files: Record<string, unknown>;
  extra_esptool_args?: { chip?: unknown };
  app?: { file?: unknown };
  [section: string]: unknown;
}

const baseName = (name: string) => name.slice(name.lastIndexOf("/") + 1);

/** The manifest (as a LocalFile under the same name) this flasher_args.json describes, and what to tell the user. */
export function manifestFromFlasherArgs(
  file: LocalFile,
  others: LocalFile[],
): { manifest: LocalFile; warnings: string[] } {
  const args = JSON.parse(new TextDecoder().decode(file.data)) as FlasherArgs;
  const parts = Object.entries(args.flash_files).map(([offset, path]) => ({ offset: Number(offset), path }));
  if (parts.length === 0 || parts.some((p) => !Number.isInteger(p.offset) || typeof p.path !== "string")) {
    throw new FirmwareSourceError(
      "json-not-manifest",
      `${file.name} is ESP-IDF's flasher_args.json, but its "flash_files" do not read as offsets and files; build the project again.`,
      { files: [file.name] },
    );
  }
  const chipArg = args.extra_esptool_args?.chip;
  let chip: ChipFamily | null =
    typeof chipArg === "string" ? (CHIP_FAMILIES.find((f) => chipFacts(f).romName === chipArg) ?? null) : null;
  if (!chip) {
    // Older ESP-IDF versions leave the chip out: the bootloader's own header names it.
    const lowest = [...parts].sort((a, b) => a.offset - b.offset)[0];
    const image = others.find((f) => f.name.endsWith(String(lowest.path)));
    chip = image ? imageChip(image.data) : null;
  }
  if (!chip) {
    throw new FirmwareSourceError(
      "json-not-manifest",
      `${file.name} does not say which chip the build is for; pick it with its whole build folder, bootloader included.`,
      { files: [file.name] },
    );
  }
  const warnings: string[] = [];
  const encrypted = Object.values(args).some(
    (section) =>
      typeof section === "object" && section !== null && (section as { encrypted?: unknown }).encrypted === "true",
  );
  if (encrypted)
    warnings.push(
      `${file.name} marks parts of this build to be written encrypted (flash encryption); the portal writes plain images, so a board with flash encryption on is refused.`,
    );
  const app = typeof args.app?.file === "string" ? baseName(args.app.file).replace(/\.bin$/i, "") : null;
  const manifest = {
    name: app ?? "ESP-IDF build",
    builds: [{ chipFamily: chip, parts: parts.map((p) => ({ path: p.path, offset: p.offset })) }],
  };
  return { manifest: { name: file.name, data: new TextEncoder().encode(JSON.stringify(manifest)) }, warnings };
}
