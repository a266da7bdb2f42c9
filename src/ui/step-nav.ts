import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { STEP_ORDER, type SessionState, type StepId } from "../core/session/session-types";
import { stepMark } from "../core/session/first-screen";
import { fire, sharedStyles } from "./shared-styles";

const LABEL: Record<StepId, string> = {
  connect: "Connect",
  firmware: "Firmware",
  flash: "Install",
  provision: "Provision",
  verify: "Verify",
};

/**
 * The row of steps: where the user is, what is done, and a way back to earlier steps.
 *
 * @fires pydirect-go-to - detail `{ step: StepId }`.
 */
@customElement("pydirect-step-nav")
export class PydirectStepNav extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ol {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        list-style: none;
        padding: 0;
        margin: 0 0 1rem;
        counter-reset: step;
      }
      button {
        background: transparent;
        color: var(--_fg, inherit);
        border: 1px solid var(--_field);
        margin: 0;
      }
      button[aria-current="step"] {
        background: var(--_accent);
        color: var(--_accent-text);
        border-color: var(--_accent);
      }
      @media (max-width: 30rem) {
        ol {
          gap: 0.2rem;
        }
        button {
          padding: 0.35rem 0.55rem;
          font-size: 0.875rem;
        }
      }
      .done::after {
        content: " ✓";
      }
      .error::after {
        content: " !";
        color: var(--_danger);
        font-weight: 700;
      }
      button[aria-current="step"].error::after {
        color: inherit;
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;

  override render() {
    const s = this.state;
    if (!s) return nothing;
    return html`<nav aria-label="Steps">
      <ol>
        ${STEP_ORDER.map(
          (step, i) =>
            html`<li>
              <button
                class=${stepMark(s, step)}
                aria-current=${s.step === step ? "step" : "false"}
                @click=${() => fire(this, "pydirect-go-to", { step })}
              >
                ${i + 1}. ${LABEL[step]}<span class="visually-hidden"
                  >${stepMark(s, step) === "done" ? " (done)" : stepMark(s, step) === "error" ? " (failed)" : ""}</span
                >
              </button>
            </li>`,
        )}
      </ol>
    </nav>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-step-nav": PydirectStepNav;
  }
}
