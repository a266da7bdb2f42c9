import { LitElement, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { EraseDecision, SessionState } from "../core/session/session-types";
import "./board-summary";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";

const REASON: Record<EraseDecision["reason"], string> = {
  "already-installed": "This version is already on the board: nothing needs flashing (install again only to repair it).",
  "update-same-firmware": "An older version of this firmware is on the board: updating keeps its settings and files.",
  "downgrade-same-firmware": "A newer version of this firmware is on the board: installing this one keeps its settings and files.",
  "new-install": "Different firmware is on the board: a new install erases flash first.",
  "new-install-ask": "This firmware lets you choose whether a new install erases the board.",
  "manifest-skips-erase": "The firmware's manifest asks not to erase.",
  "user-choice": "Your choice.",
};

/**
 * Step 2: which firmware (and version) to install, and whether to erase first.
 *
 * @fires pydirect-select-firmware - detail `{ manifestUrl: string }`.
 * @fires pydirect-select-version - detail `{ version: string }`.
 * @fires pydirect-set-erase - detail `{ erase: boolean }`.
 * @fires pydirect-continue - detail `{ to: "flash" }` when the user goes on.
 */
@customElement("pydirect-firmware-step")
export class PydirectFirmwareStep extends LitElement {
  static override styles = [sharedStyles];

  @property({ attribute: false }) state: SessionState | null = null;

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const fw = s.firmware;
    const offer = fw.result;
    const busy = fw.status === "running";
    const chip = s.connect.result?.chip;
    const fits = !offer || !chip || offer.chipFamilies.includes(chip);
    return html`
      <h2 tabindex="-1">Choose firmware</h2>
      <pydirect-board-summary .state=${s}></pydirect-board-summary>
      <label for="source">Firmware</label>
      <select id="source" ?disabled=${busy} @change=${(e: Event) => fire(this, "pydirect-select-firmware", { manifestUrl: (e.target as HTMLSelectElement).value })}>
        ${fw.sources.map((src) => html`<option value=${src.manifestUrl} ?selected=${src.manifestUrl === fw.selected}>${src.label}</option>`)}
      </select>
      ${fw.choices.length > 1
        ? html`<label for="version">Version</label>
            <select id="version" ?disabled=${busy} @change=${(e: Event) => fire(this, "pydirect-select-version", { version: (e.target as HTMLSelectElement).value })}>
              ${fw.choices.map((c) => html`<option value=${c.version} ?selected=${c.version === offer?.version}>${c.version}${c.channel === "beta" ? " (beta)" : ""}</option>`)}
            </select>`
        : nothing}
      <p class="phase" aria-live="polite">${busy ? `${fw.phase}…` : ""}</p>
      <pydirect-error-notice .error=${fw.status === "error" ? fw.error : null}></pydirect-error-notice>
      ${offer
        ? html`<dl aria-label="Selected firmware">
            <dt>Name</dt>
            <dd data-field="name">${offer.name}</dd>
            <dt>Version</dt>
            <dd data-field="version">${offer.version}</dd>
            <dt>Chips</dt>
            <dd>${offer.chipFamilies.join(", ")}</dd>
          </dl>
          ${offer.releaseNotes ? html`<p class="muted">${offer.releaseNotes}</p>` : nothing}
          ${fits ? nothing : html`<p role="note">This firmware has no build for ${chip}; the install will refuse it.</p>`}`
        : nothing}
      ${s.erase
        ? html`<label>
              <input
                type="checkbox"
                id="erase"
                .checked=${s.erase.erase}
                @change=${(e: Event) => fire(this, "pydirect-set-erase", { erase: (e.target as HTMLInputElement).checked })}
              />
              Erase the board first (removes its settings and files)
            </label>
            <p class="muted" id="erase-reason">${REASON[s.erase.reason]}</p>`
        : nothing}
      <button id="continue" ?disabled=${!offer || busy || s.connect.status !== "done"} @click=${() => fire(this, "pydirect-continue", { to: "flash" })}>
        Continue to install
      </button>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-firmware-step": PydirectFirmwareStep;
  }
}
