import { LitElement, css, html, nothing, svg } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ManualBootGuidance } from "../core/flash/manual-boot";
import { fire, sharedStyles } from "./shared-styles";

/**
 * How to put the board into its loader by hand (or start the new firmware) when the reset lines
 * do not reach the chip: the steps, and a drawing of the board kind with its two buttons and the
 * connector the cable is in. The portal keeps polling meanwhile, so there is nothing else to press.
 *
 * @fires pydirect-virtual-buttons - detail `{ stage }`: press the buttons on the in-page virtual board.
 * @csspart guide - the box around the guidance.
 * @cssprop --pydirect-accent - the highlighted button in the drawing.
 */
@customElement("pydirect-manual-boot-guide")
export class PydirectManualBootGuide extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      [part="guide"] {
        border: 2px solid var(--_accent);
        border-radius: var(--_radius);
        padding: 0.75rem 1rem;
        margin: 0.75rem 0;
        display: grid;
        gap: 0.5rem 1.25rem;
        grid-template-columns: minmax(0, 1fr) auto;
        align-items: start;
      }
      h3 {
        margin: 0;
        font-size: 1rem;
        grid-column: 1 / -1;
      }
      ol {
        margin: 0;
        padding-left: 1.25rem;
      }
      svg {
        width: 220px;
        height: auto;
      }
      .waiting {
        grid-column: 1 / -1;
        margin: 0;
        color: var(--_muted);
      }
    `,
  ];

  @property({ attribute: false }) guidance: ManualBootGuidance | null = null;
  /** The board lives in this page: offer to press its buttons. */
  @property({ type: Boolean }) virtual = false;

  override render() {
    const g = this.guidance;
    if (!g) return nothing;
    const entering = g.stage !== "start-app";
    return html`<div part="guide" role="group" aria-labelledby="manual-boot-heading">
      <h3 id="manual-boot-heading">
        ${
          !entering
            ? "Start the new firmware"
            : g.reason === "no-port"
              ? "The board shows no port yet: start its loader by hand"
              : "The board did not answer the automatic reset: start its loader by hand"
        }
      </h3>
      <ol>
        ${g.steps.map((step) => html`<li>${step}</li>`)}
      </ol>
      ${this.drawing(g, entering)}
      <p class="waiting" role="status">
        ${entering ? "Waiting for the board: the portal carries on by itself as soon as it answers." : ""}
      </p>
      ${
        this.virtual
          ? html`<button
              type="button"
              @click=${() => fire(this, "pydirect-virtual-buttons", { stage: entering ? "enter-loader" : "start-app" })}
            >
              Press them on the virtual board
            </button>`
          : nothing
      }
    </div>`;
  }

  /** Our own drawing: a dev board, its BOOT and reset buttons, and the connector with the cable. */
  private drawing(g: ManualBootGuidance, entering: boolean) {
    const usbLabel = g.connector === "native" ? "USB" : "UART";
    return svg`<svg viewBox="0 0 220 120" role="img" aria-label=${`A dev board: the cable in its ${usbLabel} connector, the ${g.resetLabel} button on one side of it and BOOT on the other.`}>
      <rect x="30" y="10" width="160" height="100" rx="6" fill="#1f3b2d" />
      <rect x="80" y="30" width="60" height="50" rx="3" fill="#9aa4ae" />
      <text x="110" y="60" text-anchor="middle" font-size="10" fill="#1f2328">ESP32</text>
      <rect x="95" y="96" width="30" height="16" rx="2" fill="#c9ced4" stroke="#6b7480" />
      <text x="110" y="92" text-anchor="middle" font-size="9" fill="#ffffff">${usbLabel}</text>
      <path d="M110 112 L110 120" stroke="#1f2328" stroke-width="6" />
      <g>
        <rect x="40" y="84" width="22" height="16" rx="3" fill=${entering ? "var(--_accent)" : "#e5e7ea"} />
        <text x="51" y="80" text-anchor="middle" font-size="9" fill="#ffffff">BOOT</text>
      </g>
      <g>
        <rect x="158" y="84" width="22" height="16" rx="3" fill="#e5e7ea" stroke="var(--_accent)" stroke-width="2" />
        <text x="169" y="80" text-anchor="middle" font-size="9" fill="#ffffff">${g.resetLabel}</text>
      </g>
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-manual-boot-guide": PydirectManualBootGuide;
  }
}
