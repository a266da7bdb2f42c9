import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { SessionState } from "../core/session/session-types";
import "./error-notice";
import type { VirtualModelOption } from "./session-intents";
import { fire, sharedStyles } from "./shared-styles";

/**
 * Step 1: pick a port (a USB board, or the virtual board) and show what the board is.
 *
 * @fires pydirect-virtual-free-port - the user closed the program holding the in-page virtual board's port.
 * @fires pydirect-pick-port - detail `{ kind: "serial" | "virtual", model?: string }` (model: the virtual board picked).
 */
@customElement("pydirect-connect-step")
export class PydirectConnectStep extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .paths {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr));
        gap: var(--_space);
        margin: 0.5rem 0 0;
      }
      .path {
        display: flex;
        flex-direction: column;
        align-items: flex-start;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: var(--_space);
      }
      .path h3 {
        font-size: 1.05rem;
        margin: 0 0 0.25rem;
      }
      .path p {
        margin: 0 0 0.75rem;
        flex: 1;
      }
      .path select {
        width: 100%;
        margin-bottom: 0.5rem;
      }
      .path label {
        margin-top: 0;
      }
      .phase {
        margin: 0.5rem 0 0;
      }
      .problem {
        border-left: 4px solid var(--_danger);
        padding: 0.5rem 0.75rem;
        margin: 0.5rem 0 1rem;
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;
  /** Why real ports cannot be used here (no Web Serial, insecure context); null when they can. */
  @property({ attribute: false }) environmentProblem: PortalError | null = null;
  /** The last port-picker failure (nothing picked, port in use). */
  @property({ attribute: false }) pickError: PortalError | null = null;
  /** The virtual boards on offer (first: the default); none: a plain "virtual board" button. */
  @property({ attribute: false }) virtualModels: readonly VirtualModelOption[] = [];
  @state() private model: string | null = null;

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const running = s.connect.status === "running";
    const board = s.connect.result;
    const problem = this.environmentProblem;
    const model = this.virtualModels.find((m) => m.id === this.model) ?? this.virtualModels.at(0) ?? null;
    return html`
      <h2 tabindex="-1">Connect your board</h2>
      ${
        problem
          ? html`<p class="problem" role="note" data-problem=${problem.code}>${problem.message}</p>`
          : html`<p class="muted">Plug the board in with a USB data cable, or try the portal on a simulated board.</p>`
      }
      <pydirect-browser-support></pydirect-browser-support>
      <div class="paths">
        <div class="path">
          <h3>Connect a board</h3>
          <p class="muted">An ESP32 on a USB cable: pick its port in the browser's list.</p>
          <button
            id="serial"
            ?disabled=${running || problem !== null}
            @click=${() => fire(this, "pydirect-pick-port", { kind: "serial" })}
          >
            Connect a board
          </button>
        </div>
        <div class="path">
          <h3>No board at hand?</h3>
          <p class="muted">A simulated ESP32 runs in this tab and goes through every step.</p>
          ${
            this.virtualModels.length > 1
              ? html`<label for="virtual-chip">Simulated board</label>
                  <select
                    id="virtual-chip"
                    ?disabled=${running}
                    @change=${(e: Event) => (this.model = (e.target as HTMLSelectElement).value)}
                  >
                    ${this.virtualModels.map((m) => html`<option value=${m.id} ?selected=${m.id === model?.id}>${m.label}</option>`)}
                  </select>`
              : nothing
          }
          <button
            id="virtual"
            class="secondary"
            ?disabled=${running}
            @click=${() => fire(this, "pydirect-pick-port", { kind: "virtual", ...(model ? { model: model.id } : {}) })}
          >
            Try without hardware
          </button>
        </div>
      </div>
      <pydirect-error-notice .error=${this.pickError}></pydirect-error-notice>
      <p class="phase" aria-live="polite">${running ? `${s.connect.phase}…` : ""}</p>
      <pydirect-error-notice .error=${s.connect.status === "error" ? s.connect.error : null}></pydirect-error-notice>
      ${
        // The in-page board's "other program" exists only in the simulator: let the user close it,
        // then "I closed the other program — try again" above opens the port again.
        s.connect.status === "error" && s.connect.error?.code === "port-busy" && s.port?.virtual
          ? html`<button
              id="virtual-free-port"
              type="button"
              class="secondary"
              @click=${() => fire(this, "pydirect-virtual-free-port", {})}
            >
              Close the program holding the virtual board's port
            </button>`
          : nothing
      }
      ${board ? html`<pydirect-board-summary .state=${s}></pydirect-board-summary>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-connect-step": PydirectConnectStep;
  }
}
