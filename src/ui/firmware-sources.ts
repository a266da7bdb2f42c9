import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { FirmwareSource } from "../core/session/session-types";
import { fire, sharedStyles } from "./shared-styles";

const HINT: Record<FirmwareSource["kind"], string> = {
  "manifest-url": "",
  "typed-url": "Any ESP Web Tools manifest.json on the web (served with CORS headers).",
  "pydirect-releases": "Published pyDirect builds, downloaded from a CORS-enabled mirror.",
  "portal-releases": "Builds published with this portal.",
  "local-files": "A manifest.json with its parts, a folder, one merged .bin or several .bin files.",
};

/**
 * The firmware sources as one list of radio buttons (arrow keys move between them, as for any
 * radio group).
 *
 * @fires pydirect-select-source - detail `{ id: string }` when another source is picked.
 * @csspart source - each source's row.
 */
@customElement("pydirect-firmware-sources")
export class PydirectFirmwareSources extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      fieldset {
        border: 0;
        padding: 0;
        margin: 0 0 0.75rem;
      }
      legend {
        font-weight: 600;
        margin-bottom: 0.25rem;
      }
      .row {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        padding: 0.2rem 0;
      }
      .row label {
        display: inline;
        margin: 0;
      }
      .hint {
        display: block;
        font-weight: normal;
        font-size: 0.9em;
      }
    `,
  ];

  @property({ attribute: false }) sources: FirmwareSource[] = [];
  @property({ attribute: false }) selected: string | null = null;
  @property({ type: Boolean }) disabled = false;

  override render() {
    return html`<fieldset ?disabled=${this.disabled}>
      <legend>Where the firmware comes from</legend>
      ${this.sources.map(
        (s, i) =>
          html`<div class="row" part="source" data-source=${s.id} data-kind=${s.kind}>
            <input
              type="radio"
              name="source"
              id="source-${i}"
              .value=${s.id}
              .checked=${s.id === this.selected}
              aria-describedby=${HINT[s.kind] ? `hint-${i}` : nothing}
              @change=${() => fire(this, "pydirect-select-source", { id: s.id })}
            />
            <label for="source-${i}"
              >${s.label}${HINT[s.kind] ? html`<span class="hint muted" id="hint-${i}">${HINT[s.kind]}</span>` : nothing}</label
            >
          </div>`,
      )}
    </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-firmware-sources": PydirectFirmwareSources;
  }
}
