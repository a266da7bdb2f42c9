import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { sharedStyles } from "./shared-styles";

/**
 * The board's WebREPL password, shown once after provisioning with a Copy button: upstream's
 * clients (ScriptO Studio, WebREPL) ask for it, and the portal keeps it nowhere (not in storage,
 * the log or the device record), so this is the user's one chance to note it. Renders nothing
 * without a password.
 *
 * @csspart password - the password text.
 * @csspart copy - the Copy button.
 * @cssprop --pydirect-secret-background - background of the box.
 */
@customElement("pydirect-webrepl-password")
export class PydirectWebreplPassword extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .box {
        border: 1px solid currentColor;
        border-radius: 6px;
        padding: 0.5rem 0.75rem;
        margin: 0.5rem 0;
        background: var(--pydirect-secret-background, transparent);
      }
      code {
        font-size: 1.1em;
        user-select: all;
        margin-right: 0.5rem;
      }
    `,
  ];

  /** The secret; only `reveal()` is called, and only to render and copy it. */
  @property({ attribute: false }) password: { reveal(): string } | null = null;
  @property() hostname = "";
  @state() private copied: "yes" | "failed" | null = null;

  override render() {
    const password = this.password;
    if (!password) return nothing;
    return html`<div class="box" role="note">
      <strong>WebREPL password${this.hostname ? html` for ${this.hostname}` : nothing}</strong>
      <p>
        <code part="password" data-field="webrepl-password">${password.reveal()}</code>
        <button type="button" part="copy" id="copy-webrepl" @click=${() => void this.copy(password)}>Copy</button>
        <span aria-live="polite"
          >${this.copied === "yes" ? "Copied." : this.copied === "failed" ? "Select it and copy by hand." : ""}</span
        >
      </p>
      <p class="muted">
        Shown once: the portal does not keep it. ScriptO Studio and other WebREPL clients ask for it to open the board's
        REPL.
      </p>
    </div>`;
  }

  private async copy(password: { reveal(): string }): Promise<void> {
    try {
      await navigator.clipboard.writeText(password.reveal());
      this.copied = "yes";
    } catch {
      this.copied = "failed";
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-webrepl-password": PydirectWebreplPassword;
  }
}
