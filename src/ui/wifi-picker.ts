import { LitElement, css, html, nothing, svg } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import { signalText, type WifiNetwork } from "../core/wifi/wifi-networks";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";

/**
 * The networks a board sees, strongest first, as a radio group: arrow keys move between them (and
 * pick, as radios do), each row says its signal in words beside the bars, whether it is secured,
 * and its channel when the scan reports one. The last choice is a hidden network typed by hand.
 * Used by the Provision step (pyDirect and Improv) and by "Change Wi-Fi".
 *
 * Arrow keys only fill the name (focus stays in the group, so the user can go on); a click, Enter
 * or Space confirms (`commit`), and the host moves the caret to the password (or the name).
 *
 * @fires pydirect-wifi-pick - detail `{ ssid, secured, hidden, commit }` (`hidden`: the user will type the name).
 * @fires pydirect-wifi-rescan - scan again.
 * @csspart list - the group of networks.
 * @cssprop --pydirect-accent - the bars and the chosen row.
 */
/** A padlock drawn inline (no emoji font needed), in the text colour. */
const LOCK = svg`<svg class="lock" viewBox="0 0 12 14" width="10" height="12" aria-hidden="true"><rect x="1" y="6" width="10" height="8" rx="1.5" fill="currentColor"/><path d="M3.5 6V4a2.5 2.5 0 0 1 5 0v2" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>`;

@customElement("pydirect-wifi-picker")
export class PydirectWifiPicker extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      fieldset {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.25rem 0.5rem 0.5rem;
        margin: 0.5rem 0;
        max-height: 16rem;
        overflow-y: auto;
      }
      legend {
        font-weight: 600;
        padding: 0 0.25rem;
      }
      label.row {
        display: grid;
        grid-template-columns: auto 1.6rem 1fr auto;
        align-items: center;
        gap: 0.5rem;
        font-weight: 400;
        margin: 0;
        padding: 0.3rem 0.25rem;
        border-radius: calc(var(--_radius) / 2);
        cursor: pointer;
      }
      label.row:has(input:checked) {
        background: color-mix(in srgb, var(--_accent) 12%, transparent);
      }
      .bars {
        display: inline-flex;
        align-items: flex-end;
        gap: 2px;
        height: 1rem;
      }
      .bars span {
        width: 4px;
        background: var(--_border);
        border-radius: 1px;
      }
      .bars span.on {
        background: var(--_accent);
      }
      .ssid {
        overflow-wrap: anywhere;
      }
      .meta {
        color: var(--_muted);
        font-size: 0.85rem;
        white-space: nowrap;
      }
    `,
  ];

  /** The scan; null before the first one. */
  @property({ attribute: false }) networks: WifiNetwork[] | null = null;
  @property({ type: Boolean }) scanning = false;
  @property({ type: Boolean }) disabled = false;
  /** The SSID chosen now (the radio shown checked). */
  @property({ type: String }) selected = "";
  /** The hidden-network choice is on. */
  @property({ type: Boolean, attribute: "hidden-chosen" }) hiddenChosen = false;
  @property({ attribute: false }) error: PortalError | null = null;
  /** Tells the user the networks are simulated (the virtual board). */
  @property({ type: Boolean }) demo = false;

  override render() {
    const list = this.networks ?? [];
    return html`
      <fieldset part="list" ?disabled=${this.disabled || this.scanning}>
        <legend>
          Networks the board can
          see${this.demo ? html` <span class="muted">(demo data: simulated networks)</span>` : nothing}
        </legend>
        ${this.networks === null && !this.scanning ? html`<p class="muted">Not scanned yet.</p>` : nothing}
        ${this.networks !== null && list.length === 0 && !this.scanning ? html`<p class="muted">The board sees no networks. Move it closer to the router, or type a hidden network's name.</p>` : nothing}
        ${list.map((n) => this.row(n))}
        <label class="row">
          <input
            type="radio"
            name="network"
            value=""
            .checked=${this.hiddenChosen}
            @change=${() => this.pick("", true, true, false)}
            @click=${(e: MouseEvent) => e.detail > 0 && this.pick("", true, true, true)}
            @keydown=${(e: KeyboardEvent) => this.confirmKey(e, "", true, true)}
          />
          <span aria-hidden="true"></span>
          <span class="ssid">Hidden network (type its name)</span>
          <span></span>
        </label>
      </fieldset>
      <button
        type="button"
        class="secondary"
        id="rescan"
        ?disabled=${this.disabled || this.scanning}
        @click=${() => fire(this, "pydirect-wifi-rescan")}
      >
        ${this.scanning ? "Scanning…" : "Rescan"}
      </button>
      <span class="phase" role="status"
        >${this.scanning ? "Scanning for networks…" : this.networks ? `${list.length} network${list.length === 1 ? "" : "s"} found.` : ""}</span
      >
      <pydirect-error-notice .error=${this.error}></pydirect-error-notice>
    `;
  }

  private pick(ssid: string, secured: boolean, hidden: boolean, commit: boolean): void {
    fire(this, "pydirect-wifi-pick", { ssid, secured, hidden, commit });
  }

  private confirmKey(e: KeyboardEvent, ssid: string, secured: boolean, hidden: boolean): void {
    if (e.key !== "Enter" && e.key !== " ") return;
    // Enter would submit the surrounding form with an empty password: it confirms the row instead.
    e.preventDefault();
    (e.target as HTMLInputElement).checked = true;
    this.pick(ssid, secured, hidden, true);
  }

  private row(n: WifiNetwork) {
    const signal = signalText(n.bars);
    const security = n.secured ? "secured" : "open";
    const channel = n.channel !== null ? `, channel ${n.channel}` : "";
    return html`<label class="row" data-ssid=${n.ssid}>
      <input
        type="radio"
        name="network"
        .value=${n.ssid}
        .checked=${!this.hiddenChosen && this.selected === n.ssid}
        aria-label="${n.ssid}, ${signal}, ${security}${channel}"
        @change=${() => this.pick(n.ssid, n.secured, false, false)}
        @click=${(e: MouseEvent) => e.detail > 0 && this.pick(n.ssid, n.secured, false, true)}
        @keydown=${(e: KeyboardEvent) => this.confirmKey(e, n.ssid, n.secured, false)}
      />
      <span class="bars" aria-hidden="true"
        >${[1, 2, 3, 4].map((b) => html`<span class=${b <= n.bars ? "on" : ""} style="height:${25 * b}%"></span>`)}</span
      >
      <span class="ssid">${n.ssid}</span>
      <span class="meta" aria-hidden="true"
        >${n.secured ? html`${LOCK} secured` : "open"}${n.channel !== null ? ` · ch ${n.channel}` : ""} ·
        ${n.bars}/4</span
      >
    </label>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-wifi-picker": PydirectWifiPicker;
  }
}
