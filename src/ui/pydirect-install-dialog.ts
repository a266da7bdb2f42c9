import { LitElement, css, html } from "lit";
import { SwitchablePortProvider } from "../core/port/port-provider";
import { customElement, property, query, state } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { DeviceRegistry } from "../core/registry/device-record";
import { createPortalJobs } from "../core/session/default-jobs";
import { checkEnvironment, environmentFacts } from "../core/session/environment";
import { PortalSession } from "../core/session/portal-session";
import type { SessionState } from "../core/session/session-types";
import { DEMO_NETWORK_NOTE } from "../demo/virtual-models";
import { createDeviceRegistry, portSources } from "./app-services";
import "./pydirect-flow";
import type { PortSources } from "./session-intents";
import { sharedStyles } from "./shared-styles";

/**
 * The install flow in a modal dialog, loaded by `<pydirect-install-button>` on first click.
 *
 * @fires pydirect-state - detail `SessionState` on every change.
 * @fires pydirect-install-complete - detail `{ hostname, mac, chip, certFingerprint, firmwareVersion }` after a board verified.
 * @csspart dialog - the <dialog>.
 */
@customElement("pydirect-install-dialog")
export class PydirectInstallDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dialog {
        width: min(44rem, 94vw);
        max-height: 92vh;
        border: 0;
        border-radius: var(--_radius);
        padding: 1rem 1.25rem;
        background: var(--_bg);
        color: var(--_fg);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.45);
      }
      header {
        display: flex;
        justify-content: space-between;
        align-items: center;
      }
      header h2 {
        margin: 0;
      }
    `,
  ];

  @property({ type: String }) manifest = "";
  @state() private session: PortalSession | null = null;
  @query("dialog") private dialogEl!: HTMLDialogElement;
  private registry: DeviceRegistry | undefined;
  private readonly environmentProblem: PortalError | null = checkEnvironment(environmentFacts());
  // Like a real board, the virtual one is heard through its port: the serial console logs it.
  private readonly portProvider = new SwitchablePortProvider();
  // On another site the demo images are not at hand: no board that comes flashed with one.
  private readonly ports: PortSources = portSources({ provider: this.portProvider, preflashedModels: false });

  /** Open the dialog (a session is made on first open). */
  open(): void {
    if (!this.session) {
      this.registry = createDeviceRegistry();
      this.session = new PortalSession({
        jobs: createPortalJobs({ registry: this.registry }),
        sources: [{ label: "Firmware", manifestUrl: this.manifest }],
        registry: this.registry,
        ports: this.portProvider,
      });
      let verified = 0;
      this.session.subscribe((s: SessionState) => {
        if (s.boardsDone > verified && s.provision.result && s.connect.result) {
          verified = s.boardsDone;
          this.dispatchEvent(
            new CustomEvent("pydirect-install-complete", {
              detail: {
                hostname: s.provision.result.hostname,
                mac: s.connect.result.mac,
                chip: s.connect.result.chip,
                certFingerprint: s.provision.result.certFingerprint,
                firmwareVersion: s.connect.result.firmware?.version ?? null,
              },
              bubbles: true,
              composed: true,
            }),
          );
        }
      });
    }
    void this.updateComplete.then(() => {
      if (!this.dialogEl.open) this.dialogEl.showModal();
    });
  }

  close(): void {
    if (this.session?.busy) return;
    this.dialogEl.close();
  }

  override render() {
    return html`<dialog part="dialog" aria-labelledby="title" @cancel=${this.onCancel}>
      <header>
        <h2 id="title">Install pyDirect firmware</h2>
        <button
          class="secondary"
          aria-label="Close"
          ?disabled=${this.session?.busy ?? false}
          @click=${() => this.close()}
        >
          Close
        </button>
      </header>
      <pydirect-flow
        .session=${this.session}
        .ports=${this.ports}
        .environmentProblem=${this.environmentProblem}
        .demoAccessPoints=${DEMO_NETWORK_NOTE.map((ap) => ({ ...ap }))}
        @pydirect-state=${() => this.requestUpdate()}
      ></pydirect-flow>
    </dialog>`;
  }

  private onCancel(e: Event): void {
    // Escape must not close the dialog in the middle of a flash.
    if (this.session?.busy) e.preventDefault();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-install-dialog": PydirectInstallDialog;
  }
}
