import { LitElement, css, html } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { DeviceRegistry } from "../core/registry/device-record";
import type { InventorySnapshot, StationInventory } from "../core/registry/station-inventory";
import { isSharedRegistry } from "../core/registry/shared-registry";
import { checkEnvironment, environmentFacts } from "../core/session/environment";
import type { PortalJobs } from "../core/session/jobs";
import { pickSerialPort } from "../core/session/port-picker";
import { PortalSession } from "../core/session/portal-session";
import type { FirmwareSource, SessionState } from "../core/session/session-types";
import { DEMO_ACCESS_POINTS, createVirtualChoice, type AppFactoryMaker, type VirtualChoice } from "../core/session/virtual-port";
import "./device-list";
import type { PydirectDeviceList } from "./device-list";
import "./pydirect-flow";
import type { PydirectFlow } from "./pydirect-flow";
import type { PortSources } from "./session-intents";
import { sharedStyles } from "./shared-styles";
import "./update-prompt";

/**
 * The portal page: take an ESP32 from plugged in to flashed, provisioned and verified, with the
 * device list and the console beside it.
 *
 * @attr manifest - default firmware manifest URL (the demo firmware unless set).
 * @fires pydirect-state - detail `SessionState` on every change.
 * @cssprop --pydirect-accent - accent colour (buttons, current step).
 * @cssprop --pydirect-bg - background of panels.
 * @cssprop --pydirect-fg - text colour.
 * @cssprop --pydirect-radius - corner radius.
 * @cssprop --pydirect-font - font family.
 */
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
      .devices {
        display: block;
        margin-top: 1.5rem;
      }
    `,
  ];

  @property({ type: String }) manifest = "./firmware/demo/manifest.json";
  /** More firmware for the picker (each a manifest URL); the `manifest` one comes first. */
  @property({ attribute: false }) extraSources: FirmwareSource[] = [];
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
  @query("pydirect-device-list") private deviceList!: PydirectDeviceList;
  @query("pydirect-flow") private flow!: PydirectFlow;

  private readonly environmentProblem: PortalError | null = checkEnvironment(environmentFacts());
  /** The virtual board picked last (for the demo's "unplug" and for tests). */
  lastVirtualBoard: VirtualChoice["board"] | null = null;

  private readonly ports: PortSources = {
    pickSerial: () => pickSerialPort(),
    pickVirtual: () => {
      // Like a real board, the virtual one is heard through its port: the serial console logs it.
      const choice = createVirtualChoice({ makeApp: this.virtualApp });
      this.lastVirtualBoard = choice.board;
      return choice;
    },
  };

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
      const sources = [{ label: "pyDirect demo firmware", manifestUrl: new URL(this.manifest, document.baseURI).href }, ...this.extraSources];
      this.session = new PortalSession({ jobs: this.jobs, sources, ...(this.registry ? { registry: this.registry } : {}) });
      this.session.subscribe((s: SessionState) => {
        this.busy = this.session?.busy ?? false;
        this.dispatchEvent(new CustomEvent("pydirect-state", { detail: s, bubbles: true, composed: true }));
      });
    }
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
          .demoAccessPoints=${DEMO_ACCESS_POINTS.map((ap) => ({ ...ap }))}
          @pydirect-board-finished=${() => void this.deviceList?.refresh()}
          @pydirect-reverify=${this.reverify}
        ></pydirect-flow>
        <section class="devices" aria-label="Devices">
          <pydirect-device-list
            .registry=${this.registry}
            @pydirect-reverify=${this.reverify}
            @pydirect-connect-again=${this.connectAgain}
            @pydirect-keep-version=${this.keepVersion}
            @pydirect-open-console=${this.openConsole}
          ></pydirect-device-list>
        </section>
        ${this.inventorySnapshot
          ? html`<section class="devices" aria-label="Shared inventory">
              <pydirect-inventory-settings
                .snapshot=${this.inventorySnapshot}
                .formError=${this.inventoryFormError}
                @pydirect-inventory-connect=${this.connectInventory}
                @pydirect-inventory-disconnect=${this.disconnectInventory}
              ></pydirect-inventory-settings>
            </section>`
          : ""}
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
    await this.deviceList?.refresh();
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
