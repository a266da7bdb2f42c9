import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { SessionState } from "../core/session/session-types";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";
import "./wifi-join-form";

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
      .joined {
        color: var(--_ok);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;
  /** The virtual board: its networks are demo data. */
  @property({ type: Boolean }) demo = false;

  override render() {
    const w = this.state?.wifiSetup;
    if (!w || w.choice?.kind !== "improv") return nothing;
    const d = w.choice.device;
    const busy = w.status !== "idle";
    return html`
      <p class="muted">
        This firmware speaks Improv Wi-Fi: the board joins your network with what you enter here, sent only to it over
        USB.
      </p>
      <dl part="device" aria-label="Device">
        <dt>Device</dt>
        <dd data-field="improv-name">${d.name || "unnamed"}</dd>
        <dt>Firmware</dt>
        <dd data-field="improv-firmware">${d.firmware}</dd>
        <dt>Version</dt>
        <dd data-field="improv-version">${d.version}</dd>
        ${
          d.chip
            ? html`<dt>Chip</dt>
                <dd>${d.chip}</dd>`
            : nothing
        }
      </dl>
      ${
        w.improvResult
          ? html`<p class="joined" role="status" id="improv-joined">The board joined “${w.improvResult.ssid}”.</p>
              ${
                w.improvResult.url
                  ? html`<p>
                      <a id="visit-device" href=${w.improvResult.url} target="_blank" rel="noopener"
                        >Visit device (${w.improvResult.url})</a
                      >
                    </p>`
                  : html`<p class="muted">The device did not say where its own page is.</p>`
              }`
          : nothing
      }
      <pydirect-wifi-join-form
        id-prefix="improv"
        submit-id="improv-connect"
        submit-label=${w.improvResult ? "Join another network" : "Connect"}
        .networks=${w.networks}
        ?scanning=${w.status === "scanning"}
        ?busy=${busy}
        .scanError=${w.scanError}
        ?demo=${this.demo}
        @pydirect-wifi-join=${this.onJoin}
      ></pydirect-wifi-join-form>
      <p class="phase" role="status">${w.status === "connecting" ? `${w.phase}…` : ""}</p>
      <pydirect-error-notice .error=${w.error}></pydirect-error-notice>
    `;
  }

  private readonly onJoin = (e: Event): void => {
    e.stopPropagation();
    fire(this, "pydirect-improv-connect", (e as CustomEvent<{ ssid: string; password: string }>).detail);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-improv-setup": PydirectImprovSetup;
  }
}
