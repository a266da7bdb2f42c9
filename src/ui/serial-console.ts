import { LitElement, css, html } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { LogEntry, SessionLog } from "../core/session/session-log";
import { sharedStyles } from "./shared-styles";

/**
 * The session's log (portal messages and device output), openable at any step, downloadable.
 *
 * @csspart log - the <pre> holding the text.
 * @cssprop --pydirect-console-height - height of the log area (default 16rem).
 */
@customElement("pydirect-serial-console")
export class PydirectSerialConsole extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      pre {
        height: var(--pydirect-console-height, 16rem);
        overflow: auto;
        background: #111418;
        color: #e6e6e6;
        padding: 0.5rem;
        border-radius: var(--_radius);
        font-size: 0.8rem;
        white-space: pre-wrap;
        word-break: break-all;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
        padding: 0.3rem 0;
      }
    `,
  ];

  @property({ attribute: false }) log: SessionLog | null = null;
  @state() private text = "";
  private off: (() => void) | null = null;
  private pending = false;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("log")) {
      this.off?.();
      this.text = this.log?.toText() ?? "";
      this.off = this.log?.subscribe((e) => this.scheduleRender(e)) ?? null;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = null;
  }

  override render() {
    return html`<details>
      <summary>Console and log</summary>
      <button class="secondary" id="download-log" @click=${this.download}>Download log</button>
      <pre part="log" tabindex="0" aria-label="Console output">${this.text}</pre>
    </details>`;
  }

  private scheduleRender(_e: LogEntry): void {
    // Device output can arrive byte by byte; re-render at most once per frame.
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.text = this.log?.toText() ?? "";
      void this.updateComplete.then(() => {
        const pre = this.renderRoot.querySelector("pre");
        if (pre) pre.scrollTop = pre.scrollHeight;
      });
    });
  }

  private download(): void {
    const blob = new Blob([this.log?.toText() ?? ""], { type: "text/plain" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `pydirect-log-${new Date().toISOString().replace(/[:.]/g, "-")}.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-serial-console": PydirectSerialConsole;
  }
}
