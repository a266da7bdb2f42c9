import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import type { HandoffState } from "../core/session/session-types";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";

/**
 * The live REPL console on the DataChannel to a verified board: one line of Python at a time,
 * the board's output below. After HTTPS signaling it asks for the board's WebREPL password first.
 *
 * @fires pydirect-console-exec - detail `{ line: string }`.
 * @fires pydirect-console-unlock - detail `{ password: string }` (the field is cleared at once).
 * @fires pydirect-console-close - close the DataChannel.
 */
@customElement("pydirect-device-console")
export class PydirectDeviceConsole extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        margin-top: 1rem;
      }
      pre {
        font-family: ui-monospace, monospace;
        font-size: 0.85rem;
        background: #111827;
        color: #e5e7eb;
        padding: 0.5rem;
        border-radius: calc(var(--_radius) / 2);
        min-height: 1.5rem;
        max-height: 16rem;
        overflow: auto;
        white-space: pre-wrap;
        margin: 0.5rem 0;
      }
      /* Before the first line: say what the box is for, rather than show an empty black box. */
      pre.empty::before {
        content: "The board's answers appear here.";
        color: #9ca3af;
      }
      .input {
        color: #93c5fd;
      }
      .error {
        color: #fca5a5;
      }
      form {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex-wrap: wrap;
      }
      form input {
        flex: 1 1 14rem;
        font-family: ui-monospace, monospace;
      }
    `,
  ];

  @property({ attribute: false }) handoff: HandoffState | null = null;
  @query("#line") private lineInput!: HTMLInputElement | null;
  @query("#password") private passwordInput!: HTMLInputElement | null;

  override render() {
    const h = this.handoff;
    if (!h) return nothing;
    return html`
      <h3 id="console-title">Live console on ${h.hostname}</h3>
      ${
        h.console === "closed"
          ? html`<p class="muted" id="console-closed">The DataChannel is closed. Connect again to open the console.</p>`
          : h.console === "locked"
            ? this.renderUnlock(h)
            : this.renderPrompt(h)
      }
      <pydirect-error-notice .error=${h.error}></pydirect-error-notice>
      ${
        h.entries.length || h.console !== "closed"
          ? html`<pre
              id="console-output"
              class=${h.entries.length ? "" : "empty"}
              role="log"
              aria-live="polite"
              aria-labelledby="console-title"
            >
${h.entries.map(
                (e) =>
                  html`<span class="input">&gt;&gt;&gt; ${e.input}</span>
                    ${e.output}${e.error ? html`<span class="error">${e.error}</span> ` : nothing}`,
              )}</pre>`
          : nothing
      }
      ${h.console !== "closed" ? html`<button class="secondary" id="console-close" @click=${() => fire(this, "pydirect-console-close")}>Close the connection</button>` : nothing}
    `;
  }

  private renderPrompt(h: HandoffState) {
    return html`<form @submit=${this.run}>
        <label for="line" class="visually-hidden">Python line to run on the board</label>
        <input
          id="line"
          autocomplete="off"
          autocapitalize="off"
          spellcheck="false"
          placeholder="print(6*7)"
          ?disabled=${h.busy}
        />
        <button type="submit" id="run" ?disabled=${h.busy}>Run</button>
      </form>
      <p class="muted">Each line runs on the board over the DataChannel; Enter sends it.</p>`;
  }

  private renderUnlock(h: HandoffState) {
    return html`<p id="console-locked">
        This connection was signaled over the network, so the board keeps its console locked until you give its WebREPL
        password (shown once when it was provisioned). After 5 wrong tries the board refuses until it is reset.
      </p>
      <form @submit=${this.unlock}>
        <label for="password">WebREPL password</label>
        <input id="password" type="password" autocomplete="off" ?disabled=${h.busy} />
        <button type="submit" id="unlock" ?disabled=${h.busy}>Unlock</button>
      </form>`;
  }

  /** Put the caret where the user goes on: the line, or the password while the console is locked. */
  async focusInput(): Promise<boolean> {
    await this.updateComplete;
    const input = this.lineInput ?? this.passwordInput;
    input?.focus();
    return input !== null;
  }

  private readonly run = (e: Event): void => {
    e.preventDefault();
    const input = this.lineInput;
    if (!input || !input.value.trim()) return;
    fire(this, "pydirect-console-exec", { line: input.value });
    input.value = "";
  };

  private readonly unlock = (e: Event): void => {
    e.preventDefault();
    const input = this.passwordInput;
    if (!input) return;
    const password = input.value;
    // The password lives only in this event; the field does not keep it.
    input.value = "";
    fire(this, "pydirect-console-unlock", { password });
  };

  override updated(): void {
    const out = this.renderRoot.querySelector("#console-output");
    if (out) out.scrollTop = out.scrollHeight;
    // Keep typing after each answer: the field was disabled (and lost focus) while the line ran.
    if (this.wantsFocus && this.handoff?.console === "open" && !this.handoff.busy) {
      this.wantsFocus = false;
      this.lineInput?.focus();
    }
  }

  private wantsFocus = false;

  override willUpdate(changed: Map<string, unknown>): void {
    const before = changed.get("handoff") as HandoffState | null | undefined;
    if (before?.busy && this.handoff && !this.handoff.busy) this.wantsFocus = true;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-device-console": PydirectDeviceConsole;
  }
}
