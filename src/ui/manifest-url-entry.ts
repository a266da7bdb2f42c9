import { LitElement, css, html } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import { fire, sharedStyles } from "./shared-styles";

/**
 * A manifest URL typed into the page.
 *
 * @fires pydirect-enter-manifest-url - detail `{ url: string }` when the user loads it.
 */
@customElement("pydirect-manifest-url-entry")
export class PydirectManifestUrlEntry extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      input {
        flex: 1 1 20rem;
      }
    `,
  ];

  @property({ type: String }) value = "";
  @property({ type: Boolean }) disabled = false;
  @query("input") private input!: HTMLInputElement;

  override render() {
    return html`<label for="manifest-url">Manifest URL</label>
      <form novalidate @submit=${this.submit}>
        <input
          id="manifest-url"
          type="url"
          inputmode="url"
          autocomplete="url"
          placeholder="https://example.com/firmware/manifest.json"
          .value=${this.value}
          ?disabled=${this.disabled}
          required
        />
        <button type="submit" id="load-url" ?disabled=${this.disabled}>Load</button>
      </form>`;
  }

  private readonly submit = (e: Event): void => {
    e.preventDefault();
    fire(this, "pydirect-enter-manifest-url", { url: this.input.value });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-manifest-url-entry": PydirectManifestUrlEntry;
  }
}
