import type { FirmwareChoiceMemory, FirmwareOrigin, LoadedFirmware, RememberedChoice, StorageLike } from "./types";

const KINDS: readonly FirmwareOrigin["kind"][] = ["manifest-url", "pydirect-release", "portal-release", "local-files"];
export const CHOICE_STORAGE_KEY = "pydirect-portal.firmware-choice.v1";

/** Only these three fields are ever kept: never file contents, never anything secret. */
function sanitize(value: unknown): RememberedChoice | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!KINDS.includes(v.sourceKind as FirmwareOrigin["kind"])) return null;
  if (typeof v.sourceKey !== "string") return null;
  if (v.version !== null && typeof v.version !== "string") return null;
  return {
    sourceKind: v.sourceKind as FirmwareOrigin["kind"],
    sourceKey: v.sourceKey,
    version: v.version,
  };
}

/**
 * What to remember of a loaded firmware: which source (a manifest URL, `owner/repo#product`, the
 * release index URL, or the local file names) and which version. File contents never.
 */
export function rememberedChoiceFor(loaded: LoadedFirmware): RememberedChoice {
  const o = loaded.origin;
  switch (o.kind) {
    case "manifest-url":
      return {
        sourceKind: o.kind,
        sourceKey: o.url,
        version: loaded.manifest.version ?? loaded.manifest.choices.at(0)?.version ?? null,
      };
    case "pydirect-release":
      return { sourceKind: o.kind, sourceKey: `${o.repo}#${o.product}`, version: o.tag };
    case "portal-release":
      return { sourceKind: o.kind, sourceKey: o.indexUrl, version: o.version };
    case "local-files":
      return { sourceKind: o.kind, sourceKey: o.names.join("\n"), version: loaded.manifest.version ?? null };
  }
}

export class MemoryFirmwareChoiceMemory implements FirmwareChoiceMemory {
  private choice: RememberedChoice | null = null;
  load(): RememberedChoice | null {
    return this.choice ? { ...this.choice } : null;
  }
  save(choice: RememberedChoice): void {
    this.choice = sanitize(choice);
  }
}

/**
 * Per browser: `new StorageFirmwareChoiceMemory(localStorage)`. A storage that throws (private
 * windows, quota, disabled storage) only means nothing is remembered.
 */
export class StorageFirmwareChoiceMemory implements FirmwareChoiceMemory {
  constructor(
    private readonly storage: StorageLike,
    private readonly key = CHOICE_STORAGE_KEY,
  ) {}

  load(): RememberedChoice | null {
    try {
      const text = this.storage.getItem(this.key);
      return text === null ? null : sanitize(JSON.parse(text));
    } catch {
      return null;
    }
  }

  save(choice: RememberedChoice): void {
    const clean = sanitize(choice);
    try {
      if (clean) this.storage.setItem(this.key, JSON.stringify(clean));
      else this.storage.removeItem(this.key);
    } catch {
      // Remembering is a convenience; failing to store must not fail a choice.
    }
  }
}
