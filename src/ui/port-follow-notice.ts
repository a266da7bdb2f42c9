import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { PortFollowState } from "../core/session/port-follow";
import { fire, sharedStyles } from "./shared-styles";

/**
 * Where the board's console will be after the install when that is not this port (said before
 * installing), and, while the board is followed to its next port, what is happening — with one
 * button when the browser has to be asked for that port (asking needs a click).
 *
 * @fires pydirect-pick-followed-port - the user asks for the board's new port.
 * @csspart notice - the box.
 */
@customElement("pydirect-port-follow-notice")
export class PydirectPortFollowNotice extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      [part="notice"] {
        border: 1px solid var(--_accent);
        border-radius: var(--_radius);
        padding: 0.6rem 0.9rem;
        margin: 0.5rem 0;
      }
      p {
        margin: 0 0 0.4rem;
      }
      .problem {
        color: var(--_danger);
      }
    `,
  ];

  @property({ attribute: false }) follow: PortFollowState | null = null;
  /** Said before installing: the console moves (another USB device, or the other connector). */
  @property({ attribute: false }) plan: { kind: string; sentence: string } | null = null;

  override render() {
    const f = this.follow;
    if (f) {
      return html`<div part="notice" role="status">
        <p>${f.sentence}</p>
        ${
          f.status === "needs-click"
            ? html`${f.problem ? html`<p class="problem">${f.problem}</p>` : nothing}
                <button type="button" @click=${() => fire(this, "pydirect-pick-followed-port")}>
                  Pick the board's port
                </button>`
            : html`<p>Waiting for the board on its next port…</p>`
        }
      </div>`;
    }
    if (this.plan) return html`<div part="notice"><p>${this.plan.sentence}</p></div>`;
    return nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-port-follow-notice": PydirectPortFollowNotice;
  }
}
