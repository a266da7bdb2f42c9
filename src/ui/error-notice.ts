import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { PortalError, RecoveryAction } from "../core/errors";
import { fire, sharedStyles } from "./shared-styles";

const HELP: Partial<Record<RecoveryAction, string>> = {
  "hold-boot": "Hold the BOOT button, press and release RESET (EN), then let go of BOOT and try again.",
  "install-driver":
    "If the board does not show up, install the driver for its USB serial chip: Silicon Labs CP210x or WCH CH34x.",
  "pick-another-port": "Check the cable, then pick the board's port again.",
  "allow-port-again": "The board is still plugged in: allow this page to use its port again and carry on.",
  "close-other-app":
    "Close other programs that hold the port (serial monitors, Arduino IDE, another tab), then try again.",
  "choose-another-firmware": "Choose firmware built for this board's chip.",
  "fix-input": "Correct the highlighted field and try again.",
  "check-wifi": "Check the network name and password, and that the board is in range.",
};

const BUTTON: Partial<Record<RecoveryAction, string>> = {
  retry: "Try again",
  "hold-boot": "Try again",
  "install-driver": "Try again",
  "close-other-app": "I closed the other program — try again",
  "pick-another-port": "Pick another port",
  "allow-port-again": "Allow the port again",
  "choose-another-firmware": "Choose other firmware",
  "check-wifi": "Change Wi-Fi settings",
};

/**
 * A core error as the user sees it: the error's own sentence, what to do about it, and one button
 * for the recovery the core suggested.
 *
 * @fires pydirect-recover - detail `{ action: RecoveryAction }` when the recovery button is pressed.
 * @csspart notice - the alert box.
 */
@customElement("pydirect-error-notice")
export class PydirectErrorNotice extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      [part="notice"] {
        border: 2px solid var(--_danger);
        border-radius: var(--_radius);
        padding: 0.75rem 1rem;
        margin: 0.75rem 0;
        background: color-mix(in srgb, var(--_danger) 6%, var(--_bg));
      }
      .message {
        font-weight: 600;
        color: var(--_danger);
        margin: 0 0 0.4rem;
      }
      .code {
        font-family: ui-monospace, monospace;
        font-size: 0.85em;
      }
    `,
  ];

  @property({ attribute: false }) error: PortalError | null = null;
  /**
   * The way to recover is on screen already (the Change Wi-Fi form and its button): say what to
   * do, without a second button that does the same.
   */
  @property({ type: Boolean, attribute: "without-button" }) withoutButton = false;

  override render() {
    const e = this.error;
    if (!e) return nothing;
    const help = HELP[e.action];
    const label = BUTTON[e.action];
    return html`<div part="notice" role="alert" data-code=${e.code}>
      <p class="message">${e.message}</p>
      ${help ? html`<p>${help}</p>` : nothing}
      ${
        e.action === "install-driver"
          ? html`<p>
              <a href="https://www.silabs.com/developers/usb-to-uart-bridge-vcp-drivers" target="_blank" rel="noopener"
                >CP210x driver</a
              >
              ·
              <a href="https://www.wch-ic.com/downloads/CH341SER_ZIP.html" target="_blank" rel="noopener"
                >CH34x driver</a
              >
            </p>`
          : nothing
      }
      ${label && !this.withoutButton ? html`<button @click=${() => fire(this, "pydirect-recover", { action: e.action })}>${label}</button>` : nothing}
      <span class="code muted">(${e.code})</span>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-error-notice": PydirectErrorNotice;
  }
}
