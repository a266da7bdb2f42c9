import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { describeSecurity, lockRefusal, type SecurityState } from "../core/flash/security-state";
import { sharedStyles } from "./shared-styles";

/**
 * The connected chip's security state (flash encryption, secure boot, download-mode restrictions)
 * as read at connect, and, on a locked chip, why the portal will not write or erase it.
 *
 * @csspart security - the line naming what is on.
 * @csspart locked - the note on a locked chip.
 */
@customElement("pydirect-chip-security")
export class PydirectChipSecurity extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      p {
        margin: 0.25rem 0;
      }
      .locked {
        border-left: 4px solid var(--_danger);
        padding: 0.5rem 0.75rem;
      }
    `,
  ];

  @property({ attribute: false }) security: SecurityState | null = null;

  override render() {
    const security = this.security;
    if (!security) return nothing;
    const refusal = lockRefusal(security, { erase: false });
    return html`
      <p part="security" data-field="security">Security: ${describeSecurity(security)}</p>
      ${
        refusal
          ? html`<p part="locked" class="locked" role="note" data-locked=${refusal.code}>
              The portal will not write to this board. ${refusal.message}
            </p>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-chip-security": PydirectChipSecurity;
  }
}
