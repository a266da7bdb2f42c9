import { LitElement, css, html } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { ProductionLine } from "../core/line/production-line";
import type { DeviceRegistry } from "../core/registry/device-record";
import type { InventorySnapshot, StationInventory } from "../core/registry/station-inventory";
import { isSharedRegistry } from "../core/registry/shared-registry";
import { checkEnvironment, environmentFacts } from "../core/session/environment";
import type { PortalJobs } from "../core/session/jobs";
import { PortalSession } from "../core/session/portal-session";
import type { FirmwareSourceInput, SessionState } from "../core/session/session-types";
import { pickSerialPort } from "../core/session/port-picker";
import { DEMO_NETWORK_NOTE, createVirtualChoice, type AppFactoryMaker, type VirtualChoice } from "../demo/virtual-port";
import { createFirmwareChoiceMemory, portSources } from "./app-services";
import "./device-list";
import "./wifi-change";
import type { PydirectWifiChange } from "./wifi-change";
import type { PydirectDeviceList } from "./device-list";
import type { PydirectLineGrid } from "./pydirect-line-grid";
import "./pydirect-flow";
import type { PydirectFlow } from "./pydirect-flow";
import type { PortSources } from "./session-intents";
import { sharedStyles } from "./shared-styles";
import "./update-prompt";

/**
 * The portal page: take an ESP32 from plugged in to flashed, provisioned and verified, with the
 * device list and the console beside it.
 *
 * @attr manifest - a firmware manifest URL to offer first and install by default (`?manifest=`); unset: the
 *   demo firmware, offered for the virtual board only.
 * @attr pydirect-repo - GitHub repository (owner/name) whose releases are listed as "pyDirect releases";
 *   default pyDirect's upstream.
 * @attr releases-api - base URL of the GitHub releases API (default https://api.github.com).
 * @attr firmware-mirror - CORS-enabled copy of the release assets the images are downloaded from
 *   (default pyDirect's Pages site, /firmware/).
 * @attr release-index - this portal's own release list (default ./firmware/index.json; listed when present).
 * @fires pydirect-state - detail `SessionState` on every change.
 * @cssprop --pydirect-accent - accent colour (buttons, current step).
 * @cssprop --pydirect-bg - background of panels.
 * @cssprop --pydirect-fg - text colour.
 * @cssprop --pydirect-radius - corner radius.
 * @cssprop --pydirect-font - font family.
 */
const DEMO_MANIFEST = "./firmware/demo/manifest.json";

@customElement("pydirect-portal")
export class PydirectPortal extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 60rem;
        margin: 0 auto;
        padding: 1rem;
      }
      header h1 {
        font-size: 1.5rem;
        margin: 0 0 0.25rem;
      }
      .devices,
      .line {
        display: block;
        margin-top: 1.5rem;
      }
    `,
  ];

  @property({ type: String }) manifest = DEMO_MANIFEST;
  @property({ type: String, attribute: "pydirect-repo" }) pydirectRepo = "";
  @property({ type: String, attribute: "releases-api" }) releasesApi = "";
  @property({ type: String, attribute: "firmware-mirror" }) firmwareMirror = "";
  @property({ type: String, attribute: "release-index" }) releaseIndex = "./firmware/index.json";
  /** More firmware for the list (e.g. more manifest URLs), after the built-in sources. */
  @property({ attribute: false }) extraSources: FirmwareSourceInput[] = [];
  /** The cores, wired (set by main.ts; tests may set their own). */
  @property({ attribute: false }) jobs: PortalJobs | null = null;
  @property({ attribute: false }) registry: DeviceRegistry | null = null;
  /** Makes the virtual board's app runtime (MicroPython) for each new virtual board. */
  @property({ attribute: false }) virtualApp: AppFactoryMaker | undefined;
  @property({ type: Boolean, attribute: "update-available" }) updateAvailable = false;
  /** The shared inventory (loaded after the first paint by main.ts); its settings show once set. */
  @property({ attribute: false }) inventory: StationInventory | null = null;
  @state() private inventorySnapshot: InventorySnapshot | null = null;
  @state() private inventoryFormError = "";
  private unsubscribeInventory: (() => void) | null = null;

  @state() private session: PortalSession | null = null;
  @state() private busy = false;
  /** What the production line shares, as the steps chose it (firmware, Wi-Fi network). */
  @state() private lineFirmware = "";
  @state() private lineSsid = "";
  @state() private lineWifiSaved = false;
  @state() private lineError: PortalError | null = null;
  @query("pydirect-device-list") private deviceList!: PydirectDeviceList;
  @query("pydirect-flow") private flow!: PydirectFlow;
  @query("pydirect-wifi-change") private wifiChange!: PydirectWifiChange;
  @query("pydirect-line-grid") private lineGrid!: PydirectLineGrid;
  /**
   * Several boards at once (production line), with the session's firmware and Wi-Fi. Made, with
   * its grid, when the user first opens it: single-board users never download it.
   */
  @state() line: ProductionLine | null = null;
  private unbindLine: (() => void) | null = null;
  private opening: Promise<void> | null = null;
  /** One array for the page's life, so the line grid sees no change on every render. */
  private readonly demoNetworks = DEMO_NETWORK_NOTE.map((ap) => ({ ...ap }));

  private readonly environmentProblem: PortalError | null = checkEnvironment(environmentFacts());
  /** The virtual board picked last (for the demo's "unplug" and for tests). */
  lastVirtualBoard: VirtualChoice["board"] | null = null;

  // Like a real board, the virtual one is heard through its port: the serial console logs it.
  private readonly ports: PortSources = portSources({
    makeApp: () => this.virtualApp,
    onVirtual: (choice) => (this.lastVirtualBoard = choice.board),
  });

  /** The running session (tests and main.ts reach in for the log and state). */
  get currentSession(): PortalSession | null {
    return this.session;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("inventory")) {
      this.unsubscribeInventory?.();
      this.inventorySnapshot = this.inventory?.snapshot ?? null;
      this.unsubscribeInventory = this.inventory?.subscribe((s) => (this.inventorySnapshot = s)) ?? null;
    }
    if ((changed.has("jobs") || changed.has("manifest")) && this.jobs && !this.session) {
      const memory = createFirmwareChoiceMemory();
      const { sources, preferred } = this.firmwareSources();
      this.session = new PortalSession({
        jobs: this.jobs,
        sources,
        ...(preferred ? { preferredSource: preferred } : {}),
        ...(this.registry ? { registry: this.registry } : {}),
        ...(memory ? { memory } : {}),
      });
      this.session.subscribe((s: SessionState) => {
        this.busy = this.session?.busy ?? false;
        // The change-Wi-Fi panel renders from the session state too.
        this.requestUpdate();
        const offer = s.firmware.result;
        const picked = s.firmware.sources.find((src) => src.manifestUrl === s.firmware.selected);
        this.lineFirmware = offer ? `${offer.name} ${offer.version}` : picked ? `${picked.label} (latest)` : "";
        this.lineSsid = s.provision.wifi?.ssid ?? "";
        this.lineWifiSaved = s.provision.wifi?.hasPassword ?? false;
        this.dispatchEvent(new CustomEvent("pydirect-state", { detail: s, bubbles: true, composed: true }));
      });
    }
  }

  /**
   * One list: a linked manifest (first and the default, when the page has one), the demo (virtual
   * board only), this portal's releases, pyDirect's releases, files, and a typed URL.
   */
  private firmwareSources(): { sources: FirmwareSourceInput[]; preferred: string | null } {
    const abs = (url: string) => new URL(url, document.baseURI).href;
    const demo = abs(DEMO_MANIFEST);
    const manifest = abs(this.manifest || DEMO_MANIFEST);
    const linked = manifest !== demo;
    const sources: FirmwareSourceInput[] = [
      ...(linked ? [{ label: `Linked firmware (${new URL(manifest).host})`, manifestUrl: manifest }] : []),
      { label: "pyDirect demo firmware (virtual board only)", manifestUrl: demo, virtualBoardOnly: true },
      ...(this.releaseIndex
        ? [{ kind: "portal-releases" as const, label: "This portal's releases", indexUrl: abs(this.releaseIndex) }]
        : []),
      {
        kind: "pydirect-releases",
        label: "pyDirect releases",
        ...(this.pydirectRepo ? { repo: this.pydirectRepo } : {}),
        ...(this.releasesApi ? { apiBase: this.releasesApi } : {}),
        ...(this.firmwareMirror ? { mirrorBase: abs(this.firmwareMirror) } : {}),
      },
      { kind: "local-files", label: "Files from this computer" },
      { kind: "typed-url", label: "A manifest URL" },
      ...this.extraSources,
    ];
    return { sources, preferred: linked ? manifest : null };
  }

  /** Load the production line and its grid, and bind the grid's intents to it. */
  openLine(): Promise<void> {
    this.opening ??= (async () => {
      const jobs = this.jobs;
      const session = this.session;
      if (!jobs || !session) return;
      const [{ ProductionLine }, { bindLineIntents }] = await Promise.all([
        import("../core/line/production-line"),
        import("./line-intents"),
        import("./pydirect-line-grid"),
      ]);
      const line = new ProductionLine({ jobs, ...(this.registry ? { registry: this.registry } : {}) });
      this.line = line;
      await this.updateComplete;
      this.unbindLine = bindLineIntents(this.lineGrid, {
        line,
        session,
        jobs,
        pickSerial: () => pickSerialPort(),
        // Each a new simulated ESP32-S3 with its own MAC; its console stays out of the session log.
        makeVirtual: () => createVirtualChoice({ makeApp: this.virtualApp }),
        onError: (e) => (this.lineError = e),
      });
    })();
    return this.opening;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unbindLine?.();
    this.unbindLine = null;
  }

  /** Bring the production line into view with focus on its heading. */
  async showLine(): Promise<void> {
    await this.openLine();
    await this.updateComplete;
    const grid = this.lineGrid as PydirectLineGrid | null; // @query: null until rendered
    await grid?.updateComplete;
    const heading = grid?.shadowRoot?.querySelector<HTMLElement>("#line-heading");
    heading?.scrollIntoView({ block: "start" });
    heading?.focus();
  }

  override render() {
    return html`
      <header>
        <h1>pyDirect Portal</h1>
        <p class="muted">Flash, provision and verify pyDirect boards from this browser tab.</p>
      </header>
      <pydirect-update-prompt ?open=${this.updateAvailable} ?busy=${this.busy}></pydirect-update-prompt>
      <main>
        <pydirect-flow
          .session=${this.session}
          .ports=${this.ports}
          .environmentProblem=${this.environmentProblem}
          .demoAccessPoints=${DEMO_NETWORK_NOTE.map((ap) => ({ ...ap }))}
          @pydirect-board-finished=${() => void (this.deviceList as PydirectDeviceList | null)?.refresh()}
          @pydirect-reverify=${this.reverify}
          lineAvailable
          @pydirect-open-line=${() => void this.showLine()}
        ></pydirect-flow>
        <section class="line" aria-label="Production line">
          ${
            this.line
              ? html`<pydirect-line-grid
                  .line=${this.line}
                  .error=${this.lineError}
                  .firmwareLabel=${this.lineFirmware}
                  .ssid=${this.lineSsid}
                  .wifiSaved=${this.lineWifiSaved}
                  .demoAccessPoints=${this.demoNetworks}
                  @pydirect-board-finished=${() => void (this.deviceList as PydirectDeviceList | null)?.refresh()}
                ></pydirect-line-grid>`
              : html`<button
                  class="secondary"
                  id="open-line-grid"
                  ?disabled=${!this.session}
                  @click=${() => void this.showLine()}
                >
                  Production line: several boards at once…
                </button>`
          }
        </section>
        <section class="devices" aria-label="Devices">
          <pydirect-device-list
            .registry=${this.registry}
            @pydirect-reverify=${this.reverify}
            @pydirect-connect-again=${this.connectAgain}
            @pydirect-keep-version=${this.keepVersion}
            @pydirect-open-console=${this.openConsole}
            @pydirect-change-wifi=${this.openWifiChange}
          ></pydirect-device-list>
          <pydirect-wifi-change
            .change=${this.session?.state.wifiChange ?? null}
            .portLabel=${this.session?.state.port?.label ?? null}
            ?demo=${this.session?.state.port?.virtual ?? false}
            @pydirect-change-wifi-port=${() => {
              this.session?.show("connect");
              void this.flow.focusStep();
            }}
            @pydirect-change-wifi-scan=${() => void this.session?.scanWifiChange()}
            @pydirect-change-wifi-apply=${(e: Event) => {
              const d = (e as CustomEvent<{ ssid: string; password: string }>).detail;
              void this.session?.applyWifiChange({ ssid: d.ssid, password: d.password });
            }}
            @pydirect-change-wifi-close=${() => this.session?.closeWifiChange()}
          ></pydirect-wifi-change>
        </section>
        ${
          this.inventorySnapshot
            ? html`<section class="devices" aria-label="Shared inventory">
                <pydirect-inventory-settings
                  .snapshot=${this.inventorySnapshot}
                  .formError=${this.inventoryFormError}
                  @pydirect-inventory-connect=${this.connectInventory}
                  @pydirect-inventory-disconnect=${this.disconnectInventory}
                ></pydirect-inventory-settings>
              </section>`
            : ""
        }
      </main>
    `;
  }

  private readonly connectInventory = async (e: Event): Promise<void> => {
    const detail = (e as CustomEvent<{ url: string; user: string; password: string }>).detail;
    this.inventoryFormError = "";
    try {
      await this.inventory?.connect(detail);
    } catch (err) {
      this.inventoryFormError = err instanceof Error ? err.message : String(err);
    }
  };

  private readonly disconnectInventory = async (): Promise<void> => {
    await this.inventory?.disconnect();
    await (this.deviceList as PydirectDeviceList | null)?.refresh();
  };

  private readonly keepVersion = async (e: Event): Promise<void> => {
    const { key, rev } = (e as CustomEvent<{ key: string; rev: string }>).detail;
    if (!isSharedRegistry(this.registry)) return;
    try {
      await this.registry.resolveConflict(key, rev);
      this.deviceList.notice = "";
    } catch (err) {
      this.deviceList.notice = err instanceof Error ? err.message : String(err);
    }
    await this.deviceList.refresh();
  };

  private readonly connectAgain = async (e: Event): Promise<void> => {
    const id = (e as CustomEvent<{ id: string }>).detail.id;
    if (!this.session) return;
    this.deviceList.notice = "";
    await this.session.connectAgainTo(id);
    await this.deviceList.refresh();
  };

  /** "Console" on a device-list row: the serial console on the board plugged in now. */
  private readonly openConsole = async (e: Event): Promise<void> => {
    const id = (e as CustomEvent<{ id: string }>).detail.id;
    const session = this.session;
    const record = await this.registry?.get(id);
    if (!session || !record) return;
    if (!session.state.port) {
      this.deviceList.notice = `Connect ${record.hostname} (pick its port above), then press Console again.`;
      session.show("connect");
      return;
    }
    this.deviceList.notice = "";
    await this.flow.focusTerminal();
    await session.openTerminal();
  };

  /** "Change Wi-Fi" on a device-list row: the panel below the list (scans when a board is connected). */
  private readonly openWifiChange = async (e: Event): Promise<void> => {
    const id = (e as CustomEvent<{ id: string }>).detail.id;
    if (!this.session) return;
    this.deviceList.notice = "";
    const opened = this.session.openWifiChange(id);
    await this.updateComplete;
    await this.wifiChange.focusPanel();
    await opened;
  };

  private readonly reverify = async (e: Event): Promise<void> => {
    const id = (e as CustomEvent<{ id: string }>).detail.id;
    const session = this.session;
    const record = await this.registry?.get(id);
    if (!session || !record) return;
    if (session.state.connect.status !== "done" || !session.state.port) {
      this.deviceList.notice = `Connect ${record.hostname} (pick its port above), then press Re-verify again.`;
      session.show("connect");
      return;
    }
    this.deviceList.notice = "";
    session.show("verify");
    await session.reverify(record);
    await this.deviceList.refresh();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-portal": PydirectPortal;
  }
}
