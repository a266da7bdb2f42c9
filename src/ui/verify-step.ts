import { LitElement, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import "./pydirect-webrepl-password";
import type { SessionState } from "../core/session/session-types";
import "./device-handoff";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";

/**
 * Step 5: prove the board works: a WebRTC DataChannel to the board and an echo through it.
 *
 * @fires pydirect-verify - start verification.
 * @fires pydirect-confirm-trust - the user opened the board's URL and trusted its certificate: verify now.
 * @fires pydirect-next-board - production line: same firmware and Wi-Fi, next board.
 * @fires pydirect-open-line - production line: several boards at once with the same settings.
 * @fires pydirect-cancel - stop the running job.
 * After a pass it shows the board's URL, "connect again" and the live console (device-handoff.ts).
 */
@customElement("pydirect-verify-step")
export class PydirectVerifyStep extends LitElement {
  static override styles = [sharedStyles];

  @property({ attribute: false }) state: SessionState | null = null;
  /** The page has a production line to offer (the portal does; the install dialog does not). */
  @property({ type: Boolean }) lineAvailable = false;
  /** The page shows the DataChannel console in its own console panel (pydirect-flow), not here. */
  @property({ type: Boolean }) consoleElsewhere = false;

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const v = s.verify;
    const running = v.status === "running";
    return html`
      <h2 tabindex="-1">Verify over WebRTC</h2>
      <p class="muted">
        Opens a DataChannel to ${s.provision.result?.hostname ?? s.handoff?.hostname ?? "the board"} and checks it
        answers, and that it holds the key of its certificate.
      </p>
      ${
        s.provision.result
          ? html`<dl aria-label="Provisioned identity">
                <dt>Hostname</dt>
                <dd data-field="hostname">${s.provision.result.hostname}</dd>
                <dt>Certificate SHA-256</dt>
                <dd data-field="fingerprint">${s.provision.result.certFingerprint}</dd>
              </dl>
              ${
                s.provision.result.webreplPassword
                  ? html`<pydirect-webrepl-password
                      id="webrepl"
                      .password=${s.provision.result.webreplPassword}
                      hostname=${s.provision.result.hostname}
                    ></pydirect-webrepl-password>`
                  : nothing
              }`
          : nothing
      }
      ${
        running
          ? html`<button class="secondary" @click=${() => fire(this, "pydirect-cancel")}>Cancel</button>`
          : v.trust
            ? html`<section id="verify-trust" aria-labelledby="verify-trust-title">
                <h3 id="verify-trust-title">First, trust ${v.trust.hostname}'s certificate</h3>
                <p>
                  This board is checked over HTTPS, and the browser only lets the portal in once you have accepted the
                  board's own certificate.
                </p>
                <p>${v.trust.explanation}</p>
                <p>
                  <a id="verify-trust-url" href=${v.trust.url} target="_blank" rel="noopener noreferrer"
                    >Open ${v.trust.url} in a new tab</a
                  >
                </p>
                <p>SHA-256 fingerprint to compare: <code id="verify-trust-fingerprint">${v.trust.fingerprint}</code></p>
                <button id="confirm-trust" @click=${() => fire(this, "pydirect-confirm-trust")}>
                  I've trusted it — verify
                </button>
              </section>`
            : html`<button id="verify" @click=${() => fire(this, "pydirect-verify")}>
                ${v.status === "done" ? "Verify again" : "Verify"}
              </button>`
      }
      <p class="phase" aria-live="polite">${running ? `${v.phase}…` : ""}</p>
      <pydirect-error-notice .error=${v.status === "error" ? v.error : null}></pydirect-error-notice>
      ${
        v.status === "done" && v.result
          ? html`<p class="ok" role="status" id="verified">Board verified — ${v.result.detail}.</p>
              <p>Boards done in this session: <strong id="boards-done">${s.boardsDone}</strong></p>
              <button id="next-board" @click=${() => fire(this, "pydirect-next-board")}>Next board</button>
              <span class="muted">keeps the firmware and Wi-Fi; the next board gets its own identity.</span>
              ${
                this.lineAvailable
                  ? html`<p>
                      <button class="secondary" id="open-line" @click=${() => fire(this, "pydirect-open-line")}>
                        Several boards at once
                      </button>
                      <span class="muted">the same firmware and Wi-Fi on up to 8 boards in parallel.</span>
                    </p>`
                  : nothing
              }`
          : nothing
      }
      <pydirect-device-handoff
        .handoff=${s.handoff}
        ?busy=${running}
        ?withoutConsole=${this.consoleElsewhere}
      ></pydirect-device-handoff>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-verify-step": PydirectVerifyStep;
  }
}
