import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { FINAL_STEPS, boardElapsedMs, type LineBoardState, type LineStep } from "../core/line/line-types";
import { fire, sharedStyles } from "./shared-styles";

const STEP_TEXT: Record<LineStep, string> = {
  waiting: "Waiting",
  connecting: "Reading the board",
  installing: "Installing",
  provisioning: "Provisioning",
  verifying: "Verifying",
  done: "Done",
  failed: "Failed",
  stopped: "Stopped",
};

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * One board's row of the production-line grid: port, chip, step, progress, result, time. Its own
 * element, so a progress tick on one board re-renders this row only. The host is the ARIA row;
 * its cells live in its shadow root (the accessibility tree follows the flattened tree).
 *
 * @fires pydirect-line-remove - detail `{ id }`: take this board off the line.
 * @csspart progress - the board's <progress>.
 * @cssprop --pydirect-line-columns - column widths (a CSS grid template), shared with the header row.
 */
@customElement("pydirect-line-row")
export class PydirectLineRow extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: var(--pydirect-line-columns, 11rem 6rem 9rem 8rem minmax(10rem, 1fr) 4rem 6rem);
        gap: 0.5rem;
        align-items: center;
        padding: 0.4rem 0.5rem;
        border-top: 1px solid var(--_border);
      }
      :host([data-step="failed"]) {
        background: color-mix(in srgb, var(--_danger) 7%, transparent);
      }
      :host([data-step="done"]) {
        background: color-mix(in srgb, var(--_ok) 7%, transparent);
      }
      progress {
        width: 100%;
        height: 0.8rem;
        accent-color: var(--_accent);
      }
      .small {
        display: block;
        font-size: 0.85em;
        overflow-wrap: anywhere;
      }
      .failed {
        color: var(--_danger);
      }
      .mono {
        font-family: ui-monospace, monospace;
      }
      button {
        padding: 0.2rem 0.6rem;
        margin: 0;
      }
      details summary {
        cursor: pointer;
        font-size: 0.85em;
      }
    `,
  ];

  @property({ attribute: false }) board: LineBoardState | null = null;
  /** The line's clock reading to show running boards' elapsed time against. */
  @property({ attribute: false }) now = 0;
  /** The line runs: no board can be removed. */
  @property({ type: Boolean }) locked = false;
  /** Renders so far: lets tests check a board's progress does not re-render the other rows. */
  renderCount = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute("role", "row");
  }

  override willUpdate(): void {
    const b = this.board;
    if (b) {
      this.dataset["boardId"] = b.id;
      this.dataset["step"] = b.step;
    }
  }

  override render() {
    const b = this.board;
    if (!b) return nothing;
    this.renderCount++;
    const name = `Board ${b.number}`;
    const percent = Math.round(b.progress * 100);
    return html`
      <div role="rowheader">
        <strong>${name}</strong>
        <span class="small muted">${b.label}</span>
        ${b.mac ? html`<span class="small mono muted">${b.mac}</span>` : nothing}
      </div>
      <div role="cell">${b.chip ?? html`<span class="muted">—</span>`}</div>
      <div role="cell">
        <span data-field="step">${STEP_TEXT[b.step]}</span>
        ${b.phase && !FINAL_STEPS.has(b.step) ? html`<span class="small muted">${b.phase}</span>` : nothing}
      </div>
      <div role="cell">
        <progress part="progress" max="1" .value=${b.progress} aria-label="${name} progress"></progress>
        <span class="small muted">${percent}%</span>
      </div>
      <div role="cell" data-field="result">${this.renderResult(b)}</div>
      <div role="cell" data-field="time">${formatElapsed(boardElapsedMs(b, this.now))}</div>
      <div role="cell">
        ${
          this.locked && !FINAL_STEPS.has(b.step) && b.step !== "waiting"
            ? nothing
            : html`<button
                class="secondary"
                data-action="remove"
                aria-label="Remove ${name}"
                @click=${() => fire(this, "pydirect-line-remove", { id: b.id })}
              >
                Remove
              </button>`
        }
      </div>
    `;
  }

  private renderResult(b: LineBoardState) {
    if (b.step === "done" && b.result) {
      const r = b.result;
      return html`${r.hostname ? html`<strong class="mono">${r.hostname}</strong>` : nothing}
        <span class="small muted">${r.certFingerprint ? html`cert ${r.certFingerprint.slice(0, 23)}…` : r.detail}</span>
        ${
          r.webreplPassword
            ? html`<span class="small"
                >WebREPL password <code data-field="webrepl-password">${r.webreplPassword.reveal()}</code></span
              >`
            : nothing
        }`;
    }
    if ((b.step === "failed" || b.step === "stopped") && b.error) {
      return html`<span class="small ${b.step === "failed" ? "failed" : "muted"}" data-code=${b.error.code}
        >${b.error.message}</span
      >`;
    }
    return html`<span class="muted">—</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-line-row": PydirectLineRow;
  }
}
