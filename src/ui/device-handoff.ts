import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { HandoffState } from "../core/session/session-types";
import { localNetworkBlockedHint, localNetworkNote } from "../core/signaling/local-network-access";
import "./device-console";
import { fire, sharedStyles } from "./shared-styles";

/**
 * What the user gets once a board passed: its own URL, how "connect again" will reach it later
 * (HTTPS with a one-time certificate trust step, or serial for the in-page virtual board), and the
 * live console on the open DataChannel.
 *
 * @fires pydirect-connect-again - detail `{ id: string }`.
 * @fires pydirect-focus-console - (cancelable) the console reopened after "connect again" and is shown elsewhere
 *   (`withoutConsole`): its host cancels the event and puts the caret in it.
 */
@customElement("pydirect-device-handoff")
export class PydirectDeviceHandoff extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        margin-top: 1rem;
      }
      code {
        overflow-wrap: anywhere;
      }
      .note {
        border-left: 4px solid var(--_accent);
        padding: 0.25rem 0.75rem;
      }
    `,
  ];

  @property({ attribute: false }) handoff: HandoffState | null = null;
  /** A job is running: "connect again" waits. */
  @property({ type: Boolean }) busy = false;
  /** The page shows the live console elsewhere (pydirect-flow's console panel). */
  @property({ type: Boolean }) withoutConsole = false;

  /** The user pressed "connect again" here: where focus goes once it finished. */
  private returnFocus = false;

  private readonly connectAgain = (): void => {
    if (!this.handoff) return;
    this.returnFocus = true;
    fire(this, "pydirect-connect-again", { id: this.handoff.deviceId });
  };

  override updated(): void {
    void this.restoreFocus();
  }

  private async restoreFocus(): Promise<void> {
    // The button is disabled while connecting, which drops focus; keyboard users land on the
    // console (or back on the button when it failed) instead of the top of the page.
    if (!this.returnFocus || this.busy || !this.handoff) return;
    this.returnFocus = false;
    if (this.handoff.console !== "closed") {
      if (this.withoutConsole) {
        // The console is the page's (pydirect-flow's console panel): it takes focus when it says so.
        const ask = new CustomEvent("pydirect-focus-console", { bubbles: true, composed: true, cancelable: true });
        if (!this.dispatchEvent(ask)) return;
      } else if (await this.renderRoot.querySelector("pydirect-device-console")?.focusInput()) return;
    }
    this.renderRoot.querySelector<HTMLElement>("#connect-again")?.focus();
  }

  override render() {
    const h = this.handoff;
    if (!h) return nothing;
    return html`
      <dl aria-label="Reaching the board">
        <dt>Device URL</dt>
        <dd><a id="device-url" href=${h.deviceUrl} target="_blank" rel="noopener noreferrer">${h.deviceUrl}</a></dd>
        <dt>Signaling</dt>
        <dd id="transport">${h.transport === "serial" ? "over the USB serial link" : "over HTTPS to the board"}</dd>
      </dl>
      ${h.serialReason ? html`<p class="muted" id="serial-reason">${h.serialReason}</p>` : nothing}
      ${
        h.trust
          ? html`<details id="trust-step" ?open=${h.transport === "https" && h.console === "closed"}>
              <summary>Connecting again over the network: trust ${h.hostname}'s certificate once</summary>
              <p>${h.trust.explanation}</p>
              <p>
                <a id="trust-url" href=${h.trust.url} target="_blank" rel="noopener noreferrer">Open ${h.trust.url}</a>
              </p>
              <p>SHA-256 fingerprint to compare: <code id="trust-fingerprint">${h.trust.fingerprint}</code></p>
            </details>`
          : nothing
      }
      ${
        h.localNetwork === "prompt"
          ? html`<p class="note" id="local-network-note">${localNetworkNote(h.hostname, h.deviceUrl)}</p>`
          : h.localNetwork === "denied"
            ? html`<p class="note" id="local-network-denied">${localNetworkBlockedHint()}</p>`
            : nothing
      }
      <button class="secondary" id="connect-again" ?disabled=${this.busy} @click=${this.connectAgain}>
        Connect again
      </button>
      ${this.withoutConsole ? nothing : html`<pydirect-device-console .handoff=${h}></pydirect-device-console>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-device-handoff": PydirectDeviceHandoff;
  }
}
