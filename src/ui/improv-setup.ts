import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { SessionState } from "../core/session/session-types";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";
import "./wifi-picker";

/**
 * Wi-Fi for firmware that speaks Improv Wi-Fi Serial (ESPHome, WLED, …), as ESP Web Tools offers
 * it after an install: what the device says it is, the networks it sees, the password, and once it
 * has joined, a link to the address it returned. The password goes into the intent event only.
 *
 * @fires pydirect-improv-connect - detail `{ ssid, password }`.
 * @fires pydirect-wifi-rescan - scan again (RPC 4).
 * @csspart device - the device's name, firmware and version.
 * @cssprop --pydirect-ok - the "connected" line.
 */
@customElement("pydirect-improv-setup")
export class PydirectImprovSetup extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      input {
        width: min(22rem, 100%);
      }
      .joined {
        color: var(--_ok);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;
  /** The virtual board: its networks are demo data. */
  @property({ type: Boolean }) demo = false;
  @state() private picked = "";
  @state() private hiddenChosen = false;
  @query("#improv-ssid") private ssidInput!: HTMLInputElement;
  @query("#improv-password") private passwordInput!: HTMLInputElement;

  override render() {
    const w = this.state?.wifiSetup;
    if (!w || w.choice?.kind !== "improv") return nothing;
    const d = w.choice.device;
    const busy = w.status !== "idle";
    return html`
      <p class="muted">This firmware speaks Improv Wi-Fi: the board joins your network with what you enter here, sent only to it over USB.</p>
      <dl part="device" aria-label="Device">
        <dt>Device</dt>
        <dd data-field="improv-name">${d.name || "unnamed"}</dd>
        <dt>Firmware</dt>
        <dd data-field="improv-firmware">${d.firmware}</dd>
        <dt>Version</dt>
        <dd data-field="improv-version">${d.version}</dd>
        ${d.chip ? html`<dt>Chip</dt><dd>${d.chip}</dd>` : nothing}
      </dl>
      ${w.improvResult
        ? html`<p class="joined" role="status" id="improv-joined">The board joined “${w.improvResult.ssid}”.</p>
            ${w.improvResult.url
              ? html`<p><a id="visit-device" href=${w.improvResult.url} target="_blank" rel="noopener">Visit device (${w.improvResult.url})</a></p>`
              : html`<p class="muted">The device did not say where its own page is.</p>`}`
        : nothing}
      <form @submit=${this.submit} novalidate>
        <pydirect-wifi-picker
          .networks=${w.networks}
          ?scanning=${w.status === "scanning"}
          ?disabled=${busy}
          .selected=${this.picked}
          ?hidden-chosen=${this.hiddenChosen}
          .error=${w.scanError}
          ?demo=${this.demo}
          @pydirect-wifi-pick=${this.onPick}
        ></pydirect-wifi-picker>
        <label for="improv-ssid">Wi-Fi network (SSID)</label>
        <input id="improv-ssid" autocomplete="off" ?disabled=${busy} />
        <label for="improv-password">Wi-Fi password</label>
        <input id="improv-password" type="password" autocomplete="off" ?disabled=${busy} />
        <div><button type="submit" id="improv-connect" ?disabled=${busy}>${w.improvResult ? "Join another network" : "Connect"}</button></div>
      </form>
      <p class="phase" role="status">${w.status === "connecting" ? `${w.phase}…` : ""}</p>
      <pydirect-error-notice .error=${w.error}></pydirect-error-notice>
    `;
  }

  private readonly onPick = (e: Event): void => {
    e.stopPropagation();
    const d = (e as CustomEvent<{ ssid: string; hidden: boolean; commit: boolean }>).detail;
    this.picked = d.ssid;
    this.hiddenChosen = d.hidden;
    if (!d.hidden) this.ssidInput.value = d.ssid;
    if (d.commit) (d.hidden ? this.ssidInput : this.passwordInput).focus();
  };

  private submit(e: Event): void {
    e.preventDefault();
    fire(this, "pydirect-improv-connect", { ssid: this.ssidInput.value, password: this.passwordInput.value });
    this.passwordInput.value = "";
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-improv-setup": PydirectImprovSetup;
  }
}
