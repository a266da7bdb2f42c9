/**
 * The Firmware step's sources: lists them for the connected port, loads the one picked (a
 * manifest URL, a pyDirect release, one of the portal's releases, local files, a typed URL) into a
 * `LoadedFirmware`, and hands that to the jobs, which check and install it like any manifest. The
 * session owns the state; this holds what state must not (file bytes; release records are kept by
 * release-sources.ts).
 */
import type { FirmwareChoiceMemory, LocalFile, RememberedChoice } from "../firmware-sources/types";
import type { PortalJobs } from "./jobs";
import { SessionError, virtualBoardOnlyError } from "./session-errors";
import type { SessionLog } from "./session-log";
import type { FirmwareOffer, FirmwareSource, FirmwareSourceInput, SessionState, StepId } from "./session-types";
import {
  choiceName,
  defaultSource,
  matchesRemembered,
  normaliseSources,
  offeredSources,
  originKind,
  pickVersion,
  rememberKey,
} from "./firmware-source-list";
import { ReleaseSources, loadOffers, sourceJobs, type Loaded } from "./release-sources";

export interface PickerHost {
  readonly log: SessionLog;
  readonly jobs: PortalJobs;
  state(): SessionState;
  busy(): boolean;
  update(patch: Partial<SessionState>): void;
  run<R>(step: StepId, phase: string, body: (signal: AbortSignal) => Promise<R>): Promise<boolean>;
  /** The firmware (or board) changed: decide install kind and erase again. */
  firmwareChanged(): void;
}

const TYPED_ID = "typed-url";

export class FirmwarePicker {
  private all: FirmwareSource[];
  /** pyDirect's releases and this portal's index, as fetched in this session. */
  private readonly listed: ReleaseSources;
  private localFiles: LocalFile[] = [];
  /** The load under way was the user's choice (not a default): remember it when it succeeds. */
  private chosen = false;
  private readonly remembered: RememberedChoice | null;
  /** A source the page linked (`?manifest=`): the default for every port. */
  private readonly preferred: string | null;

  constructor(
    private readonly host: PickerHost,
    inputs: FirmwareSourceInput[],
    private readonly memory: FirmwareChoiceMemory | null,
    preferred: string | null = null,
  ) {
    this.all = normaliseSources(inputs);
    this.listed = new ReleaseSources(host);
    this.remembered = memory?.load() ?? null;
    this.preferred = preferred;
    // A URL typed last time comes back as the typed source.
    const typed = this.all.find((s) => s.kind === "typed-url");
    if (
      typed &&
      !typed.manifestUrl &&
      this.remembered?.sourceKind === "manifest-url" &&
      !this.all.some((s) => s.id === this.remembered?.sourceKey)
    ) {
      typed.manifestUrl = this.remembered.sourceKey;
    }
  }

  /** Sources listed right now (before a port is picked: all but an absent index). */
  offered(): FirmwareSource[] {
    const port = this.host.state().port;
    return offeredSources(this.all, { virtual: port ? port.virtual : null }, (s) => this.listed.hasIndex(s.id));
  }

  /** The source selected first, before any board is connected. */
  initialSelection(): string | null {
    return (
      defaultSource(this.offered(), { virtual: null }, this.remembered, this.preferred)?.id ??
      this.offered().at(0)?.id ??
      null
    );
  }

  /**
   * After a board is connected: list the sources for this port, drop a virtual-board-only choice
   * on a real port, and load the default unless a good choice is already loaded (production line).
   */
  async afterConnect(): Promise<void> {
    await this.listed.probeIndexes(this.all);
    const state = this.host.state();
    const fw = state.firmware;
    const offered = this.offered();
    this.host.update({ firmware: { ...fw, sources: offered } });
    const current = offered.find((s) => s.id === fw.selected) ?? null;
    const refused = fw.result?.virtualBoardOnly === true && state.port?.virtual === false;
    if (fw.status === "done" && current && !refused) return;
    let source = current;
    if (refused || !current || (current.kind === "local-files" && this.localFiles.length === 0)) {
      source = defaultSource(offered, { virtual: state.port?.virtual ?? null }, this.remembered, this.preferred);
      if (refused && source)
        this.host.log.portal(
          `The demo image runs only on the virtual board: ${source.label} chosen for this board instead.`,
        );
    }
    if (!source) {
      this.host.update({
        firmware: {
          ...this.host.state().firmware,
          selected: current?.id ?? null,
          choices: [],
          status: "idle",
          result: null,
          error: null,
        },
      });
      return;
    }
    await this.selectSource(source.id, {}, false);
  }

  /**
   * Pick a source from the list and load its default firmware (or the version asked for).
   * `chosen`: the user picked it (remembered per browser); false for defaults and retries.
   */
  async selectSource(
    id: string,
    wanted: { version?: string | null; product?: string | null } = {},
    chosen = true,
  ): Promise<boolean> {
    if (this.host.busy()) return false;
    this.chosen = chosen;
    const source = this.all.find((s) => s.id === id);
    if (!source) return false;
    const fw = this.host.state().firmware;
    this.host.update({
      firmware: {
        ...fw,
        selected: id,
        choices: [],
        releases: fw.releases?.sourceId === id ? fw.releases : null,
        local: source.kind === "local-files" ? fw.local : null,
      },
    });
    switch (source.kind) {
      case "manifest-url":
      case "typed-url": {
        const url = source.manifestUrl;
        if (!url) return this.idle();
        return this.load(source, "Reading the firmware manifest", async (signal) => ({
          offers: await this.host.jobs.loadFirmware(url, signal),
        }));
      }
      case "pydirect-releases": {
        const { version = null, product = null } = wanted;
        const remembered = version ?? this.rememberedVersion(source);
        return this.load(source, "Asking GitHub for pyDirect's releases", (signal) =>
          this.listed.pydirect(source, version, remembered, product, signal),
        );
      }
      case "portal-releases": {
        const remembered = wanted.version ?? this.rememberedVersion(source);
        return this.load(source, "Reading this portal's releases", (signal) =>
          this.listed.portal(source, remembered, signal),
        );
      }
      case "local-files":
        return this.localFiles.length > 0 ? this.buildLocal(source) : this.idle();
    }
  }

  /** Another version (and product) from the listed releases. */
  selectRelease(version: string, product: string | null = null): Promise<boolean> {
    const id = this.host.state().firmware.releases?.sourceId;
    return id ? this.selectSource(id, { version, product }) : Promise.resolve(false);
  }

  /** List pre-releases too, or not; hiding them while one is picked goes back to the newest stable. */
  async setIncludeBeta(include: boolean): Promise<boolean> {
    if (this.host.busy()) return false;
    const fw = this.host.state().firmware;
    const releases = fw.releases
      ? { ...fw.releases, versions: this.listed.versionViews(fw.releases.sourceId, include) }
      : null;
    this.host.update({ firmware: { ...fw, includeBeta: include, releases } });
    const picked = releases?.versions.find((v) => v.version === releases.version);
    if (releases && !picked) {
      const stable = pickVersion(releases.versions, false, null);
      if (stable) return this.selectRelease(stable.version, releases.product);
    }
    return true;
  }

  /** Files picked or dropped: what they are, proposed offsets, then the firmware they make. */
  async addLocalFiles(files: LocalFile[]): Promise<boolean> {
    if (this.host.busy()) return false;
    const source = this.all.find((s) => s.kind === "local-files");
    if (!source) return false;
    this.localFiles = files;
    this.chosen = true;
    const fw = this.host.state().firmware;
    this.host.update({ firmware: { ...fw, selected: source.id, choices: [], releases: null, local: null } });
    return this.buildLocal(source, true);
  }

  /** The user edited a proposed offset. */
  setLocalOffset(name: string, offset: number): Promise<boolean> {
    const local = this.host.state().firmware.local;
    const source = this.all.find((s) => s.kind === "local-files");
    if (!local || !source || !(name in local.offsets)) return Promise.resolve(false);
    if (!Number.isInteger(offset) || offset < 0) {
      const error = new SessionError(
        "step-not-ready",
        `The offset for ${name} must be a whole number of bytes, 0 or more (for example 0x10000).`,
        { action: "fix-input" },
      );
      this.host.update({ firmware: { ...this.host.state().firmware, status: "error", error, result: null } });
      return Promise.resolve(false);
    }
    this.host.update({
      firmware: { ...this.host.state().firmware, local: { ...local, offsets: { ...local.offsets, [name]: offset } } },
    });
    this.chosen = true;
    return this.buildLocal(source);
  }

  /** A manifest URL typed into the page. */
  enterManifestUrl(text: string): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(text.trim());
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(url.protocol);
    } catch {
      const error = new SessionError(
        "step-not-ready",
        `"${text}" is not a web address. Type the manifest's full address, starting with https://.`,
        { action: "fix-input" },
      );
      this.host.update({ firmware: { ...this.host.state().firmware, status: "error", error, result: null } });
      return Promise.resolve(false);
    }
    let typed = this.all.find((s) => s.kind === "typed-url");
    if (typed) typed.manifestUrl = url.href;
    else {
      typed = { id: TYPED_ID, kind: "typed-url", label: "A manifest URL", manifestUrl: url.href };
      this.all = [...this.all, typed];
    }
    this.host.update({ firmware: { ...this.host.state().firmware, sources: this.offered() } });
    return this.selectSource(typed.id);
  }

  /** "Try again" on the Firmware step: the picked source, loaded again. */
  retry(): Promise<boolean> {
    const fw = this.host.state().firmware;
    if (!fw.selected) return Promise.resolve(false);
    return this.selectSource(
      fw.selected,
      { version: fw.releases?.version ?? null, product: fw.releases?.product ?? null },
      this.chosen,
    );
  }

  /** Refuse the demo image on a real port, naming the sources to pick instead. */
  assertAllowed(offer: FirmwareOffer): void {
    const state = this.host.state();
    if (offer.virtualBoardOnly && state.port?.virtual === false) {
      const instead = this.offered().filter((s) => !s.virtualBoardOnly && s.manifestUrl !== offer.manifestUrl);
      throw virtualBoardOnlyError(offer.name, state.connect.result?.chip ?? null, [
        ...new Set(instead.map(choiceName)),
      ]);
    }
  }

  // ---- loading ---------------------------------------------------------------------------------

  private idle(): boolean {
    const fw = this.host.state().firmware;
    this.host.update({ firmware: { ...fw, status: "idle", error: null, result: null, phase: "" } });
    return true;
  }

  private async load(
    source: FirmwareSource,
    phase: string,
    get: (signal: AbortSignal) => Promise<Loaded>,
  ): Promise<boolean> {
    const ok = await this.host.run("firmware", phase, async (signal) => {
      const loaded = await get(signal);
      return this.accept(source, loaded.offers, loaded.version ?? null);
    });
    if (ok) this.host.firmwareChanged();
    return ok;
  }

  /** Offers from a loaded firmware: refuse the demo on a real port, show them, remember the choice. */
  private accept(source: FirmwareSource, choices: FirmwareOffer[], version: string | null): FirmwareOffer {
    const offer = choices.at(0);
    if (!offer)
      throw new SessionError("unexpected", "The manifest offers no firmware to install. Choose another firmware.", {
        action: "choose-another-firmware",
      });
    this.assertAllowed(offer);
    this.host.update({ firmware: { ...this.host.state().firmware, choices } });
    this.host.log.portal(`Firmware: ${offer.name} ${offer.version} (${offer.chipFamilies.join(", ")})`);
    // Only which source and version the user chose: never file contents (for local files not even
    // their names), and not a default the portal picked nor a page's link.
    const local = source.kind === "local-files";
    if (this.chosen && source.id !== this.preferred)
      this.memory?.save({
        sourceKind: originKind(source),
        sourceKey: local ? source.id : rememberKey(source),
        version: local ? null : (version ?? offer.version),
      });
    return offer;
  }

  private buildLocal(source: FirmwareSource, analyse = false): Promise<boolean> {
    const files = this.localFiles;
    return this.load(source, analyse ? "Reading the files" : "Placing the files", async (signal) => {
      const jobs = sourceJobs(this.host.jobs);
      let local = this.host.state().firmware.local;
      if (analyse || !local) {
        const analysis = await jobs.analyzeLocalFiles(files);
        local = {
          names: files.map((f) => f.name),
          analysis,
          offsets: Object.fromEntries(analysis.parts.map((p) => [p.name, p.offset])),
        };
        this.host.update({ firmware: { ...this.host.state().firmware, local } });
      }
      return loadOffers(this.host.jobs, await jobs.localFirmware(files, local.analysis, local.offsets), signal);
    });
  }

  private rememberedVersion(source: FirmwareSource): string | null {
    return this.remembered && matchesRemembered(source, this.remembered) ? this.remembered.version : null;
  }
}
