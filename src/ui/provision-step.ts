import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { SessionState } from "../core/session/session-types";
import "./error-notice";
import "./improv-setup";
import "./wifi-picker";
import { fire, sharedStyles } from "./shared-styles";

/** A network the virtual board can see; shown as demo data (these are not real credentials). */
export interface DemoAccessPoint {
  ssid: string;
  password: string;
}

/**
 * Step 4: Wi-Fi and a fresh identity (key + certificate made in the browser, sent only to the board).
 * The password is read from the form when the user submits and goes into the intent event; it is
 * never put in an attribute, state or log.
 *
 * Before the form: how the board takes Wi-Fi (pyDirect's form with the board's scan, Improv's own
 * panel, or a sentence when the firmware offers neither).
 *
 * @fires pydirect-provision - detail `{ ssid, password, deviceName }`.
 * @fires pydirect-wifi-detect - look again how the board takes Wi-Fi.
 * @fires pydirect-cancel - stop the running job.
 */
@customElement("pydirect-provision-step")
export class PydirectProvisionStep extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      table {
        border-collapse: collapse;
        margin: 0.5rem 0;
      }
      th,
      td {
        text-align: left;
        padding: 0.2rem 0.75rem 0.2rem 0;
        font-family: ui-monospace, monospace;
      }
      .demo {
        border: 1px dashed var(--_muted);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem;
        margin: 0.5rem 0 1rem;
      }
      input {
        width: min(22rem, 100%);
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;
  /** Networks of the virtual board, shown as demo data; empty for real boards. */
  @property({ attribute: false }) demoAccessPoints: DemoAccessPoint[] = [];

  @query("#ssid") private ssidInput!: HTMLInputElement;
  @query("#password") private passwordInput!: HTMLInputElement;
  @query("#device-name") private nameInput!: HTMLInputElement;
  @state() private picked = "";
  @state() private hiddenChosen = false;

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const p = s.provision;
    const running = p.status === "running";
    const w = s.wifiSetup;
    if (w.status === "detecting") {
      return html`<h2 tabindex="-1">Wi-Fi</h2>
        <p class="phase" role="status">${w.phase}…</p>`;
    }
    if (w.choice?.kind === "improv") {
      return html`<h2 tabindex="-1">Wi-Fi (Improv)</h2>
        <pydirect-improv-setup .state=${s} ?demo=${this.demoAccessPoints.length > 0}></pydirect-improv-setup>`;
    }
    if (w.choice?.kind === "none") {
      return html`<h2 tabindex="-1">Installed</h2>
        <p id="no-wifi-setup">${w.choice.detail}</p>
        <button type="button" class="secondary" id="detect-again" @click=${() => fire(this, "pydirect-wifi-detect")}>
          Look again
        </button>`;
    }
    return html`
      <h2 tabindex="-1">Wi-Fi and identity</h2>
      <p class="muted">
        The board gets its own key and certificate (ECDSA P-256), made here and sent only to the board.
      </p>
      <pydirect-error-notice .error=${w.error}></pydirect-error-notice>
      ${
        this.demoAccessPoints.length
          ? html`<div class="demo" role="note" aria-label="Demo data">
              <strong>Demo data — networks the virtual board can see:</strong>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Network</th>
                    <th scope="col">Password</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.demoAccessPoints.map(
                    (ap) =>
                      html`<tr>
                        <td>${ap.ssid}</td>
                        <td>${ap.password || "(open)"}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : nothing
      }
      <form @submit=${this.submit} novalidate>
        ${
          w.choice
            ? html`<pydirect-wifi-picker
                .networks=${w.networks}
                ?scanning=${w.status === "scanning"}
                ?disabled=${running}
                .selected=${this.picked}
                ?hidden-chosen=${this.hiddenChosen}
                .error=${w.scanError}
                ?demo=${this.demoAccessPoints.length > 0}
                @pydirect-wifi-pick=${this.onPick}
              ></pydirect-wifi-picker>`
            : nothing
        }
        <label for="ssid">Wi-Fi network (SSID)</label>
        <input
          id="ssid"
          name="ssid"
          autocomplete="off"
          required
          list="ssid-list"
          .value=${p.wifi?.ssid ?? ""}
          ?disabled=${running}
        />
        <datalist id="ssid-list">
          ${this.demoAccessPoints.map((ap) => html`<option value=${ap.ssid}></option>`)}
        </datalist>
        <label for="password">Wi-Fi password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="off"
          placeholder=${p.wifi?.hasPassword ? "(kept from the previous board)" : ""}
          ?disabled=${running}
        />
        <label for="device-name"
          >Hostname <span class="muted">(optional; default pyDirect- and the MAC's last bytes)</span></label
        >
        <input id="device-name" name="device-name" autocomplete="off" ?disabled=${running} />
        <div>
          ${
            running
              ? html`<button type="button" class="secondary" @click=${() => fire(this, "pydirect-cancel")}>
                  Cancel
                </button>`
              : html`<button type="submit" id="provision">
                  ${p.status === "done" ? "Provision again" : "Provision"}
                </button>`
          }
        </div>
      </form>
      <p class="phase" aria-live="polite">${running ? `${p.phase}…` : ""}</p>
      <pydirect-error-notice .error=${p.status === "error" ? p.error : null}></pydirect-error-notice>
      ${
        p.result
          ? html`<dl aria-label="Provisioned identity">
                <dt>Hostname</dt>
                <dd data-field="hostname">${p.result.hostname}</dd>
                <dt>Certificate SHA-256</dt>
                <dd data-field="fingerprint">${p.result.certFingerprint}</dd>
                <dt>Address</dt>
                <dd>${p.result.address ?? "not reported"}</dd>
              </dl>
              ${
                p.result.webreplPassword
                  ? html`<p id="webrepl" class="secret" role="note">
                      <strong>WebREPL password for ${p.result.hostname}</strong> (shown only here, once: note it now)<br />
                      <code data-field="webrepl-password">${p.result.webreplPassword.reveal()}</code>
                    </p>`
                  : nothing
              }`
          : nothing
      }
    `;
  }

  private readonly onPick = (e: Event): void => {
    e.stopPropagation();
    const d = (e as CustomEvent<{ ssid: string; secured: boolean; hidden: boolean; commit: boolean }>).detail;
    this.picked = d.ssid;
    this.hiddenChosen = d.hidden;
    if (!d.hidden) this.ssidInput.value = d.ssid;
    if (!d.commit) return;
    // Picked: the caret goes where the user types next (the name of a hidden network, else the password).
    (d.hidden ? this.ssidInput : this.passwordInput).focus();
  };

  private submit(e: Event): void {
    e.preventDefault();
    const ssid = this.ssidInput.value;
    // An empty field with a remembered password means "same as the last board" (production line).
    const password = this.passwordInput.value;
    fire(this, "pydirect-provision", { ssid, password, deviceName: this.nameInput.value.trim() });
    this.passwordInput.value = "";
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-provision-step": PydirectProvisionStep;
  }
}
