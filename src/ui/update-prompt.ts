import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { fire, sharedStyles } from "./shared-styles";

/**
 * "A new version of the portal is ready": shown when the service worker has an update waiting.
 *
 * @fires pydirect-apply-update - the user chose to reload into the new version.
 */
@customElement("pydirect-update-prompt")
export class PydirectUpdatePrompt extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      div {
        border: 2px solid var(--_accent);
        border-radius: var(--_radius);
        padding: 0.5rem 1rem;
        margin: 0 0 1rem;
      }
    `,
  ];

  @property({ type: Boolean, reflect: true }) open = false;
  /** Off while a job runs: reloading mid-flash would leave the board half-written. */
  @property({ type: Boolean }) busy = false;

  override render() {
    if (!this.open) return nothing;
    return html`<div role="status">
      A new version of the portal is ready.
      <button id="reload" ?disabled=${this.busy} @click=${() => fire(this, "pydirect-apply-update")}>
        Reload to update
      </button>
      <button class="secondary" @click=${() => (this.open = false)}>Later</button>
      ${this.busy ? html`<span class="muted">(after the current step finishes)</span>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-update-prompt": PydirectUpdatePrompt;
  }
}
