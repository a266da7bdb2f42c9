/**
 * Which firmware sources the Firmware step lists for the connected port, which one is the
 * default, and how a choice is remembered. Pure functions over plain data; the picker
 * (firmware-picker.ts) runs the loading.
 */
import type { FirmwareOrigin, PydirectProduct, PydirectRelease, RememberedChoice } from "../firmware-sources/types";
import type {
  BoardSummary,
  FirmwareSource,
  FirmwareSourceInput,
  ReleaseProductView,
  ReleaseVersionView,
} from "./session-types";
import { compareVersions } from "./version-compare";

/** `kind` defaults to a configured manifest URL, `id` to that URL (or the kind). */
export function normaliseSources(inputs: FirmwareSourceInput[]): FirmwareSource[] {
  const seen = new Set<string>();
  const out: FirmwareSource[] = [];
  for (const input of inputs) {
    const kind = input.kind ?? "manifest-url";
    const id = input.id ?? (kind === "manifest-url" && input.manifestUrl ? input.manifestUrl : kind);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ ...input, id, kind });
  }
  return out;
}

export interface PortFacts {
  /** null before a port is picked. */
  virtual: boolean | null;
}

/**
 * The sources to list: the demo (virtual-board-only) only while the port is the virtual board or
 * not yet picked; the portal's own releases only once their index was found.
 */
export function offeredSources(
  all: FirmwareSource[],
  port: PortFacts,
  indexFound: (source: FirmwareSource) => boolean,
): FirmwareSource[] {
  return all.filter((s) => {
    if (s.virtualBoardOnly && port.virtual === false) return false;
    if (s.kind === "portal-releases" && !indexFound(s)) return false;
    return true;
  });
}

/** The remembered-choice kind for a source kind (the core's FirmwareOrigin kinds). */
export function originKind(source: FirmwareSource): FirmwareOrigin["kind"] {
  switch (source.kind) {
    case "pydirect-releases":
      return "pydirect-release";
    case "portal-releases":
      return "portal-release";
    case "local-files":
      return "local-files";
    default:
      return "manifest-url";
  }
}

/** How a source is remembered: typed URLs by their address, everything else by its id. */
export function rememberKey(source: FirmwareSource): string {
  return source.kind === "typed-url" ? (source.manifestUrl ?? "") : source.id;
}

export function matchesRemembered(source: FirmwareSource, remembered: RememberedChoice): boolean {
  return originKind(source) === remembered.sourceKind && rememberKey(source) === remembered.sourceKey;
}

/**
 * The default source: one the page linked (`?manifest=`, preferred), then the one remembered in
 * this browser (local files cannot be: their contents are never kept), then, for a real port,
 * this portal's releases, else pyDirect's; for the virtual board the first listed (the demo).
 */
export function defaultSource(
  offered: FirmwareSource[],
  port: PortFacts,
  remembered: RememberedChoice | null,
  preferred: string | null,
): FirmwareSource | null {
  const linked = preferred ? offered.find((s) => s.id === preferred) : undefined;
  if (linked) return linked;
  const mem = remembered
    ? offered.find(
        (s) =>
          s.kind !== "local-files" && matchesRemembered(s, remembered) && (s.kind !== "typed-url" || s.manifestUrl),
      )
    : undefined;
  if (mem) return mem;
  const loadable = offered.filter((s) => s.kind !== "local-files" && !(s.kind === "typed-url" && !s.manifestUrl));
  if (port.virtual === false) {
    return (
      loadable.find((s) => s.kind === "portal-releases") ??
      loadable.find((s) => s.kind === "pydirect-releases") ??
      loadable.at(0) ??
      null
    );
  }
  return loadable[0] ?? null;
}

/** How well a product suits the board: 2 exact (chip and flash size), 1 same chip and fits in flash, 0 not. */
export function productFit(
  product: { chipFamily: string; flashSize: number | null },
  board: BoardSummary | null,
): number {
  if (!board) return 1;
  if (product.chipFamily !== board.chip) return 0;
  if (product.flashSize === null || board.flashSize === null) return 1;
  if (product.flashSize === board.flashSize) return 2;
  return product.flashSize < board.flashSize ? 1 : 0;
}

export function productView(product: PydirectProduct, board: BoardSummary | null): ReleaseProductView {
  return {
    product: product.product,
    chipFamily: product.chipFamily,
    flashSize: product.flashSize,
    fits: productFit(product, board) > 0,
  };
}

/** The product of a release that suits the board best (first listed among equals). */
export function bestProduct(
  release: PydirectRelease,
  board: BoardSummary | null,
  wanted: string | null = null,
): PydirectProduct | null {
  const named = wanted ? release.products.find((p) => p.product === wanted) : undefined;
  if (named) return named;
  let best: PydirectProduct | null = null;
  let score = -1;
  for (const p of release.products) {
    const fit = productFit(p, board);
    if (fit > score) {
      best = p;
      score = fit;
    }
  }
  return best;
}

export function releaseViews(
  releases: PydirectRelease[],
  board: BoardSummary | null,
  includeBeta: boolean,
): ReleaseVersionView[] {
  return sortNewestFirst(releases.filter((r) => includeBeta || r.channel === "stable")).map((r) => ({
    version: r.version,
    channel: r.channel,
    publishedAt: r.publishedAt,
    products: r.products.map((p) => productView(p, board)),
    chips: [...new Set(r.products.map((p) => p.chipFamily))],
  }));
}

/** Newest version first (by version, not by the order an API happened to list them). */
export function sortNewestFirst<T extends { version: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => -(compareVersions(a.version, b.version) ?? 0));
}

/**
 * The version to load from a list: the one asked for, else the remembered one, else the newest
 * stable (newest beta only when there is no stable and betas are listed).
 */
export function pickVersion<T extends { version: string; channel: "stable" | "beta" }>(
  items: T[],
  includeBeta: boolean,
  wanted: string | null,
): T | null {
  const listed = sortNewestFirst(items.filter((v) => includeBeta || v.channel === "stable"));
  return (
    (wanted ? listed.find((v) => v.version === wanted) : undefined) ??
    listed.find((v) => v.channel === "stable") ??
    listed.at(0) ??
    null
  );
}

/** How a source is named in "choose … instead" sentences. */
export function choiceName(source: FirmwareSource): string {
  switch (source.kind) {
    case "pydirect-releases":
      return "a pyDirect release";
    case "portal-releases":
      return "one of this portal's releases";
    case "local-files":
      return "a firmware file from your computer";
    case "typed-url":
      return "a manifest URL";
    default:
      return `"${source.label}"`;
  }
}
