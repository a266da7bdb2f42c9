/**
 * The Firmware step's listed releases: pyDirect's GitHub releases and this portal's own release
 * index. It keeps what was fetched (release records, the index per source) for the session,
 * picks the version and product for the connected board, and shows the listing to choose from.
 */
import type { ResolvedPortalReleaseIndex } from "../firmware-sources/portal-releases";
import type { LoadedFirmware, PydirectRelease } from "../firmware-sources/types";
import { bestProduct, pickVersion, releaseViews, sortNewestFirst } from "./firmware-source-list";
import type { FirmwareSourceJobs, PortalJobs } from "./jobs";
import { SessionError } from "./session-errors";
import type { SessionLog } from "./session-log";
import type { FirmwareOffer, FirmwareSource, ReleaseListing, SessionState } from "./session-types";

/** What one load gave: the offers, and the listed version they came from (releases). */
export interface Loaded {
  offers: FirmwareOffer[];
  version?: string | null;
}

/** What the release lists need from the session. */
export interface ReleaseHost {
  readonly log: SessionLog;
  readonly jobs: PortalJobs;
  state(): SessionState;
  update(patch: Partial<SessionState>): void;
}

/** The jobs that fetch firmware from its sources, or an error a user can act on when the page has none. */
export function sourceJobs(jobs: PortalJobs): FirmwareSourceJobs {
  const sources = jobs.firmwareSources;
  if (!sources)
    throw new SessionError("unexpected", "This page cannot load firmware from that source. Choose another firmware.", {
      action: "choose-another-firmware",
    });
  return sources;
}

/** The offers a loaded firmware makes, checked by the jobs like any manifest. */
export async function loadOffers(
  jobs: PortalJobs,
  firmware: LoadedFirmware,
  signal: AbortSignal,
  version: string | null = null,
): Promise<Loaded> {
  return { offers: await jobs.loadFirmware(firmware, signal), version };
}

export class ReleaseSources {
  private readonly releases = new Map<string, PydirectRelease[]>();
  /** Portal index per source id: null when the portal has none (404), absent until asked. */
  private readonly indexes = new Map<string, ResolvedPortalReleaseIndex | null>();

  constructor(private readonly host: ReleaseHost) {}

  /** The portal publishes releases under this source (known once asked). */
  hasIndex(sourceId: string): boolean {
    return Boolean(this.indexes.get(sourceId));
  }

  /** pyDirect's releases: `version` (or `wantedVersion` from memory, else the newest) for this board. */
  async pydirect(
    source: FirmwareSource,
    version: string | null,
    wantedVersion: string | null,
    product: string | null,
    signal: AbortSignal,
  ): Promise<Loaded> {
    const options = {
      ...(source.repo ? { repo: source.repo } : {}),
      ...(source.apiBase ? { apiBase: source.apiBase } : {}),
      ...(source.mirrorBase ? { mirrorBase: source.mirrorBase } : {}),
    };
    const jobs = sourceJobs(this.host.jobs);
    let list = this.releases.get(source.id);
    if (!list || version === null) {
      list = await jobs.listPydirectReleases(options, signal);
      this.releases.set(source.id, list);
    }
    const includeBeta =
      this.host.state().firmware.includeBeta || list.find((r) => r.version === wantedVersion)?.channel === "beta";
    const release = pickVersion(list, includeBeta, wantedVersion);
    const chosen = release ? bestProduct(release, this.host.state().connect.result, product) : null;
    this.showListing(source.id, release?.version ?? null, chosen?.product ?? null, includeBeta);
    if (!release || !chosen) {
      throw new SessionError(
        "unexpected",
        `${source.repo ?? "pyDirect"} has no published release with a firmware image${includeBeta ? "" : ' on the stable channel; tick "Show beta versions" to see pre-releases'}.`,
        {
          action: "choose-another-firmware",
        },
      );
    }
    this.host.update({
      firmware: { ...this.host.state().firmware, phase: `Reading pyDirect ${release.version} for ${chosen.product}` },
    });
    return loadOffers(
      this.host.jobs,
      await jobs.pydirectReleaseFirmware(release, chosen, options, signal),
      signal,
      release.version,
    );
  }

  /** This portal's own releases: `wantedVersion` or the newest. */
  async portal(source: FirmwareSource, wantedVersion: string | null, signal: AbortSignal): Promise<Loaded> {
    const indexUrl = source.indexUrl ?? "";
    const jobs = sourceJobs(this.host.jobs);
    const index = this.indexes.get(source.id) ?? (await jobs.loadPortalReleaseIndex(indexUrl, signal));
    this.indexes.set(source.id, index);
    if (!index)
      throw new SessionError(
        "unexpected",
        "This portal has published no releases of its own yet. Choose a pyDirect release or a file instead.",
        { action: "choose-another-firmware" },
      );
    const includeBeta =
      this.host.state().firmware.includeBeta ||
      index.versions.find((v) => v.version === wantedVersion)?.channel === "beta";
    const picked = pickVersion(index.versions, includeBeta, wantedVersion);
    this.showListing(source.id, picked?.version ?? null, null, includeBeta);
    if (!picked)
      throw new SessionError(
        "unexpected",
        "This portal's release list is empty. Choose a pyDirect release or a file instead.",
        { action: "choose-another-firmware" },
      );
    return loadOffers(this.host.jobs, await jobs.portalReleaseFirmware(index, picked, signal), signal, picked.version);
  }

  versionViews(sourceId: string, includeBeta: boolean): ReleaseListing["versions"] {
    const board = this.host.state().connect.result;
    const list = this.releases.get(sourceId);
    if (list) return releaseViews(list, board, includeBeta);
    const index = this.indexes.get(sourceId);
    if (!index) return [];
    return sortNewestFirst(index.versions.filter((v) => includeBeta || v.channel === "stable")).map((v) => ({
      version: v.version,
      channel: v.channel,
      publishedAt: null,
      products: [],
      chips: [...v.chips],
    }));
  }

  /**
   * Learn whether the portal has releases of its own (index.json), once per session, when a real
   * board is connected: there they are the default. The virtual board has its demo, and asking
   * for an index a site does not publish costs a 404 in the browser's console on every visit.
   */
  async probeIndexes(all: readonly FirmwareSource[]): Promise<void> {
    const jobs = this.host.jobs.firmwareSources;
    if (!jobs || this.host.state().port?.virtual !== false) return;
    for (const source of all) {
      if (source.kind !== "portal-releases" || this.indexes.has(source.id) || !source.indexUrl) continue;
      try {
        this.indexes.set(source.id, await jobs.loadPortalReleaseIndex(source.indexUrl, AbortSignal.timeout(10_000)));
      } catch (err) {
        // Offline or broken: not listed now; the next connect asks again.
        this.host.log.portal(
          `This portal's release list could not be read (${err instanceof Error ? err.message : String(err)}).`,
        );
      }
    }
  }

  private showListing(sourceId: string, version: string | null, product: string | null, includeBeta: boolean): void {
    const listing: ReleaseListing = { sourceId, versions: this.versionViews(sourceId, includeBeta), version, product };
    this.host.update({ firmware: { ...this.host.state().firmware, includeBeta, releases: listing } });
  }
}
