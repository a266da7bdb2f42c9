// Node-only: `pydirect-portal check`, every portal check run over a manifest and all its parts.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PortalError } from "../core/errors";
import { isChipFamily, type ChipFamily } from "../core/image/chips";
import { detectImageChip } from "../core/image/detect-chip";
import { checkFirmware, type CheckedPart } from "../core/image/check-firmware";
import { partitionUsage } from "../core/image/partition-table";
import { downloadPart } from "../core/download/download";
import { parseManifest } from "../core/manifest/parse";
import { ManifestError } from "../core/manifest/errors";
import type { ManifestBuild, ManifestPart } from "../core/manifest/types";
import { identifyWrongFile, wrongFileSentence } from "../core/image/wrong-file";
import { recogniseImage } from "../core/firmware-sources/recognise-image";
import { isFlasherArgsFile, manifestFromFlasherArgs } from "../core/firmware-sources/flasher-args";

export interface CheckOptions {
  json?: boolean;
  chip?: string;
}

export interface Finding {
  level: "ok" | "warning" | "error";
  /** "manifest", or "<chipFamily>[/<serialType>] <version>" for a build. */
  scope: string;
  part?: string;
  code?: string;
  message: string;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const kb = (n: number) => `${n.toLocaleString("en-US")} B`;

async function loadText(target: string): Promise<string> {
  if (isUrl(target)) {
    const res = await fetch(target);
    if (!res.ok) throw new PortalError("manifest-fetch-failed", `${target} answered ${res.status} ${res.statusText}.`);
    return res.text();
  }
  return readFile(target, "utf8");
}

async function loadPart(manifestTarget: string, part: ManifestPart): Promise<Uint8Array> {
  const remote = isUrl(part.path) || isUrl(manifestTarget);
  if (remote) {
    const url = new URL(part.path, isUrl(manifestTarget) ? manifestTarget : pathToFileURL(resolve(manifestTarget)))
      .href;
    return (await downloadPart({ name: part.path, url }, 0)).data;
  }
  try {
    return new Uint8Array(await readFile(resolve(dirname(manifestTarget), part.path)));
  } catch (err) {
    throw new PortalError(
      "part-missing",
      `${part.path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); the manifest points at a file that is not there.`,
      { cause: err },
    );
  }
}

function describePart(c: CheckedPart): string {
  const at = `@0x${c.offset.toString(16)}`;
  if (c.summary) return `${at} ${c.summary}`;
  if (c.kind === "bootloader" && c.image) {
    const inside = c.app ? `; contains app "${c.app.projectName}" ${c.app.version} (ESP-IDF ${c.app.idfVersion})` : "";
    return `${at} ${c.app ? "merged image: " : ""}bootloader, ${c.image.segmentCount} segments, ${c.image.flashMode} ${c.image.flashFreq} ${c.image.flashSize / 1048576}MB, chip ${c.image.chip}${inside}`;
  }
  if (c.kind === "partition-table" && c.partitionTable) {
    const list = c.partitionTable.entries
      .map((e) => `${e.label} (${partitionUsage(e)}) 0x${e.offset.toString(16)}+0x${e.size.toString(16)}`)
      .join(", ");
    return `${at} partition table, ${c.partitionTable.md5 ? "MD5 ok" : "no MD5 entry"}: ${list}`;
  }
  if (c.kind === "app" && c.image) {
    const what = c.app
      ? `app "${c.app.projectName}" ${c.app.version} (ESP-IDF ${c.app.idfVersion}, built ${c.app.date} ${c.app.time})`
      : "app";
    const room = c.partition
      ? `, ${kb(c.image.length)} of ${kb(c.partition.size)} (${Math.round((100 * c.image.length) / c.partition.size)}%) in "${c.partition.label}"`
      : "";
    return `${at} ${what}, ${c.image.segmentCount} segments, chip ${c.image.chip}${c.image.digest ? ", SHA-256 digest ok" : ""}${room}`;
  }
  return `${at} data, ${kb(c.size)}${c.partition ? ` in "${c.partition.label}"` : ""}`;
}

async function checkBuild(target: string, build: ManifestBuild, scope: string, findings: Finding[]): Promise<void> {
  const parts: { name: string; offset: number; data: Uint8Array; sha256?: string; size?: number }[] = [];
  for (const p of build.parts) {
    try {
      const data = await loadPart(target, p);
      parts.push({
        name: p.path,
        offset: p.offset,
        data,
        ...(p.sha256 ? { sha256: p.sha256 } : {}),
        ...(p.size ? { size: p.size } : {}),
      });
    } catch (err) {
      findings.push({
        level: "error",
        scope,
        part: p.path,
        code: err instanceof PortalError ? err.code : "part-missing",
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }
  if (parts.length === 0) return;
  report(checkFirmware(parts, { family: build.chipFamily, flashSize: build.flashSize ?? null }), scope, findings);
  // The firmware recipe's single-file image ("merged": {path, offset}) gets the same checks.
  const merged = build["merged"] as { path?: unknown; offset?: unknown } | undefined;
  if (merged && typeof merged.path === "string" && typeof merged.offset === "number") {
    const part = { path: merged.path, offset: merged.offset };
    try {
      const data = await loadPart(target, part);
      report(
        checkFirmware([{ name: part.path, offset: part.offset, data }], {
          family: build.chipFamily,
          flashSize: build.flashSize ?? null,
        }),
        scope,
        findings,
      );
    } catch (err) {
      findings.push({
        level: "error",
        scope,
        part: part.path,
        code: err instanceof PortalError ? err.code : "part-missing",
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

function report(result: ReturnType<typeof checkFirmware>, scope: string, findings: Finding[]): void {
  const failed = new Set(result.errors.map((e) => e.part));
  for (const c of result.parts) {
    if (!failed.has(c.name))
      findings.push({ level: "ok", scope, part: c.name, message: `${c.name} ${describePart(c)}` });
  }
  for (const e of result.errors)
    findings.push({ level: "error", scope, ...(e.part ? { part: e.part } : {}), code: e.code, message: e.message });
  for (const w of result.warnings) findings.push({ level: "warning", scope, message: w });
}

/** A single image file written at 0x0 (a merged build); the chip comes from --chip or the image's own headers. */
async function checkImageFile(target: string, chip: ChipFamily | undefined, findings: Finding[]): Promise<void> {
  let data: Uint8Array;
  try {
    data = isUrl(target)
      ? (await downloadPart({ name: target, url: target }, 0)).data
      : new Uint8Array(await readFile(target));
  } catch (err) {
    findings.push({
      level: "error",
      scope: "image",
      code: err instanceof PortalError ? err.code : "part-missing",
      message: `${target} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    });
    return;
  }
  const family = chip ?? detectImageChip(data);
  const wrong = family ? null : identifyWrongFile(target, data);
  if (wrong) {
    findings.push({ level: "error", scope: "image", code: wrong.code, message: wrongFileSentence(target, wrong) });
    return;
  }
  if (!family) {
    findings.push({
      level: "error",
      scope: "image",
      code: "image-bad-magic",
      message: `${target} names no chip in its headers (no ESP bootloader where a chip's ROM looks for one, no ESP8266 image at 0x0); give the chip with --chip <family>.`,
    });
    return;
  }
  const name = target.split(/[\\/]/).pop() ?? target;
  findings.push({
    level: "ok",
    scope: `${family} image`,
    message: `${name}: ${data.length.toLocaleString("en-US")} bytes written at 0x0, built for ${family}${chip ? " (--chip)" : " (from its headers)"}`,
  });
  report(checkFirmware([{ name, offset: 0, data }], { family }), `${family} image`, findings);
}

/** Checks a manifest and every part of every build (or one .bin image at 0x0); returns the exit code. */
export async function runCheck(target: string, options: CheckOptions, out: (line: string) => void): Promise<number> {
  const findings: Finding[] = [];
  if (options.chip !== undefined && !isChipFamily(options.chip)) {
    out(`--chip ${options.chip} is not a chip family (ESP32, ESP32-S3, ESP32-C3, ...)`);
    return 2;
  }
  // A file picked by mistake (an ELF, a UF2, a partition CSV…) is named as what it is.
  const local = isUrl(target) ? null : await readFile(target).catch(() => null);
  const wrong =
    local && !/\.bin$/i.test(target) && recogniseImage(local).kind === "unknown"
      ? identifyWrongFile(target, local)
      : null;
  if (wrong) {
    findings.push({ level: "error", scope: "file", code: wrong.code, message: wrongFileSentence(target, wrong) });
  } else if (/\.bin$/i.test(target) || (local && recogniseImage(local).kind !== "unknown")) {
    await checkImageFile(target, options.chip, findings);
  } else
    try {
      // ESP-IDF's flasher_args.json lists a build's files and offsets: checked as the manifest it amounts to.
      const asFile = local ? { name: target, data: new Uint8Array(local) } : null;
      const text =
        asFile && isFlasherArgsFile(asFile)
          ? new TextDecoder().decode(manifestFromFlasherArgs(asFile, []).manifest.data)
          : await loadText(target);
      const { manifest, warnings } = parseManifest(text);
      const builds = manifest.choices.reduce((n, c) => n + c.builds.length, 0);
      findings.push({
        level: "ok",
        scope: "manifest",
        message: `"${manifest.name}" ${manifest.version ?? "(no version)"}: ${manifest.choices.length} firmware choice(s), ${builds} build(s)`,
      });
      for (const w of warnings)
        findings.push({ level: "warning", scope: "manifest", message: `${w.path} ${w.message}` });
      for (const choice of manifest.choices) {
        for (const build of choice.builds) {
          if (options.chip && build.chipFamily !== options.chip) continue;
          const scope =
            `${build.chipFamily}${build.serialType ? `/${build.serialType}` : ""} ${choice.version || ""}`.trim();
          await checkBuild(target, build, scope, findings);
        }
      }
    } catch (err) {
      const issues = err instanceof ManifestError ? err.issues : [];
      if (issues.length > 0) {
        for (const i of issues)
          findings.push({
            level: i.severity,
            scope: "manifest",
            code: (err as ManifestError).code,
            message: `${i.path || "(root)"} ${i.message}`,
          });
      } else if (err instanceof PortalError) {
        findings.push({ level: "error", scope: "manifest", code: err.code, message: err.message });
      } else {
        findings.push({
          level: "error",
          scope: "manifest",
          code: "manifest-unreadable",
          message: `${target} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
  const errors = findings.filter((f) => f.level === "error").length;
  const warnings = findings.filter((f) => f.level === "warning").length;
  if (options.json) {
    out(JSON.stringify({ manifest: target, ok: errors === 0, errors, warnings, findings }, null, 2));
  } else {
    out(`pydirect-portal check ${target}`);
    let scope = "";
    for (const f of findings) {
      if (f.scope !== scope) {
        scope = f.scope;
        out(
          scope === "manifest" || scope.endsWith(" image") || scope === "image" || scope === "file"
            ? scope
            : `build ${scope}`,
        );
      }
      const tag = f.level === "ok" ? "  ok    " : f.level === "warning" ? "  warn  " : `  ERROR ${f.code ?? ""} `;
      out(tag + f.message);
    }
    out(
      errors === 0 ? `passed: no errors, ${warnings} warning(s)` : `FAILED: ${errors} error(s), ${warnings} warning(s)`,
    );
  }
  return errors === 0 ? 0 : 1;
}
