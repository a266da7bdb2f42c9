import { LitElement, css, html } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { WifiNetwork } from "../core/wifi/wifi-networks";
import { fire, sharedStyles } from "./shared-styles";
import "./wifi-picker";

/**
 * The Wi-Fi join form shared by Improv setup and "Change Wi-Fi": the scan picker, the network name
 * and the password. A pick fills the name and moves the caret to where the user types next; on
 * submit the password goes into the event only and the field is cleared. The picker's
 * `pydirect-wifi-rescan` passes through for the host to act on.
 *
 * @fires pydirect-wifi-join - detail `{ ssid, password }`.
 * @csspart form - the form.
 */
@customElement("pydirect-wifi-join-form")
export class PydirectWifiJoinForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      input {
        width: min(22rem, 100%);
      }
    `,
  ];

  @property({ attribute: false }) networks: WifiNetwork[] | null = null;
  @property({ type: Boolean }) scanning = false;
  /** Scanning or joining: every control is disabled. */
  @property({ type: Boolean }) busy = false;
  @property({ attribute: false }) scanError: PortalError | null = null;
  /** The virtual board: its networks are demo data. */
  @property({ type: Boolean }) demo = false;
  /** Prefix of the inputs' ids (`<prefix>-ssid`, `<prefix>-password`), which the host's tests and labels use. */
  @property({ type: String, attribute: "id-prefix" }) idPrefix = "wifi";
  @property({ type: String, attribute: "submit-id" }) submitId = "wifi-join";
  @property({ type: String, attribute: "submit-label" }) submitLabel = "Connect";
  @state() private picked = "";
  @state() private hiddenChosen = false;
  @query("input[data-field=ssid]") private ssidInput!: HTMLInputElement;
  @query("input[data-field=password]") private passwordInput!: HTMLInputElement;

  override render() {
    const ssidId = `${this.idPrefix}-ssid`;
    const passwordId = `${this.idPrefix}-password`;
    return html`<form part="form" @submit=${this.submit} novalidate>
      <pydirect-wifi-picker
        .networks=${this.networks}
        ?scanning=${this.scanning}
        ?disabled=${this.busy}
        .selected=${this.picked}
        ?hidden-chosen=${this.hiddenChosen}
        .error=${this.scanError}
        ?demo=${this.demo}
        @pydirect-wifi-pick=${this.onPick}
      ></pydirect-wifi-picker>
      <label for=${ssidId}>Wi-Fi network (SSID)</label>
      <input id=${ssidId} data-field="ssid" autocomplete="off" ?disabled=${this.busy} />
      <label for=${passwordId}>Wi-Fi password</label>
      <input id=${passwordId} data-field="password" type="password" autocomplete="off" ?disabled=${this.busy} />
      <div><button type="submit" id=${this.submitId} ?disabled=${this.busy}>${this.submitLabel}</button></div>
    </form>`;
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
    fire(this, "pydirect-wifi-join", { ssid: this.ssidInput.value, password: this.passwordInput.value });
    this.passwordInput.value = "";
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-wifi-join-form": PydirectWifiJoinForm;
  }
}
