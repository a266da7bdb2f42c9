import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { environmentFacts, webUsbNotice, type EnvironmentFacts } from "../core/session/environment";
import { sharedStyles } from "./shared-styles";

/**
 * Which boards this browser can reach, where that is not all of them: on the WebUSB path (no Web
 * Serial, `navigator.usb` present: phones, some browsers) only boards on the chip's own USB.
 * Feature-detected from the page's `navigator`, never from the user agent.
 *
 * @csspart notice - the sentence.
 */
@customElement("pydirect-browser-support")
export class PydirectBrowserSupport extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      p {
        border-left: 4px solid var(--_accent, currentColor);
        padding: 0.5rem 0.75rem;
        margin: 0.5rem 0 1rem;
      }
    `,
  ];

  /** The browser's facts; default this page's own. */
  @property({ attribute: false }) facts: EnvironmentFacts = environmentFacts();

  override render() {
    const notice = webUsbNotice(this.facts);
    return notice ? html`<p part="notice" role="note" data-route="webusb-polyfill">${notice}</p>` : nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-browser-support": PydirectBrowserSupport;
  }
}
