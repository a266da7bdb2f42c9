import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { WifiChangeState } from "../core/session/session-types";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";
import "./wifi-join-form";

/**
 * "Change Wi-Fi" for a board in the device list, without flashing: the board's port (the one
 * connected now, or the Connect step to choose it), the networks it sees, the password. Only the
 * Wi-Fi settings are rewritten; identity and certificate stay.
 *
 * @fires pydirect-change-wifi-port - the user wants to choose the board's port (the Connect step).
 * @fires pydirect-change-wifi-scan - scan on the connected board.
 * @fires pydirect-change-wifi-apply - detail `{ ssid, password }`.
 * @fires pydirect-change-wifi-close - done with the panel.
 * @csspart panel - the panel's box.
 * @cssprop --pydirect-ok - the "joined" line.
 */
@customElement("pydirect-wifi-change")
export class PydirectWifiChange extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      [part="panel"] {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.75rem 1rem;
        margin: 0.75rem 0;
      }
      h3 {
        margin: 0 0 0.5rem;
        font-size: 1.05rem;
      }
      .joined {
        color: var(--_ok);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) change: WifiChangeState | null = null;
  /** The port connected now (its label), or null. */
  @property({ type: String }) portLabel: string | null = null;
  @property({ type: Boolean }) demo = false;

  /** Put the caret in the panel (its heading) when it opens. */
  async focusPanel(): Promise<void> {
    await this.updateComplete;
    (this.renderRoot.querySelector("h3") as HTMLElement | null)?.focus();
  }

  override render() {
    const c = this.change;
    if (!c) return nothing;
    const busy = c.status === "scanning" || c.status === "connecting";
    return html`<section part="panel" aria-labelledby="change-title">
      <h3 id="change-title" tabindex="-1">Change Wi-Fi of ${c.hostname}</h3>
      ${
        this.portLabel
          ? html`<p class="muted">
              Board on: ${this.portLabel}. Only its Wi-Fi settings are rewritten; nothing is flashed.
            </p>`
          : html`<p>Plug ${c.hostname} in over USB and choose its port; the portal changes its Wi-Fi over USB.</p>
              <button type="button" id="change-port" @click=${() => fire(this, "pydirect-change-wifi-port")}>
                Choose the board's port
              </button>`
      }
      ${
        this.portLabel
          ? html`<pydirect-wifi-join-form
              id-prefix="change"
              submit-id="change-apply"
              submit-label="Change Wi-Fi"
              .networks=${c.networks}
              ?scanning=${c.status === "scanning"}
              ?busy=${busy}
              ?demo=${this.demo}
              @pydirect-wifi-join=${this.onJoin}
              @pydirect-wifi-rescan=${(e: Event) => {
                e.stopPropagation();
                fire(this, "pydirect-change-wifi-scan");
              }}
            ></pydirect-wifi-join-form>`
          : nothing
      }
      <p class="phase" role="status">
        ${c.status === "connecting" ? "Writing the settings; the board restarts and joins the network…" : ""}
      </p>
      ${c.status === "done" && c.result ? html`<p class="joined" role="status" id="change-joined">${c.hostname} joined “${c.result.ssid}” (${c.result.ip}).</p>` : nothing}
      <pydirect-error-notice .error=${c.error} without-button></pydirect-error-notice>
      <button
        type="button"
        class="secondary"
        id="change-close"
        ?disabled=${busy}
        @click=${() => fire(this, "pydirect-change-wifi-close")}
      >
        Close
      </button>
    </section>`;
  }

  private readonly onJoin = (e: Event): void => {
    e.stopPropagation();
    fire(this, "pydirect-change-wifi-apply", (e as CustomEvent<{ ssid: string; password: string }>).detail);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-wifi-change": PydirectWifiChange;
  }
}
