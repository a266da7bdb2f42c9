import { wrapWords } from "../core/session/log-wrap";
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { LogEntry, SessionLog } from "../core/session/session-log";
import type { TerminalState } from "../core/session/session-types";
import "./error-notice";
import { fire, sharedStyles } from "./shared-styles";

type XtermModule = typeof import("@xterm/xterm");
type Xterm = InstanceType<XtermModule["Terminal"]>;

/**
 * The serial console and the session log in one terminal (xterm.js, loaded when first shown): what
 * the board prints, the portal's own messages dimmed between, and the user's keys to the board.
 *
 * Keyboard: typing, Enter, Ctrl-C and Ctrl-D go to the board. Tab and Shift+Tab move focus as
 * anywhere on the page (a terminal that kept Tab would trap keyboard users), so the REPL's Tab
 * completion is on Ctrl+Space; Escape jumps to the console's buttons.
 * A pasted block reaches a MicroPython board through its paste mode (the session decides).
 *
 * @fires pydirect-terminal-open - give the board's port to the console.
 * @fires pydirect-terminal-close - let go of the port.
 * @fires pydirect-terminal-input - detail `{ data: string }`: keys as a terminal encodes them.
 * @fires pydirect-terminal-paste - detail `{ text: string }`: pasted text.
 * @fires pydirect-terminal-reset - pulse EN (reset the board).
 * @csspart screen - the box the terminal is drawn in.
 * @cssprop --pydirect-console-height - height of the terminal (default 18rem).
 */
@customElement("pydirect-terminal")
export class PydirectTerminal extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        margin-top: 1.5rem;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
        padding: 0.3rem 0;
      }
      .screen {
        height: var(--pydirect-console-height, 18rem);
        background: #111418;
        padding: 0.25rem;
        border-radius: var(--_radius);
        overflow: hidden;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
      }
      .status {
        margin-left: auto;
      }
    `,
  ];

  /** The session log: the terminal shows every entry, and "download" saves it (secrets masked). */
  @property({ attribute: false }) log: SessionLog | null = null;
  @property({ attribute: false }) terminal: TerminalState | null = null;
  /** A board's port is picked (the console can open). */
  @property({ type: Boolean }) connected = false;
  @property({ type: Boolean, reflect: true }) open = false;
  @state() private loadError = "";
  @query(".screen") private screen!: HTMLElement | null;
  private xterm: Xterm | null = null;
  private loading: Promise<void> | null = null;
  private offLog: (() => void) | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private fitTerminal: (() => void) | null = null;
  /** The last character written was a line end (portal lines start on their own line). */
  private atLineStart = true;

  override render() {
    const t = this.terminal;
    const live = t?.status === "open";
    return html`<details ?open=${this.open} @toggle=${this.onToggle}>
      <summary>Console and log</summary>
      <div class="toolbar" role="toolbar" aria-label="Console">
        ${
          live || t?.status === "opening" || t?.status === "paused"
            ? html`<button class="secondary" id="terminal-close" @click=${() => fire(this, "pydirect-terminal-close")}>
                Close console
              </button>`
            : html`<button
                id="terminal-open"
                ?disabled=${!this.connected}
                @click=${() => fire(this, "pydirect-terminal-open")}
              >
                Open console
              </button>`
        }
        <button
          class="secondary"
          id="terminal-reset"
          ?disabled=${!live}
          @click=${() => fire(this, "pydirect-terminal-reset")}
        >
          Reset board (EN)
        </button>
        ${
          t?.repl
            ? html`<button
                  class="secondary"
                  id="terminal-interrupt"
                  ?disabled=${!live}
                  @click=${() => this.send("\x03")}
                >
                  Stop program (Ctrl-C)
                </button>
                <button class="secondary" id="terminal-soft-reset" ?disabled=${!live} @click=${() => this.send("\x04")}>
                  Soft reset (Ctrl-D)
                </button>`
            : nothing
        }
        <button class="secondary" id="terminal-clear" @click=${this.clear}>Clear</button>
        <button class="secondary" id="download-log" @click=${this.download}>Download log</button>
        <span class="status muted" role="status" id="terminal-status">${this.statusText()}</span>
      </div>
      <div class="screen" part="screen" id="terminal-screen"></div>
      <p class="muted" id="terminal-hint">
        ${
          live
            ? t.repl
              ? "Type Python at the >>> prompt. Ctrl-C stops a program, Ctrl-D soft-resets, Ctrl+Space completes a name; a pasted block runs as one. Tab and Esc leave the console."
              : "What you type goes to the board. Tab and Esc leave the console."
            : "Portal messages and what the board prints. Open the console to type to the board."
        }
      </p>
      ${this.loadError ? html`<p role="alert">${this.loadError}</p>` : nothing}
      <pydirect-error-notice .error=${t?.error ?? null}></pydirect-error-notice>
    </details>`;
  }

  private statusText(): string {
    switch (this.terminal?.status) {
      case "open":
        return "Connected to the board (115200 baud)";
      case "opening":
        return "Connecting…";
      case "paused":
        return "Paused while a step uses the port";
      default:
        // The board is connected (the steps use its port); only this console is not open on it.
        return this.connected ? "Board connected; console closed" : "No board connected";
    }
  }

  // Before render, so opening the panel is part of this update rather than a second one (Lit's change-in-update).
  override willUpdate(changed: Map<string, unknown>): void {
    // The console just took the port (after an install): show it.
    const before = changed.get("terminal") as TerminalState | null | undefined;
    if (changed.has("terminal") && this.terminal?.status === "open" && before?.status !== "open") this.open = true;
  }

  override updated(changed: Map<string, unknown>): void {
    if (this.open) void this.ensureXterm();
    if (changed.has("log") && this.xterm) this.replayLog();
    if (this.xterm) this.xterm.options.disableStdin = this.terminal?.status !== "open";
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offLog?.();
    this.offLog = null;
    this.resizeObserver?.disconnect();
    this.xterm?.dispose();
    this.xterm = null;
    this.loading = null;
  }

  /** Show the console and put the caret in it (from the device list's "Console"). */
  async focusTerminal(): Promise<void> {
    this.open = true;
    await this.updateComplete;
    await this.ensureXterm();
    this.scrollIntoView({ block: "nearest" });
    this.xterm?.focus();
  }

  /** Everything on the terminal now (scrollback included), one line per row: for tests and copy. */
  get text(): string {
    const buffer = this.xterm?.buffer.active;
    if (!buffer) return "";
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      if (line.isWrapped && lines.length) lines[lines.length - 1] += line.translateToString(true);
      else lines.push(line.translateToString(true));
    }
    return lines.join("\n").replace(/\n+$/, "");
  }

  private onToggle(e: Event): void {
    this.open = (e.target as HTMLDetailsElement).open;
  }

  private ensureXterm(): Promise<void> {
    this.loading ??= this.loadXterm().catch((err: unknown) => {
      this.loading = null;
      this.loadError = `The console could not be loaded (${err instanceof Error ? err.message : String(err)}). Reload the page to try again; the log can still be downloaded.`;
    });
    return this.loading;
  }

  /** xterm.js, its fit add-on and its stylesheet load on first use, not with the page. */
  private async loadXterm(): Promise<void> {
    const [{ Terminal }, { FitAddon }, { default: xtermCss }] = await Promise.all([
      import("@xterm/xterm"),
      import("@xterm/addon-fit"),
      import("@xterm/xterm/css/xterm.css?inline"),
    ]);
    await this.updateComplete;
    const screen = this.screen;
    if (!screen || this.xterm) return;
    // xterm's stylesheet must apply inside this shadow root: adopt it next to the element's own.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(xtermCss);
    const root = this.renderRoot as ShadowRoot;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    const term = new Terminal({
      convertEol: false,
      cursorBlink: true,
      disableStdin: this.terminal?.status !== "open",
      fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace',
      fontSize: 13,
      scrollback: 5000,
      // Screen readers get the output as text (a live region and a list of rows).
      screenReaderMode: true,
      // Portal messages are bright black (#a9b1bd: 8.5:1 on the background, WCAG AA with room);
      // whatever colours the board prints are lifted to AA contrast too.
      theme: { background: "#111418", foreground: "#e6e6e6", brightBlack: "#a9b1bd" },
      minimumContrastRatio: 4.5,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(screen);
    term.textarea?.setAttribute("aria-label", "Console input: keys go to the board");
    this.fitTerminal = () => {
      if (screen.clientWidth === 0) return;
      const cols = term.cols;
      fit.fit();
      // Portal messages are wrapped at spaces for the width: write them again for the new one.
      if (term.cols !== cols && this.xterm) this.replayLog();
    };
    this.fitTerminal();
    this.resizeObserver = new ResizeObserver(() => this.fitTerminal?.());
    this.resizeObserver.observe(screen);
    term.onData((data) => this.send(data));
    term.attachCustomKeyEventHandler((e) => {
      if (e.type === "keydown" && e.key === "Escape") {
        this.renderRoot.querySelector<HTMLElement>(".toolbar button:not([disabled])")?.focus();
        return false;
      }
      // Tab is the page's: focus moves on (xterm leaves the event alone when told to skip it).
      if (e.key === "Tab") return false;
      // The REPL's completion key, where a browser page can offer it.
      if (e.type === "keydown" && e.ctrlKey && e.code === "Space") {
        this.send("\t");
        e.preventDefault();
        return false;
      }
      return true;
    });
    // Paste goes to the session whole (a MicroPython board gets it through paste mode), so
    // xterm's own paste handling, which would send it as typed keys, never sees it.
    screen.addEventListener(
      "paste",
      (e) => {
        e.preventDefault();
        e.stopPropagation();
        const text = e.clipboardData?.getData("text/plain") ?? "";
        if (text && this.terminal?.status === "open") fire(this, "pydirect-terminal-paste", { text });
      },
      true,
    );
    this.xterm = term;
    this.replayLog();
  }

  private send(data: string): void {
    if (this.terminal?.status === "open") fire(this, "pydirect-terminal-input", { data });
  }

  private replayLog(): void {
    const term = this.xterm;
    if (!term) return;
    this.offLog?.();
    term.reset();
    this.atLineStart = true;
    for (const entry of this.log?.all ?? []) this.write(entry);
    this.offLog = this.log?.subscribe((e) => this.write(e)) ?? null;
  }

  private write(entry: LogEntry): void {
    const term = this.xterm;
    if (!term || !entry.text) return;
    if (entry.source === "device") {
      term.write(entry.text);
      this.atLineStart = /[\r\n]$/.test(entry.text);
      return;
    }
    // Portal messages: grey, on lines of their own between what the board prints, wrapped at spaces.
    const time = new Date(entry.at).toISOString().slice(11, 19);
    const lines = wrapWords(`[${time}] `, entry.text, term.cols);
    term.write(`${this.atLineStart ? "" : "\r\n"}\x1b[90m${lines.join("\r\n")}\x1b[0m\r\n`);
    this.atLineStart = true;
  }

  private readonly clear = (): void => {
    // Only the screen: the log keeps everything for the download.
    this.xterm?.clear();
  };

  private readonly download = (): void => {
    const blob = new Blob([this.log?.toText() ?? ""], { type: "text/plain" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `pydirect-log-${new Date().toISOString().replace(/[:.]/g, "-")}.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-terminal": PydirectTerminal;
  }
}
