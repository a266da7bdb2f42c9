import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { firmwareReadiness } from "../core/session/first-screen";
import type { EraseDecision, SessionState } from "../core/session/session-types";
import "./board-summary";
import "./error-notice";
import "./firmware-sources";
import { fire, sharedStyles } from "./shared-styles";

/**
 * The per-source panels load with the Firmware step, not with the first paint: elements rendered
 * before their definition arrives keep their properties and upgrade in place.
 */
let panels: Promise<unknown> | null = null;
const loadPanels = (): Promise<unknown> =>
  (panels ??= Promise.all([
    import("./release-picker"),
    import("./local-firmware-files"),
    import("./manifest-url-entry"),
  ]));

const REASON: Record<EraseDecision["reason"], string> = {
  "already-installed":
    "This version is already on the board: nothing needs flashing (install again only to repair it).",
  "update-same-firmware": "An older version of this firmware is on the board: updating keeps its settings and files.",
  "downgrade-same-firmware":
    "A newer version of this firmware is on the board: installing this one keeps its settings and files.",
  "new-install": "Different firmware is on the board: a new install erases flash first.",
  "new-install-ask": "This firmware lets you choose whether a new install erases the board.",
  "manifest-skips-erase": "The firmware's manifest asks not to erase.",
  "user-choice": "Your choice.",
};

/**
 * Step 2: where the firmware comes from (one list), which version, and whether to erase first.
 *
 * @fires pydirect-select-source - detail `{ id: string }` (from the source list).
 * @fires pydirect-select-version - detail `{ version: string }`.
 * @fires pydirect-set-erase - detail `{ erase: boolean }`.
 * @fires pydirect-continue - detail `{ to: "flash" }` when the user goes on.
 * @fires pydirect-skip-flash - the firmware is already installed: go on to provisioning.
 */
@customElement("pydirect-firmware-step")
export class PydirectFirmwareStep extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .refused {
        border-left: 4px solid var(--_danger);
        padding: 0.5rem 0.75rem;
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void loadPanels();
  }

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const fw = s.firmware;
    const offer = fw.result;
    const busy = fw.status === "running";
    const readiness = firmwareReadiness(s);
    const source = fw.sources.find((x) => x.id === fw.selected) ?? null;
    const installed = s.erase?.reason === "already-installed" && s.connect.status === "done";
    const noMirror = fw.status === "error" && fw.error?.code === "no-cors-mirror";
    return html`
      <h2 tabindex="-1">Choose firmware</h2>
      <pydirect-board-summary .state=${s}></pydirect-board-summary>
      <pydirect-firmware-sources
        .sources=${fw.sources}
        .selected=${fw.selected}
        ?disabled=${busy}
      ></pydirect-firmware-sources>
      ${source?.kind === "typed-url" ? html`<pydirect-manifest-url-entry .value=${source.manifestUrl ?? ""} ?disabled=${busy}></pydirect-manifest-url-entry>` : nothing}
      ${
        fw.releases && fw.releases.sourceId === fw.selected
          ? html`<pydirect-release-picker
              .listing=${fw.releases}
              ?include-beta=${fw.includeBeta}
              ?disabled=${busy}
            ></pydirect-release-picker>`
          : nothing
      }
      ${source?.kind === "local-files" ? html`<pydirect-local-firmware-files .local=${fw.local} ?disabled=${busy}></pydirect-local-firmware-files>` : nothing}
      ${
        fw.choices.length > 1
          ? html`<label for="version">Version</label>
              <select
                id="version"
                ?disabled=${busy}
                @change=${(e: Event) => fire(this, "pydirect-select-version", { version: (e.target as HTMLSelectElement).value })}
              >
                ${fw.choices.map((c) => html`<option value=${c.version} ?selected=${c.version === offer?.version}>${c.version}${c.channel === "beta" ? " (beta)" : ""}</option>`)}
              </select>`
          : nothing
      }
      <p class="phase" aria-live="polite">${busy ? `${fw.phase}…` : ""}</p>
      <pydirect-error-notice .error=${fw.status === "error" ? fw.error : null}></pydirect-error-notice>
      ${
        noMirror && fw.error && "releasePageUrl" in fw.error && typeof fw.error.releasePageUrl === "string"
          ? html`<p><a href=${fw.error.releasePageUrl} target="_blank" rel="noopener">Open the release page</a></p>`
          : nothing
      }
      ${
        noMirror
          ? html`<pydirect-local-firmware-files
              ?disabled=${busy}
              .prompt=${"Download the .bin from the release page and drop it here."}
            ></pydirect-local-firmware-files>`
          : nothing
      }
      ${
        offer && fw.status === "done"
          ? html`<dl aria-label="Selected firmware">
                <dt>Name</dt>
                <dd data-field="name">${offer.name}</dd>
                <dt>Version</dt>
                <dd data-field="version">${offer.version}</dd>
                <dt>Chips</dt>
                <dd>${offer.chipFamilies.join(", ")}</dd>
              </dl>
              ${offer.releaseNotes ? html`<p class="muted">${offer.releaseNotes}</p>` : nothing}
              ${readiness.problem ? html`<p role="note" class="refused" id="firmware-problem">${readiness.problem}</p>` : nothing}`
          : nothing
      }
      ${
        s.erase && offer && fw.status === "done"
          ? html`<label>
                <input
                  type="checkbox"
                  id="erase"
                  .checked=${s.erase.erase}
                  @change=${(e: Event) => fire(this, "pydirect-set-erase", { erase: (e.target as HTMLInputElement).checked })}
                />
                Erase the board first (removes its settings and files)
              </label>
              <p class="muted" id="erase-reason" data-reason=${s.erase.reason}>${REASON[s.erase.reason]}</p>`
          : nothing
      }
      ${
        installed && offer
          ? html`<p class="ok" role="status" id="already-installed">
                Already installed: ${offer.name} ${offer.version} is on this board.
              </p>
              <button id="skip-install" ?disabled=${busy} @click=${() => fire(this, "pydirect-skip-flash")}>
                Continue to provisioning
              </button>
              <button
                id="continue"
                class="secondary"
                ?disabled=${busy}
                @click=${() => fire(this, "pydirect-continue", { to: "flash" })}
              >
                Install again
              </button>`
          : html`<button
              id="continue"
              ?disabled=${!readiness.ready || busy}
              @click=${() => fire(this, "pydirect-continue", { to: "flash" })}
            >
              Continue to install
            </button>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-firmware-step": PydirectFirmwareStep;
  }
}
