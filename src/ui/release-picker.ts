import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ReleaseListing } from "../core/session/session-types";
import { fire, formatBytes, sharedStyles } from "./shared-styles";

/**
 * Versions (and, for pyDirect's releases, products) of a release source, and whether beta
 * versions (pre-releases) are listed.
 *
 * @fires pydirect-select-release - detail `{ version: string, product: string | null }`.
 * @fires pydirect-include-beta - detail `{ include: boolean }`.
 */
@customElement("pydirect-release-picker")
export class PydirectReleasePicker extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0 1rem;
        align-items: end;
      }
      .beta {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        font-weight: normal;
      }
    `,
  ];

  @property({ attribute: false }) listing: ReleaseListing | null = null;
  @property({ type: Boolean, attribute: "include-beta" }) includeBeta = false;
  @property({ type: Boolean }) disabled = false;

  override render() {
    const l = this.listing;
    if (!l) return nothing;
    const version = l.versions.find((v) => v.version === l.version) ?? null;
    return html`<div class="row">
        <div>
          <label for="release-version">Version</label>
          <select
            id="release-version"
            ?disabled=${this.disabled || l.versions.length === 0}
            @change=${this.pickVersion}
          >
            ${l.versions.map((v) => html`<option value=${v.version} ?selected=${v.version === l.version}>${v.version}${v.channel === "beta" ? " (beta)" : ""}</option>`)}
          </select>
        </div>
        ${
          version && version.products.length > 0
            ? html`<div>
                <label for="release-product">Board</label>
                <select id="release-product" ?disabled=${this.disabled} @change=${this.pickProduct}>
                  ${version.products.map(
                    (p) =>
                      html`<option value=${p.product} ?selected=${p.product === l.product}>
                        ${p.product} —
                        ${p.chipFamily}${p.flashSize ? `, ${formatBytes(p.flashSize)} flash` : ""}${p.fits ? "" : " (not this board)"}
                      </option>`,
                  )}
                </select>
              </div>`
            : nothing
        }
        <label class="beta"
          ><input
            type="checkbox"
            id="include-beta"
            .checked=${this.includeBeta}
            ?disabled=${this.disabled}
            @change=${(e: Event) =>
              fire(this, "pydirect-include-beta", { include: (e.target as HTMLInputElement).checked })}
          />
          Show beta versions</label
        >
      </div>
      ${version?.publishedAt ? html`<p class="muted">Published ${version.publishedAt.slice(0, 10)}</p>` : nothing}`;
  }

  private readonly pickVersion = (e: Event): void => {
    fire(this, "pydirect-select-release", {
      version: (e.target as HTMLSelectElement).value,
      product: this.listing?.product ?? null,
    });
  };

  private readonly pickProduct = (e: Event): void => {
    if (!this.listing?.version) return;
    fire(this, "pydirect-select-release", {
      version: this.listing.version,
      product: (e.target as HTMLSelectElement).value,
    });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-release-picker": PydirectReleasePicker;
  }
}
