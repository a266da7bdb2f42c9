/**
 * Before local files are analysed: ZIP archives are unpacked (zip-archive.ts), ESP-IDF's
 * flasher_args.json becomes a manifest (flasher-args.ts), and files that are not firmware are named
 * (image/wrong-file.ts). A folder or an archive brings the whole build along (ELF, map, object
 * files, settings): there the firmware is kept and the rest left out with a note; a file picked on
 * its own that is not firmware is refused with a sentence saying what it is and what to pick.
 */
import { identifyWrongFile, isManifestJson, wrongFileSentence } from "../image/wrong-file";
import { FirmwareSourceError } from "./errors";
import { isFlasherArgsFile, manifestFromFlasherArgs } from "./flasher-args";
import { recogniseImage } from "./recognise-image";
import type { LocalFile } from "./types";
import { isZip, unpackZip } from "./zip-archive";

export interface PreparedFiles {
  /** Manifests (ESP Web Tools JSON, or one made from flasher_args.json). */
  manifests: LocalFile[];
  /** Everything else that goes on to analysis. */
  files: LocalFile[];
  warnings: string[];
}

export const isManifestCandidate = (f: LocalFile) =>
  /\.json$/i.test(f.name) || (f.data[0] === 0x7b /* { */ && !/\.bin$/i.test(f.name));

function parsesAsOtherJson(file: LocalFile): boolean {
  try {
    return !isManifestJson(JSON.parse(new TextDecoder().decode(file.data)));
  } catch {
    // Not JSON at all: the manifest parser says where it breaks.
    return false;
  }
}

export function wrongFileError(file: LocalFile): FirmwareSourceError | null {
  const wrong = identifyWrongFile(file.name, file.data);
  return wrong
    ? new FirmwareSourceError(wrong.code, wrongFileSentence(file.name, wrong), { files: [file.name] })
    : null;
}

const listed = (files: LocalFile[]) => files.map((f) => f.name).join(", ");

/** Unpack archives, turn flasher_args.json into a manifest, and name or leave out what is not firmware. */
export function prepareLocalFiles(input: LocalFile[]): PreparedFiles {
  const warnings: string[] = [];
  // Files from a folder carry its path; an archive is a folder too. Picked one by one, they do not.
  let bulk = input.some((f) => f.name.includes("/"));
  const files: LocalFile[] = [];
  for (const f of input) {
    if (!isZip(f.data)) {
      files.push(f);
      continue;
    }
    const entries = unpackZip(f);
    if (entries.length === 0)
      throw new FirmwareSourceError("zip-file", `${f.name} is an empty ZIP archive; pick the firmware files.`, {
        files: [f.name],
      });
    warnings.push(`Unpacked ${f.name} (${entries.length} file${entries.length === 1 ? "" : "s"}).`);
    files.push(...entries);
    bulk = true;
  }
  const candidates = files.filter(isManifestCandidate);
  const flasherArgs = candidates.filter(isFlasherArgsFile);
  const otherJson = candidates.filter((f) => !flasherArgs.includes(f) && parsesAsOtherJson(f));
  let manifests = candidates.filter((f) => !flasherArgs.includes(f) && !otherJson.includes(f));
  const rest = files.filter((f) => !candidates.includes(f));
  if (manifests.length === 0 && flasherArgs.length > 0) {
    manifests = flasherArgs.map((f) => {
      const made = manifestFromFlasherArgs(f, rest);
      warnings.push(
        `Using ${f.name}, ESP-IDF's list of this build's files and offsets, as the manifest.`,
        ...made.warnings,
      );
      return made.manifest;
    });
  } else if (flasherArgs.length > 0) {
    warnings.push(`Left out ${listed(flasherArgs)}: the manifest says what to write.`);
  }
  if (otherJson.length > 0) {
    const named = !bulk || (manifests.length === 0 && rest.length === 0) ? wrongFileError(otherJson[0]) : null;
    if (named) throw named;
    warnings.push(`Left out ${listed(otherJson)}: JSON files that are not firmware manifests.`);
  }
  if (manifests.length > 0) return { manifests, files: rest, warnings };
  return { manifests, files: siftImages(rest, bulk, warnings), warnings };
}

/**
 * Among images: in a folder or archive keep the firmware and leave the rest out (a merged image,
 * when there is one, alone); picked files that are not firmware are refused, each named.
 */
function siftImages(files: LocalFile[], bulk: boolean, warnings: string[]): LocalFile[] {
  const seen = files.map((file) => ({ file, kind: recogniseImage(file.data).kind }));
  const firmware = seen.filter((s) => s.kind !== "unknown");
  const notFirmware = seen.filter((s) => s.kind === "unknown").map((s) => s.file);
  const hasApp = firmware.some((s) => s.kind === "app" || s.kind === "merged");
  if (notFirmware.length > 0 && !(bulk && hasApp)) {
    const named = notFirmware.map(wrongFileError).find((e) => e !== null);
    // Unnamed unknown files keep the analysis' own "unrecognised-file" error.
    if (named) throw named;
    return files;
  }
  if (notFirmware.length > 0) warnings.push(`Left out ${listed(notFirmware)}: not firmware images.`);
  const merged = firmware.filter((s) => s.kind === "merged");
  if (bulk && merged.length === 1 && firmware.length > 1) {
    warnings.push(
      `Using ${merged[0].file.name}, the merged image (bootloader, partition table and app in one); ${listed(firmware.filter((s) => s !== merged[0]).map((s) => s.file))} left out.`,
    );
    return [merged[0].file];
  }
  return firmware.map((s) => s.file);
}
