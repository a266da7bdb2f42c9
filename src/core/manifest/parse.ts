import { CHIP_FAMILIES, isChipFamily } from "../image/chips";
import { ManifestError } from "./errors";
import { CONSOLE_CONNECTORS } from "./types";
import type {
  ConsoleConnector,
  FirmwareChoice,
  FirmwareManifest,
  ManifestBuild,
  ManifestIssue,
  ManifestPart,
  ReleaseChannel,
} from "./types";

type Json = Record<string, unknown>;

/** Flash is erased in 4 KB sectors: a part at another offset would wipe the end of its neighbour. */
const SECTOR = 0x1000;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const REVISION = /^v?(\d+)\.(\d+)$/;
const FLASH_SIZE = /^(\d+)\s*(KB|MB)$/i;

class IssueList {
  readonly all: ManifestIssue[] = [];
  error(path: string, message: string): void {
    this.all.push({ path, message, severity: "error" });
  }
  warn(path: string, message: string): void {
    this.all.push({ path, message, severity: "warning" });
  }
  get errors(): ManifestIssue[] {
    return this.all.filter((i) => i.severity === "error");
  }
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const describe = (v: unknown): string =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "an array"
      : typeof v === "string"
        ? `the string ${JSON.stringify(v)}`
        : `${typeof v} ${JSON.stringify(v)}`;

function optionalString(obj: Json, key: string, path: string, issues: IssueList): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") {
    issues.error(`${path}/${key}`, `must be a string, not ${describe(v)}`);
    return undefined;
  }
  return v;
}

function optionalBoolean(obj: Json, key: string, path: string, issues: IssueList): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") {
    issues.error(`${path}/${key}`, `must be true or false, not ${describe(v)}`);
    return undefined;
  }
  return v;
}

function channel(obj: Json, path: string, issues: IssueList): ReleaseChannel | undefined {
  const v = obj["channel"];
  if (v === undefined) return undefined;
  if (v !== "stable" && v !== "beta") {
    issues.error(`${path}/channel`, `must be "stable" or "beta", not ${describe(v)}`);
    return undefined;
  }
  return v;
}

/** Offsets appear as numbers (ESP Web Tools) and sometimes as "0x10000" strings; both are accepted. */
function parseOffset(v: unknown, path: string, issues: IssueList): number | undefined {
  let n: number | undefined;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && /^(0x[0-9a-f]+|\d+)$/i.test(v.trim())) n = Number(v.trim());
  if (n === undefined || !Number.isInteger(n) || n < 0) {
    issues.error(
      path,
      v === undefined
        ? "is required: the flash address to write the part to"
        : `must be a non-negative integer or a hex string like "0x10000", not ${describe(v)}`,
    );
    return undefined;
  }
  if (n % SECTOR !== 0) {
    issues.error(
      path,
      `0x${n.toString(16)} is not a multiple of 0x1000; flash is erased in 4 KB sectors, so the part would wipe part of its neighbour`,
    );
    return undefined;
  }
  return n;
}

function parseRevision(v: unknown, path: string, issues: IssueList): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  const m = typeof v === "string" ? REVISION.exec(v.trim()) : null;
  if (!m) {
    issues.error(path, `must be a chip revision like "v3.0" (or major*100+minor as a number), not ${describe(v)}`);
    return undefined;
  }
  return Number(m[1]) * 100 + Number(m[2]);
}

function parseFlashSize(v: unknown, path: string, issues: IssueList): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  const m = typeof v === "string" ? FLASH_SIZE.exec(v.trim()) : null;
  if (!m) {
    issues.error(path, `must be a flash size like "4MB" or a number of bytes, not ${describe(v)}`);
    return undefined;
  }
  return Number(m[1]) * (m[2].toUpperCase() === "MB" ? 1048576 : 1024);
}

function parsePart(raw: unknown, path: string, issues: IssueList): ManifestPart | undefined {
  if (!isObject(raw)) {
    issues.error(path, `must be an object {"path": ..., "offset": ...}, not ${describe(raw)}`);
    return undefined;
  }
  const p = raw["path"];
  if (typeof p !== "string" || p.trim() === "")
    issues.error(
      `${path}/path`,
      p === undefined
        ? "is required: the file to write, relative to the manifest"
        : `must be a non-empty string, not ${describe(p)}`,
    );
  const offset = parseOffset(raw["offset"], `${path}/offset`, issues);
  const sha = raw["sha256"];
  if (sha !== undefined && (typeof sha !== "string" || !SHA256_HEX.test(sha)))
    issues.error(`${path}/sha256`, `must be 64 hex digits (the part's SHA-256), not ${describe(sha)}`);
  const size = raw["size"];
  if (size !== undefined && (typeof size !== "number" || !Number.isInteger(size) || size <= 0))
    issues.error(`${path}/size`, `must be a positive whole number of bytes, not ${describe(size)}`);
  if (typeof p !== "string" || p.trim() === "" || offset === undefined) return undefined;
  const part: ManifestPart = { ...raw, path: p, offset };
  if (typeof sha === "string" && SHA256_HEX.test(sha)) part.sha256 = sha.toLowerCase();
  else delete part.sha256;
  if (typeof size === "number" && Number.isInteger(size) && size > 0) part.size = size;
  else delete part.size;
  return part;
}

function parseBuild(raw: unknown, path: string, issues: IssueList): ManifestBuild | undefined {
  if (!isObject(raw)) {
    issues.error(path, `must be an object {"chipFamily": ..., "parts": [...]}, not ${describe(raw)}`);
    return undefined;
  }
  const family = raw["chipFamily"];
  if (!isChipFamily(family)) {
    const hint =
      typeof family === "string"
        ? CHIP_FAMILIES.find((f) => f.replace("-", "").toLowerCase() === family.replace(/[-_\s]/g, "").toLowerCase())
        : undefined;
    issues.error(
      `${path}/chipFamily`,
      family === undefined
        ? `is required: one of ${CHIP_FAMILIES.join(", ")}`
        : `${describe(family)} is not a chip family${hint ? `; did you mean "${hint}"?` : `; use one of ${CHIP_FAMILIES.join(", ")}`}`,
    );
  }
  const serialType = raw["serialType"];
  if (serialType !== undefined && serialType !== "cdc" && serialType !== "uart")
    issues.error(`${path}/serialType`, `must be "cdc" or "uart", not ${describe(serialType)}`);
  if (raw["improv"] !== undefined) optionalBoolean(raw, "improv", path, issues);
  const rawParts = raw["parts"];
  const parts: ManifestPart[] = [];
  if (!Array.isArray(rawParts)) {
    issues.error(
      `${path}/parts`,
      rawParts === undefined
        ? "is required: the list of files to write"
        : `must be an array, not ${describe(rawParts)}`,
    );
  } else if (rawParts.length === 0) {
    issues.error(`${path}/parts`, "is empty: a build needs at least one part to write");
  } else {
    rawParts.forEach((rp, i) => {
      const part = parsePart(rp, `${path}/parts/${i}`, issues);
      if (part) parts.push(part);
    });
    const seen = new Map<number, number>();
    parts.forEach((p, i) => {
      const prev = seen.get(p.offset);
      if (prev !== undefined)
        issues.error(
          `${path}/parts/${i}/offset`,
          `0x${p.offset.toString(16)} is also the offset of part ${prev}; two parts cannot be written to the same place`,
        );
      seen.set(p.offset, i);
    });
    for (const a of parts.filter((p): p is typeof p & { size: number } => p.size !== undefined)) {
      parts.forEach((b, i) => {
        if (b.offset > a.offset && b.offset < a.offset + a.size) {
          issues.error(
            `${path}/parts/${i}/offset`,
            `"${b.path}" at 0x${b.offset.toString(16)} overlaps "${a.path}" (0x${a.offset.toString(16)} + ${a.size} bytes)`,
          );
        }
      });
    }
  }
  const minChipRevision = parseRevision(raw["min_chip_revision"], `${path}/min_chip_revision`, issues);
  const flashSize = parseFlashSize(raw["flash_size"], `${path}/flash_size`, issues);
  const console = parseConsole(raw["console"], `${path}/console`, issues);
  if (!isChipFamily(family) || (serialType !== undefined && serialType !== "cdc" && serialType !== "uart"))
    return undefined;
  const build: ManifestBuild = { ...raw, chipFamily: family, parts };
  if (serialType !== undefined) build.serialType = serialType;
  if (minChipRevision !== undefined) build.minChipRevision = minChipRevision;
  if (flashSize !== undefined) build.flashSize = flashSize;
  if (console !== undefined) build.console = console;
  else delete build.console;
  return build;
}

/** "uart", or a list when the REPL answers on more than one (first the one to use). */
function parseConsole(v: unknown, path: string, issues: IssueList): ConsoleConnector[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? (v as unknown[]) : [v];
  const known = (c: unknown): c is ConsoleConnector => CONSOLE_CONNECTORS.includes(c as ConsoleConnector);
  if (list.length === 0 || !list.every(known)) {
    issues.error(
      path,
      `must be ${CONSOLE_CONNECTORS.map((c) => `"${c}"`).join(", ")} or a list of them, not ${describe(v)}`,
    );
    return undefined;
  }
  return [...new Set(list)];
}

function parseBuilds(raw: Json, path: string, issues: IssueList, required: boolean): ManifestBuild[] {
  const v = raw["builds"];
  if (v === undefined) {
    if (required) issues.error(`${path}/builds`, "is required: the list of builds, one per chip family");
    return [];
  }
  if (!Array.isArray(v)) {
    issues.error(`${path}/builds`, `must be an array of builds, not ${describe(v)}`);
    return [];
  }
  if (v.length === 0 && required) issues.error(`${path}/builds`, "is empty: add at least one build");
  const builds: ManifestBuild[] = [];
  v.forEach((b, i) => {
    const build = parseBuild(b, `${path}/builds/${i}`, issues);
    if (build) builds.push(build);
  });
  const seen = new Set<string>();
  builds.forEach((b) => {
    const key = `${b.chipFamily}/${b.serialType ?? "any"}`;
    if (seen.has(key))
      issues.warn(
        `${path}/builds`,
        `more than one build for ${b.chipFamily}${b.serialType ? ` (${b.serialType})` : ""}; only the first is ever used`,
      );
    seen.add(key);
  });
  return builds;
}

function parseChoice(raw: unknown, path: string, issues: IssueList, fallbackName: string): FirmwareChoice | undefined {
  if (!isObject(raw)) {
    issues.error(path, `must be an object {"version": ..., "builds": [...]}, not ${describe(raw)}`);
    return undefined;
  }
  const name = optionalString(raw, "name", path, issues) ?? fallbackName;
  const version = raw["version"];
  if (typeof version !== "string" || version === "")
    issues.error(
      `${path}/version`,
      version === undefined
        ? "is required: the version users choose between"
        : `must be a non-empty string, not ${describe(version)}`,
    );
  const releaseNotes = optionalString(raw, "release_notes", path, issues);
  const ch = channel(raw, path, issues) ?? "stable";
  const builds = parseBuilds(raw, path, issues, true);
  if (typeof version !== "string" || version === "") return undefined;
  const choice: FirmwareChoice = { ...raw, name, version, channel: ch, builds };
  if (releaseNotes !== undefined) choice.releaseNotes = releaseNotes;
  return choice;
}

export interface ParsedManifest {
  manifest: FirmwareManifest;
  /** Problems that do not stop the install (deprecated fields, duplicate builds). */
  warnings: ManifestIssue[];
}

/**
 * Validates an ESP Web Tools manifest (a parsed JSON value or its text) and returns it typed.
 * Throws ManifestError("manifest-invalid") listing every problem with its JSON-pointer-like path.
 */
export function parseManifest(input: unknown): ParsedManifest {
  let raw = input;
  if (typeof input === "string") {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      throw new ManifestError(
        "manifest-not-json",
        `The manifest is not valid JSON (${(err as Error).message}). Check the file for a missing comma or quote.`,
        { cause: err },
      );
    }
  }
  const issues = new IssueList();
  if (!isObject(raw)) {
    issues.error("", `the manifest must be a JSON object, not ${describe(raw)}`);
    throw invalid(issues);
  }
  const name = raw["name"];
  if (typeof name !== "string" || name.trim() === "")
    issues.error(
      "/name",
      name === undefined
        ? "is required: the firmware's name as users see it"
        : `must be a non-empty string, not ${describe(name)}`,
    );
  const version = optionalString(raw, "version", "", issues);
  if (raw["version"] === undefined)
    issues.warn("/version", "is missing; users will not see which version they install");
  const homeAssistant = optionalString(raw, "home_assistant_domain", "", issues);
  const funding = optionalString(raw, "funding_url", "", issues);
  if (funding !== undefined && !/^https?:\/\//.test(funding))
    issues.error("/funding_url", `must be an http(s) URL, not ${describe(funding)}`);
  const promptErase = optionalBoolean(raw, "new_install_prompt_erase", "", issues);
  const skipErase = optionalBoolean(raw, "new_install_skip_erase", "", issues);
  if (skipErase !== undefined)
    issues.warn("/new_install_skip_erase", "is deprecated in ESP Web Tools; use new_install_prompt_erase");
  const wait = raw["new_install_improv_wait_time"];
  if (wait !== undefined && (typeof wait !== "number" || !Number.isFinite(wait) || wait < 0)) {
    issues.error("/new_install_improv_wait_time", `must be a number of seconds (0 or more), not ${describe(wait)}`);
  }
  const ch = channel(raw, "", issues);
  const notes = optionalString(raw, "release_notes", "", issues);
  const virtualOnly = optionalBoolean(raw, "virtual_board_only", "", issues);
  const rawChoices = raw["firmwares"];
  const builds = parseBuilds(raw, "", issues, rawChoices === undefined);
  let choices: FirmwareChoice[] = [];
  if (rawChoices !== undefined) {
    if (!Array.isArray(rawChoices) || rawChoices.length === 0)
      issues.error("/firmwares", `must be a non-empty array of firmware choices, not ${describe(rawChoices)}`);
    else
      rawChoices.forEach((c, i) => {
        const choice = parseChoice(c, `/firmwares/${i}`, issues, typeof name === "string" ? name : "");
        if (choice) choices.push(choice);
      });
  }
  if (issues.errors.length > 0) throw invalid(issues);
  if (builds.length > 0) {
    const own: FirmwareChoice = { name: name as string, version: version ?? "", channel: ch ?? "stable", builds };
    if (notes !== undefined) own.releaseNotes = notes;
    choices = [own, ...choices];
  }
  const manifest: FirmwareManifest = { ...raw, name: name as string, builds, choices };
  if (version !== undefined) manifest.version = version;
  if (homeAssistant !== undefined) manifest.home_assistant_domain = homeAssistant;
  if (funding !== undefined) manifest.funding_url = funding;
  if (promptErase !== undefined) manifest.new_install_prompt_erase = promptErase;
  if (skipErase !== undefined) manifest.new_install_skip_erase = skipErase;
  if (typeof wait === "number") manifest.new_install_improv_wait_time = wait;
  if (ch !== undefined) manifest.channel = ch;
  if (notes !== undefined) manifest.release_notes = notes;
  if (virtualOnly !== undefined) manifest.virtual_board_only = virtualOnly;
  return { manifest, warnings: issues.all.filter((i) => i.severity === "warning") };
}

function invalid(issues: IssueList): ManifestError {
  const errors = issues.errors;
  const shown = errors
    .slice(0, 3)
    .map((i) => `${i.path || "(root)"} ${i.message}`)
    .join("; ");
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : "";
  return new ManifestError("manifest-invalid", `The firmware manifest is not valid: ${shown}${more}.`, {
    issues: issues.all,
  });
}
