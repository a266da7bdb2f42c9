import { LitElement, html } from "lit";
import { SwitchablePortProvider } from "../core/port/port-provider";
import { customElement, property, query, state } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { ProductionLine } from "../core/line/production-line";
import type { DeviceRegistry } from "../core/registry/device-record";
import type { InventorySnapshot, StationInventory } from "../core/registry/station-inventory";
import { isSharedRegistry } from "../core/registry/shared-registry";
import { checkEnvironment, environmentFacts } from "../core/session/environment";
import type { PortalJobs } from "../core/session/jobs";
import type { PortalSession } from "../core/session/portal-session";
import type { FirmwareSourceInput, SessionState } from "../core/session/session-types";
import { lineFirmwareLabel } from "../core/session/first-screen";
import type { AppFactoryMaker, VirtualChoice } from "../demo/virtual-port";
import { DEMO_NETWORK_NOTE } from "../demo/virtual-models";
import { portSources } from "./app-services";
import type { PydirectWifiChange } from "./wifi-change";
import type { PydirectDeviceList } from "./device-list";
import type { PydirectLineGrid } from "./pydirect-line-grid";
import "./pydirect-flow";
import type { PydirectFlow } from "./pydirect-flow";
import type { PortSources } from "./session-intents";
import { prefetchPanels, loadPortalPanels } from "./lazy-panels";
import { DEMO_MANIFEST, loadPortalSession } from "./portal-firmware-sources";
import { portalStyles, renderTabs, tabAfterKey, type PortalTab } from "./portal-tabs";
import { sharedStyles } from "./shared-styles";
import "./update-prompt";

/**
 * The portal page: take an ESP32 from plugged in to flashed, provisioned and verified, with the
 * device list below. The production line and the shared inventory are tabs of their own, loaded
 * when opened (and prefetched when the browser is idle), so a maker with one board sees one path.
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

@customElement("pydirect-portal")
export class PydirectPortal extends LitElement {
  static override styles = [sharedStyles, portalStyles];

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
  private sessionLoading = false;
  @state() private busy = false;
  /** Which of the page's places is shown. */
  @state() tab: PortalTab = "install";
  /** What the production line shares, as the steps chose it (firmware, Wi-Fi network). */
  @state() private lineFirmware = "";
  @state() private lineSsid = "";
  @state() private lineWifiSaved = false;
  @state() private lineError: PortalError | null = null;
  // Null until rendered; the device list and the line grid are defined when their code arrives.
  @query("pydirect-device-list") private deviceList!: PydirectDeviceList | null;
  @query("pydirect-flow") private flow!: PydirectFlow;
  @query("pydirect-wifi-change") private wifiChange!: PydirectWifiChange;
  @query("pydirect-line-grid") private lineGrid!: PydirectLineGrid | null;
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

  override connectedCallback(): void {
    super.connectedCallback();
    // The device list and the step panels after the first paint; the rest when the browser idles.
    void loadPortalPanels();
    prefetchPanels();
  }
  /** The virtual board picked last (for the demo's "unplug" and for tests). */
  lastVirtualBoard: VirtualChoice["board"] | null = null;

  // Like a real board, the virtual one is heard through its port: the serial console logs it.
  private readonly portProvider = new SwitchablePortProvider();
  private readonly ports: PortSources = portSources({
    makeApp: () => this.virtualApp,
    onVirtual: (choice) => (this.lastVirtualBoard = choice.board),
    provider: this.portProvider,
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
    if ((changed.has("jobs") || changed.has("manifest")) && this.jobs && !this.session && !this.sessionLoading) {
      this.sessionLoading = true;
      void this.createSession();
    }
  }

  /**
   * The session core (the five steps' logic) loads right after the first paint, as the later
   * steps' elements do: the page shell paints without it, and Connect appears when it is in.
   */
  private async createSession(): Promise<void> {
    const jobs = this.jobs;
    const session = jobs
      ? await loadPortalSession(this, { jobs, ports: this.portProvider, registry: this.registry })
      : null;
    this.sessionLoading = false;
    if (!session || this.session) return;
    this.session = session;
    session.subscribe((s: SessionState) => {
      this.busy = session.busy;
      // The change-Wi-Fi panel renders from the session state too.
      this.requestUpdate();
      this.lineFirmware = lineFirmwareLabel(s);
      this.lineSsid = s.provision.wifi?.ssid ?? "";
      this.lineWifiSaved = s.provision.wifi?.hasPassword ?? false;
      this.dispatchEvent(new CustomEvent("pydirect-state", { detail: s, bubbles: true, composed: true }));
    });
  }

  /** Load the production line and its grid, and bind the grid's intents to it. */
  openLine(): Promise<void> {
    this.opening ??= (async () => {
      const jobs = this.jobs;
      const session = this.session;
      if (!jobs || !session) return;
      const { openProductionLine } = await import("./line-intents");
      this.unbindLine = await openProductionLine({
        jobs,
        session,
        registry: this.registry,
        makeApp: () => this.virtualApp,
        show: async (line) => {
          this.line = line;
          await this.updateComplete;
          return this.lineGrid;
        },
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
    this.tab = "line";
    await this.openLine();
    await this.updateComplete;
    const grid = this.lineGrid; // @query: null until rendered
    await grid?.updateComplete;
    const heading = grid?.shadowRoot?.querySelector<HTMLElement>("#line-heading");
    heading?.scrollIntoView({ block: "start" });
    heading?.focus();
  }

  /** A hint above the device list (what to do before re-verifying). */
  private setNotice(text: string): void {
    if (this.deviceList) this.deviceList.notice = text;
  }

  /** The device list again from the registry, once its element is defined (it loads after the first paint). */
  private async refreshDevices(): Promise<void> {
    await customElements.whenDefined("pydirect-device-list");
    await this.deviceList?.refresh();
  }

  /** Show one of the page's places (the production line is made when first shown). */
  private selectTab(tab: PortalTab, focus = false): void {
    this.tab = tab;
    if (tab === "line") void this.openLine();
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${tab}`)?.focus());
  }

  private readonly tabKey = (e: KeyboardEvent): void => {
    const to = tabAfterKey(this.tab, e.key);
    if (!to) return;
    e.preventDefault();
    this.selectTab(to, true);
  };

  override render() {
    return html`
      <header>
        <div>
          <div class="brand">
            <img src="./icons/icon.svg" alt="" />
            <h1>pyDirect Portal</h1>
          </div>
          <p class="muted">Flash, provision and verify a pyDirect board from this browser tab.</p>
        </div>
      </header>
      <pydirect-update-prompt ?open=${this.updateAvailable} ?busy=${this.busy}></pydirect-update-prompt>
      ${renderTabs({
        current: this.tab,
        lineReady: this.session !== null,
        inventoryNeedsUser: ["needs-password", "error"].includes(this.inventorySnapshot?.status.state ?? ""),
        select: (tab) => this.selectTab(tab),
        onKey: this.tabKey,
      })}
      <main>
        <div role="tabpanel" id="panel-install" aria-labelledby="tab-install" ?hidden=${this.tab !== "install"}>
          <pydirect-flow
            .session=${this.session}
            .ports=${this.ports}
            .environmentProblem=${this.environmentProblem}
            .demoAccessPoints=${this.demoNetworks}
            @pydirect-board-finished=${() => void this.refreshDevices()}
            @pydirect-reverify=${this.reverify}
            lineAvailable
            @pydirect-open-line=${() => void this.showLine()}
          ></pydirect-flow>
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
        </div>
        <div role="tabpanel" id="panel-line" aria-labelledby="tab-line" ?hidden=${this.tab !== "line"}>
          ${
            this.line
              ? html`<div class="card">
                  <pydirect-line-grid
                    .line=${this.line}
                    .error=${this.lineError}
                    .firmwareLabel=${this.lineFirmware}
                    .ssid=${this.lineSsid}
                    .wifiSaved=${this.lineWifiSaved}
                    .demoAccessPoints=${this.demoNetworks}
                    @pydirect-board-finished=${() => void this.refreshDevices()}
                  ></pydirect-line-grid>
                </div>`
              : html`<p class="muted">Loading the production line…</p>`
          }
        </div>
        <div role="tabpanel" id="panel-settings" aria-labelledby="tab-settings" ?hidden=${this.tab !== "settings"}>
          ${
            this.inventorySnapshot
              ? html`<div class="card">
                  <pydirect-inventory-settings
                    .snapshot=${this.inventorySnapshot}
                    .formError=${this.inventoryFormError}
                    @pydirect-inventory-connect=${this.connectInventory}
                    @pydirect-inventory-disconnect=${this.disconnectInventory}
                  ></pydirect-inventory-settings>
                </div>`
              : html`<p class="muted">Loading…</p>`
          }
        </div>
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
    await this.refreshDevices();
  };

  private readonly keepVersion = async (e: Event): Promise<void> => {
    const { key, rev } = (e as CustomEvent<{ key: string; rev: string }>).detail;
    if (!isSharedRegistry(this.registry)) return;
    try {
      await this.registry.resolveConflict(key, rev);
      this.setNotice("");
    } catch (err) {
      this.setNotice(err instanceof Error ? err.message : String(err));
    }
    await this.refreshDevices();
  };

  private readonly connectAgain = async (e: Event): Promise<void> => {
    const id = (e as CustomEvent<{ id: string }>).detail.id;
    if (!this.session) return;
    this.setNotice("");
    await this.session.connectAgainTo(id);
    await this.refreshDevices();
  };

  /** "Console" on a device-list row: the serial console on the board plugged in now. */
  private readonly openConsole = async (e: Event): Promise<void> => {
    const id = (e as CustomEvent<{ id: string }>).detail.id;
    const session = this.session;
    const record = await this.registry?.get(id);
    if (!session || !record) return;
    if (!session.state.port) {
      this.setNotice(`Connect ${record.hostname} (pick its port above), then press Console again.`);
      session.show("connect");
      return;
    }
    this.setNotice("");
    await this.flow.focusTerminal();
    await session.openTerminal();
  };

  /** "Change Wi-Fi" on a device-list row: the panel below the list (scans when a board is connected). */
  private readonly openWifiChange = async (e: Event): Promise<void> => {
    const id = (e as CustomEvent<{ id: string }>).detail.id;
    if (!this.session) return;
    this.setNotice("");
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
      this.setNotice(`Connect ${record.hostname} (pick its port above), then press Re-verify again.`);
      session.show("connect");
      return;
    }
    this.setNotice("");
    session.show("verify");
    await session.reverify(record);
    await this.refreshDevices();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-portal": PydirectPortal;
  }
}
