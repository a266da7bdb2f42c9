import { eraseNote } from "../core/session/first-screen";
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { PartProgress, SessionState } from "../core/session/session-types";
import "./error-notice";
import { fire, formatBytes, sharedStyles } from "./shared-styles";

const STATUS: Record<PartProgress["status"], string> = {
  pending: "waiting",
  comparing: "checking",
  writing: "writing",
  written: "written, to be verified",
  verifying: "verifying",
  done: "written and verified",
  skipped: "already on board",
};

/**
 * Step 3: install the firmware, one progress bar per part.
 *
 * @fires pydirect-flash - start installing.
 * @fires pydirect-skip-flash - keep the firmware on the board and go on.
 * @fires pydirect-cancel - stop the running job.
 * @csspart progress - each part's <progress>.
 */
@customElement("pydirect-flash-step")
export class PydirectFlashStep extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
      }
      li {
        margin: 0.4rem 0;
      }
      progress {
        width: 100%;
        height: 0.9rem;
        accent-color: var(--_accent);
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const f = s.flash;
    const running = f.status === "running";
    const offer = s.firmware.result;
    return html`
      <h2 tabindex="-1">Install firmware</h2>
      <p>
        ${offer ? html`<strong>${offer.name} ${offer.version}</strong>` : nothing}
        ${s.erase ? html`<span class="muted" id="erase-note">— ${eraseNote(s.erase.erase, s.connect.result?.firmware != null)}</span>` : nothing}
      </p>
      ${
        running
          ? html`<button class="secondary" id="cancel" @click=${() => fire(this, "pydirect-cancel")}>Cancel</button>`
          : html`<button id="install" ?disabled=${!offer} @click=${() => fire(this, "pydirect-flash")}>
                ${f.status === "done" ? "Install again" : "Install"}
              </button>
              ${
                f.status !== "done" && s.connect.result?.firmware
                  ? html`<button class="secondary" id="skip" @click=${() => fire(this, "pydirect-skip-flash")}>
                      Keep current firmware
                    </button>`
                  : nothing
              }`
      }
      <p class="phase" aria-live="polite">${running ? `${f.phase}…` : ""}</p>
      <ul aria-label="Firmware parts">
        ${f.parts.map(
          (p) =>
            html`<li data-part=${p.name} data-status=${p.status}>
              <label for="part-${p.name}"
                >${p.name} — ${STATUS[p.status]}
                ${p.total ? html`<span class="muted">(${formatBytes(p.written)} of ${formatBytes(p.total)})</span>` : nothing}</label
              >
              <progress
                part="progress"
                id="part-${p.name}"
                max=${p.total || 1}
                .value=${p.status === "done" || p.status === "skipped" ? p.total || 1 : p.written}
              ></progress>
            </li>`,
        )}
      </ul>
      <pydirect-error-notice .error=${f.status === "error" ? f.error : null}></pydirect-error-notice>
      ${
        f.status === "done" && f.result
          ? html`<p class="ok" role="status">
              Installed: ${f.result.parts} parts, ${formatBytes(f.result.bytesWritten)} written,
              ${formatBytes(f.result.bytesSkipped)} already on the board.
            </p>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-flash-step": PydirectFlashStep;
  }
}
