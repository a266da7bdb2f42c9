/**
 * Which of the dropped files each manifest part is. A folder keeps the manifest's relative paths
 * ("release/esp32s3/bootloader.bin"); files picked together keep only their names, so a name
 * alone matches when it is unambiguous and, for an image, built for the build's chip.
 */
import type { FirmwareManifest, ManifestBuild } from "../manifest/types";
import { FirmwareSourceError } from "./errors";
import { imageChip } from "./recognise-image";
import type { LocalFile } from "./types";

export interface MatchedManifest {
  /** Only the builds whose parts were all found (or are full URLs to download). */
  manifest: FirmwareManifest;
  partFiles: Record<string, string>;
  warnings: string[];
}

const baseName = (name: string) => name.slice(name.lastIndexOf("/") + 1);
const isUrl = (path: string) => /^[a-z][a-z0-9+.-]*:/i.test(path);

function findFile(path: string, build: ManifestBuild, dir: string, files: LocalFile[]): LocalFile | null {
  const rel = path.replace(/^\.\//, "");
  const exact =
    files.find((f) => f.name === dir + rel) ??
    files.find((f) => f.name === rel) ??
    files.find((f) => f.name.endsWith("/" + rel));
  if (exact) return exact;
  const sameName = files.filter((f) => baseName(f.name) === baseName(rel));
  if (sameName.length !== 1) return null;
  const chip = imageChip(sameName[0].data);
  return chip === null || chip === build.chipFamily ? sameName[0] : null;
}

export function matchManifestParts(
  manifestFile: LocalFile,
  manifest: FirmwareManifest,
  files: LocalFile[],
): MatchedManifest {
  const dir = manifestFile.name.includes("/") ? manifestFile.name.slice(0, manifestFile.name.lastIndexOf("/") + 1) : "";
  const partFiles: Record<string, string> = {};
  const warnings: string[] = [];
  const missingByBuild = new Map<ManifestBuild, string[]>();
  const used = new Set<string>();
  for (const build of [...manifest.builds, ...manifest.choices.flatMap((c) => c.builds)]) {
    if (missingByBuild.has(build)) continue;
    const missing: string[] = [];
    for (const part of build.parts) {
      const file = findFile(part.path, build, dir, files);
      if (file) {
        partFiles[part.path] = file.name;
        used.add(file.name);
      } else if (isUrl(part.path)) {
        warnings.push(`${part.path} is not among the files; it will be downloaded.`);
      } else {
        missing.push(part.path);
      }
    }
    missingByBuild.set(build, missing);
  }
  const complete = (b: ManifestBuild) => missingByBuild.get(b)?.length === 0;
  if (![...missingByBuild.keys()].some(complete)) {
    const [build, missing] = [...missingByBuild.entries()].sort((a, b) => a[1].length - b[1].length)[0];
    throw new FirmwareSourceError(
      "missing-part",
      `${manifestFile.name} names ${missing.join(", ")} for ${build.chipFamily}, but ${missing.length === 1 ? "that file was" : "those files were"} not given. Pick the manifest's whole folder, or all of its files together.`,
      { files: missing },
    );
  }
  for (const [build, missing] of missingByBuild) {
    if (missing.length > 0)
      warnings.push(
        `The ${build.chipFamily} build is left out: ${missing.join(", ")} ${missing.length === 1 ? "was" : "were"} not given.`,
      );
  }
  const unused = files.filter((f) => !used.has(f.name));
  if (unused.length > 0)
    warnings.push(`Not named by the manifest, so not written: ${unused.map((f) => f.name).join(", ")}.`);
  const choices = manifest.choices
    .map((c) => ({ ...c, builds: c.builds.filter(complete) }))
    .filter((c) => c.builds.length > 0);
  // Part paths of dropped builds may have been matched by name; keep only those still used.
  const kept = new Set(
    [...manifest.builds, ...choices.flatMap((c) => c.builds)]
      .filter(complete)
      .flatMap((b) => b.parts.map((p) => p.path)),
  );
  const keptFiles = Object.fromEntries(Object.entries(partFiles).filter(([path]) => kept.has(path)));
  return {
    manifest: { ...manifest, builds: manifest.builds.filter(complete), choices },
    partFiles: keptFiles,
    warnings,
  };
}
