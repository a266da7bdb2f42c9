import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { SessionState } from "../core/session/session-types";
import "./board-summary";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";

/**
 * Step 1: pick a port (a USB board, or the virtual board) and show what the board is.
 *
 * @fires pydirect-pick-port - detail `{ kind: "serial" | "virtual" }`.
 */
@customElement("pydirect-connect-step")
export class PydirectConnectStep extends LitElement {
  static override styles = [
    sharedStyles,
    css`
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
  @property({ type: String, attribute: "virtual-label" }) virtualLabel = "Virtual ESP32-S3 — try without hardware";

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const running = s.connect.status === "running";
    const board = s.connect.result;
    const problem = this.environmentProblem;
    return html`
      <h2 tabindex="-1">Connect your board</h2>
      ${problem
        ? html`<p class="problem" role="note" data-problem=${problem.code}>${problem.message}</p>`
        : html`<p class="muted">Plug the board in with a USB data cable, then pick its port.</p>`}
      <button id="serial" ?disabled=${running || problem !== null} @click=${() => fire(this, "pydirect-pick-port", { kind: "serial" })}>
        Connect USB board
      </button>
      <button id="virtual" class="secondary" ?disabled=${running} @click=${() => fire(this, "pydirect-pick-port", { kind: "virtual" })}>
        ${this.virtualLabel}
      </button>
      <pydirect-error-notice .error=${this.pickError}></pydirect-error-notice>
      <p class="phase" aria-live="polite">${running ? `${s.connect.phase}…` : ""}</p>
      <pydirect-error-notice .error=${s.connect.status === "error" ? s.connect.error : null}></pydirect-error-notice>
      ${board ? html`<pydirect-board-summary .state=${s}></pydirect-board-summary>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-connect-step": PydirectConnectStep;
  }
}
