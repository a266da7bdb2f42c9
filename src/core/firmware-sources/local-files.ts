/**
 * Firmware from disk: a manifest with its parts (a folder, or all files picked together), one
 * merged image, or several images. What each file is comes from its bytes; offsets are proposed
 * from that and stay editable. The result goes through planInstall's checks like any download.
 */
import { chipFacts, PARTITION_TABLE_OFFSET, type ChipFamily } from "../image/chips";
import { hex } from "../image/bytes";
import { ESP8266_V2_MAGIC } from "../image/esp8266-image";
import { parseManifest } from "../manifest/parse";
import type { FirmwareManifest } from "../manifest/types";
import { FirmwareSourceError } from "./errors";
import { bootAppPartition, recogniseImage, type RecognisedImage } from "./recognise-image";
import { matchManifestParts } from "./local-manifest";
import { prepareLocalFiles } from "./build-folder";
import { isZip, unpackZip } from "./zip-archive";
import type { LoadedFirmware, LocalFile, LocalFirmwareAnalysis, LocalPartProposal } from "./types";

/** Where local parts pretend to live; never fetched (every part is in `files`). */
export const LOCAL_FILES_URL = "local-files:/";
const DEFAULT_APP_OFFSET = 0x10000;
/** Where the NONOS SDK's boot loader (and Arduino's eboot) start the app: right after their 4 KB slot. */
const ESP8266_APP_OFFSET = 0x1000;

function unrecognised(file: LocalFile, firstWord: number): FirmwareSourceError {
  const start = file.data.length < 4 ? `it is only ${file.data.length} bytes` : `it starts with ${hex(firstWord, 8)}`;
  return new FirmwareSourceError(
    "unrecognised-file",
    `${file.name} is not an ESP firmware image, a partition table or a manifest (${start}). Leave it out, or drop a manifest that says where it goes.`,
    { files: [file.name] },
  );
}

function conflicting(message: string, files: string[]): FirmwareSourceError {
  return new FirmwareSourceError("conflicting-files", message, { files });
}

/** The chip all images agree on; two different chips among the files is an error. */
function agreedChip(found: { file: LocalFile; chip: ChipFamily | null }[]): ChipFamily | null {
  const known = found.filter((f) => f.chip !== null);
  const first = known.at(0);
  const other = known.find((f) => f.chip !== first?.chip);
  if (first && other) {
    throw conflicting(
      `${first.file.name} is built for ${first.chip} but ${other.file.name} for ${other.chip}; use the files of one build for one chip.`,
      [first.file.name, other.file.name],
    );
  }
  return first?.chip ?? null;
}

function analyzeManifest(manifestFile: LocalFile, others: LocalFile[]): LocalFirmwareAnalysis {
  const text = new TextDecoder().decode(manifestFile.data);
  const { manifest } = parseManifest(text);
  const matched = matchManifestParts(manifestFile, manifest, others);
  const builds = [...new Set(matched.manifest.choices.flatMap((c) => c.builds))];
  const chips = [...new Set(builds.map((b) => b.chipFamily))];
  const byName = new Map(others.map((f) => [f.name, f]));
  const parts: LocalPartProposal[] = [];
  let appName: string | null = null;
  let appVersion: string | null = null;
  for (const build of builds) {
    for (const part of build.parts) {
      const name = matched.partFiles[part.path] as string | undefined;
      const file = name === undefined ? undefined : byName.get(name);
      if (!file) continue; // a full URL, downloaded at install
      const seen = recogniseImage(file.data);
      const kind = seen.kind === "unknown" ? "unknown" : seen.kind;
      if ((seen.kind === "app" || seen.kind === "merged") && seen.app && appName === null) {
        appName = seen.app.projectName;
        appVersion = seen.app.version;
      }
      parts.push({
        name: file.name,
        kind,
        offset: part.offset,
        size: file.data.length,
        reason: `${hex(part.offset)} as ${manifestFile.name} says for ${build.chipFamily} (${part.path}).`,
      });
    }
  }
  return {
    shape: "manifest",
    parts,
    chipFamily: chips.length === 1 ? chips[0] : null,
    appName: appName ?? (manifest.name || null),
    appVersion: appVersion ?? manifest.version ?? null,
    warnings: matched.warnings,
    manifest: matched.manifest,
    partFiles: matched.partFiles,
  };
}

function analyzeMerged(file: LocalFile, seen: Extract<RecognisedImage, { kind: "merged" }>): LocalFirmwareAnalysis {
  const warnings: string[] = [];
  if (!seen.chip)
    warnings.push(
      `The chip ${file.name} is built for cannot be read from its header; the install checks it against the board's chip.`,
    );
  const where =
    seen.chip === "ESP8266"
      ? "0x0, as complete ESP8266 builds are (the image the ROM loads first, the rest behind it)"
      : seen.writeAt === 0
        ? "0x0: it holds the bootloader, the partition table at 0x8000 and the app"
        : `${hex(seen.writeAt)}, the ${seen.chip} bootloader offset: it starts with the bootloader`;
  return {
    shape: "merged",
    parts: [
      {
        name: file.name,
        kind: "merged",
        offset: seen.writeAt,
        size: file.data.length,
        reason: `A merged image, written at ${where}.`,
      },
    ],
    chipFamily: seen.chip,
    appName: seen.app?.projectName ?? null,
    appVersion: seen.app?.version ?? null,
    warnings,
  };
}

function analyzeSplit(files: LocalFile[]): LocalFirmwareAnalysis {
  const seen = files.map((file) => ({ file, image: recogniseImage(file.data) }));
  for (const { file, image } of seen) if (image.kind === "unknown") throw unrecognised(file, image.firstWord);
  const merged = seen.filter((s) => s.image.kind === "merged");
  if (merged.length > 0) {
    throw conflicting(
      `${merged[0].file.name} is a merged image that already holds the bootloader, partition table and app; drop it alone, without ${seen.find((s) => s !== merged[0])?.file.name ?? "the other files"}.`,
      seen.map((s) => s.file.name),
    );
  }
  const ofKind = (kind: RecognisedImage["kind"]) => seen.filter((s) => s.image.kind === kind);
  for (const [kind, label] of [
    ["bootloader", "bootloaders"],
    ["partition-table", "partition tables"],
    ["app", "apps"],
  ] as const) {
    const list = ofKind(kind);
    if (list.length > 1) {
      throw conflicting(
        `${list.map((s) => s.file.name).join(" and ")} are both ${label}; a flash holds one. Leave out the one that is not part of this build.`,
        list.map((s) => s.file.name),
      );
    }
  }
  const chip = agreedChip(seen.map((s) => ({ file: s.file, chip: "chip" in s.image ? s.image.chip : null })));
  const warnings: string[] = [];
  const table = ofKind("partition-table").at(0);
  const entries = table && table.image.kind === "partition-table" ? table.image.entries : null;
  if (table && !entries)
    warnings.push(
      `${table.file.name} looks like a partition table but does not read as one; the install checks will say why.`,
    );
  const parts: LocalPartProposal[] = seen.map(({ file, image }): LocalPartProposal => {
    const size = file.data.length;
    if (image.kind === "bootloader") {
      if (!chip) {
        warnings.push(`The chip ${file.name} is for cannot be read from it; proposed at 0x0, check the offset.`);
        return {
          name: file.name,
          kind: "bootloader",
          offset: 0,
          size,
          reason: "A bootloader; its chip is unknown, so 0x0 is a guess.",
        };
      }
      const offset = chipFacts(chip).bootloaderOffset;
      return {
        name: file.name,
        kind: "bootloader",
        offset,
        size,
        reason: `The ${chip} bootloader, at ${hex(offset)} where the ${chip} ROM loads it.`,
      };
    }
    if (image.kind === "partition-table") {
      return {
        name: file.name,
        kind: "partition-table",
        offset: PARTITION_TABLE_OFFSET,
        size,
        reason: `The partition table, at ${hex(PARTITION_TABLE_OFFSET)} where the bootloader reads it.`,
      };
    }
    // The remaining kind is "app".
    const home = bootAppPartition(entries);
    if (home)
      return {
        name: file.name,
        kind: "app",
        offset: home.offset,
        size,
        reason: `The app, at ${hex(home.offset)}: partition "${home.label}" in ${table?.file.name ?? "the partition table"}.`,
      };
    if (chip === "ESP8266" && file.data[0] === ESP8266_V2_MAGIC) {
      return {
        name: file.name,
        kind: "app",
        offset: ESP8266_APP_OFFSET,
        size,
        reason: `An ESP8266 NONOS app (v2 image), at ${hex(ESP8266_APP_OFFSET)} behind the boot loader at 0x0.`,
      };
    }
    warnings.push(
      `No partition table is among the files, so ${file.name} is proposed at ${hex(DEFAULT_APP_OFFSET)}, where ESP-IDF's default tables put the app; check it against the table on the board.`,
    );
    return {
      name: file.name,
      kind: "app",
      offset: DEFAULT_APP_OFFSET,
      size,
      reason: `The app, at ${hex(DEFAULT_APP_OFFSET)} (ESP-IDF's default app partition; no table among the files).`,
    };
  });
  const app = seen.map((s) => (s.image.kind === "app" ? s.image.app : null)).find((a) => a) ?? null;
  return {
    shape: "split",
    parts: parts.sort((a, b) => a.offset - b.offset),
    chipFamily: chip,
    appName: app?.projectName ?? null,
    appVersion: app?.version ?? null,
    warnings,
  };
}

/** Recognises what each file is and proposes offsets; throws FirmwareSourceError on bad input. */
export async function analyzeLocalFiles(files: LocalFile[]): Promise<LocalFirmwareAnalysis> {
  if (files.length === 0)
    throw new FirmwareSourceError(
      "unrecognised-file",
      "No files were given; pick a manifest with its parts, a merged .bin, or the .bin files of one build.",
    );
  const empty = files.find((f) => f.data.length === 0);
  if (empty)
    throw new FirmwareSourceError(
      "unrecognised-file",
      `${empty.name} is empty; pick the file again (a download may not have finished).`,
      { files: [empty.name] },
    );
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name)) throw conflicting(`${f.name} was given twice; pick each file once.`, [f.name]);
    names.add(f.name);
  }
  // Archives unpacked, flasher_args.json made a manifest, files that are not firmware named or left out.
  const prepared = prepareLocalFiles(files);
  const manifests = prepared.manifests;
  if (manifests.length > 1)
    throw conflicting(
      `${manifests.map((f) => f.name).join(" and ")} are both manifests; pick one manifest with its parts.`,
      manifests.map((f) => f.name),
    );
  const analysis = analyzeImages(manifests[0], prepared.files);
  return { ...analysis, warnings: [...prepared.warnings, ...analysis.warnings] };
}

function analyzeImages(manifest: LocalFile | undefined, files: LocalFile[]): LocalFirmwareAnalysis {
  if (manifest) return analyzeManifest(manifest, files);
  if (files.length === 1) {
    const image = recogniseImage(files[0].data);
    if (image.kind === "merged") return analyzeMerged(files[0], image);
  }
  return analyzeSplit(files);
}

/**
 * A LoadedFirmware with a synthesized manifest and the files in memory. `offsets` (by file name)
 * overrides the proposed offsets for merged and split files; a manifest's offsets are its own.
 */
export function localFirmware(
  files: LocalFile[],
  analysis: LocalFirmwareAnalysis,
  offsets: Record<string, number> = {},
): LoadedFirmware {
  // Parts picked inside a ZIP are named by their path in it (the analysis unpacked it the same way).
  const byName = new Map(files.flatMap((f) => (isZip(f.data) ? unpackZip(f) : [f])).map((f) => [f.name, f.data]));
  const origin = { kind: "local-files" as const, names: files.map((f) => f.name) };
  if (analysis.shape === "manifest") {
    if (!analysis.manifest || !analysis.partFiles)
      throw new FirmwareSourceError("missing-part", "The manifest's analysis is incomplete; analyse the files again.");
    const parts = new Map<string, Uint8Array>();
    for (const [path, name] of Object.entries(analysis.partFiles)) {
      const data = byName.get(name);
      if (!data)
        throw new FirmwareSourceError(
          "missing-part",
          `${name} (${path} in the manifest) is no longer among the files; pick it again.`,
          { files: [name] },
        );
      parts.set(path, data);
    }
    return { manifest: analysis.manifest, manifestUrl: LOCAL_FILES_URL, files: parts, origin };
  }
  if (!analysis.chipFamily) {
    throw new FirmwareSourceError(
      "unrecognised-file",
      "The chip these files are for cannot be told from them; choose the chip family before installing.",
      { files: origin.names },
    );
  }
  const partData = new Map<string, Uint8Array>();
  const parts = analysis.parts.map((p) => {
    const data = byName.get(p.name);
    if (!data)
      throw new FirmwareSourceError("missing-part", `${p.name} is no longer among the files; pick it again.`, {
        files: [p.name],
      });
    const offset = offsets[p.name] ?? p.offset;
    if (!Number.isInteger(offset) || offset < 0)
      throw new FirmwareSourceError(
        "unrecognised-file",
        `The offset for ${p.name} must be a whole number of bytes (like 0x10000), not ${String(offset)}.`,
        { files: [p.name] },
      );
    partData.set(p.name, data);
    return { path: p.name, offset, size: data.length };
  });
  const raw = {
    name: analysis.appName ?? "Firmware from files",
    version: analysis.appVersion ?? "unknown",
    new_install_prompt_erase: true,
    builds: [{ chipFamily: analysis.chipFamily, parts }],
  };
  const manifest: FirmwareManifest = parseManifest(raw).manifest;
  return {
    manifest,
    manifestUrl: LOCAL_FILES_URL,
    files: partData,
    origin,
  };
}
