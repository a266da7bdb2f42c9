import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import type { PortalError } from "../core/errors";
import type { LineBoardState, LineEvent } from "../core/line/line-types";
import type { ProductionLine } from "../core/line/production-line";
import "./error-notice";
import type { DemoAccessPoint } from "./provision-step";
import "./pydirect-line-row";
import type { PydirectLineRow } from "./pydirect-line-row";
import { fire, sharedStyles } from "./shared-styles";

const COLUMNS = ["Board and port", "Chip", "Step", "Progress", "Result", "Time", "Actions"];

/**
 * Production line: several boards at once, one row each (port, chip, step, progress, result,
 * time). Rows are their own elements keyed by board: progress is coalesced to one update per
 * animation frame and goes straight to the board's row, so a busy board never re-renders the
 * others. Finished and failed boards are announced in a polite live region; progress is not.
 *
 * @fires pydirect-line-add-port - pick a serial port (Web Serial) and add it.
 * @fires pydirect-line-add-virtual - detail `{ count }`: add that many new virtual boards.
 * @fires pydirect-line-start - detail `{ ssid, password, flashOnly }`: run every board not yet done.
 * @fires pydirect-line-stop - stop every running board.
 * @fires pydirect-line-clear - take the finished boards off the line.
 * @fires pydirect-line-remove - detail `{ id }` (from a row): take one board off.
 * @fires pydirect-board-finished - a board finished (the device list refreshes).
 * @csspart table - the boards' table.
 * @cssprop --pydirect-line-columns - the table's column widths (a CSS grid template).
 */
@customElement("pydirect-line-grid")
export class PydirectLineGrid extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      fieldset {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        margin: 0 0 0.75rem;
      }
      .inline {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: 0.5rem 1rem;
      }
      .inline label {
        margin-top: 0;
      }
      label.check {
        display: inline-flex;
        gap: 0.4rem;
        font-weight: normal;
        align-items: center;
      }
      input[type="number"] {
        width: 4rem;
      }
      .table {
        margin-top: 0.75rem;
        overflow-x: auto;
      }
      .header {
        display: grid;
        grid-template-columns: var(--pydirect-line-columns, 11rem 6rem 9rem 8rem minmax(10rem, 1fr) 4rem 6rem);
        gap: 0.5rem;
        padding: 0.4rem 0.5rem;
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) line: ProductionLine | null = null;
  /** The firmware every board gets, as the steps above chose it. */
  @property({ type: String }) firmwareLabel = "";
  @property({ type: String }) ssid = "";
  /** The steps above hold a password for `ssid`: an empty box means that one. */
  @property({ type: Boolean }) wifiSaved = false;
  @property({ attribute: false }) error: PortalError | null = null;
  /** The simulated networks virtual boards can join (demo data, shown as such). */
  @property({ attribute: false }) demoAccessPoints: DemoAccessPoint[] = [];

  @state() private order: string[] = [];
  @state() private running = false;
  @state() private announcements: string[] = [];
  private readonly pending = new Map<string, LineBoardState>();
  private frame = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page: follow the line again (its boards may have changed meanwhile).
    if (this.line && !this.unsubscribe) this.follow();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("line")) this.follow();
  }

  private follow(): void {
    this.unsubscribe?.();
    this.unsubscribe = this.line?.subscribe((e) => this.onLineEvent(e)) ?? null;
    this.order = this.line?.state.boards.map((b) => b.id) ?? [];
    this.running = this.line?.running ?? false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    clearInterval(this.ticker);
  }

  override render() {
    const line = this.line;
    const room = (line?.maxBoards ?? 8) - this.order.length;
    return html`
      <h2 id="line-heading" tabindex="-1">Production line: several boards at once</h2>
      <p class="muted">
        Each board gets ${this.firmwareLabel || "the firmware chosen above"}, then its own identity and certificate, and
        is verified over WebRTC; up to ${line?.maxBoards ?? 8} boards at once. A board that fails stops alone.
      </p>
      <form @submit=${this.start}>
        <fieldset ?disabled=${this.running}>
          <legend>Wi-Fi for every board</legend>
          <div class="inline">
            <div>
              <label for="line-ssid">Network (SSID)</label>
              <input id="line-ssid" name="ssid" autocomplete="off" .value=${this.ssid} />
            </div>
            <div>
              <label for="line-password">Password</label>
              <input
                id="line-password"
                name="password"
                type="password"
                autocomplete="off"
                aria-describedby="line-password-hint"
              />
            </div>
            <label class="check"
              ><input type="checkbox" id="line-flash-only" name="flashOnly" /> Flash only (no provisioning)</label
            >
          </div>
          <p class="muted" id="line-password-hint">
            ${this.wifiSaved ? "Leave the password empty to use the one given on the Install tab." : "Sent only to the boards, over serial."}
          </p>
          ${
            this.demoAccessPoints.length > 0 && this.line?.state.boards.some((b) => b.virtual)
              ? html`<p class="muted" data-field="demo-networks">
                  Demo data: virtual boards see
                  ${this.demoAccessPoints.map((ap, i) => html`${i > 0 ? ", " : ""}<code>${ap.ssid}</code>${ap.password ? html` (password <code>${ap.password}</code>)` : " (open)"}`)}.
                </p>`
              : nothing
          }
        </fieldset>
        <div class="inline">
          <button
            type="button"
            class="secondary"
            id="line-add-port"
            ?disabled=${room <= 0}
            @click=${() => fire(this, "pydirect-line-add-port")}
          >
            Add port
          </button>
          <div>
            <label for="line-virtual-count">Virtual boards</label>
            <input
              id="line-virtual-count"
              type="number"
              min="1"
              max=${Math.max(1, room)}
              .value=${String(Math.max(1, Math.min(4, room)))}
            />
          </div>
          <button
            type="button"
            class="secondary"
            id="line-add-virtual"
            ?disabled=${room <= 0}
            @click=${this.addVirtual}
          >
            Add virtual boards
          </button>
          <button
            type=${this.running ? "button" : "submit"}
            id="line-run"
            ?disabled=${!this.running && this.order.length === 0}
            @click=${() => this.running && fire(this, "pydirect-line-stop")}
          >
            ${this.running ? "Stop" : "Start"}
          </button>
          <button
            type="button"
            class="secondary"
            id="line-clear"
            ?disabled=${this.running}
            @click=${() => fire(this, "pydirect-line-clear")}
          >
            Clear finished
          </button>
        </div>
      </form>
      <pydirect-error-notice .error=${this.error}></pydirect-error-notice>
      ${
        this.order.length > 0
          ? html`<div
              class="table"
              role="table"
              aria-labelledby="line-heading"
              aria-describedby="line-tally"
              part="table"
            >
              <div role="rowgroup">
                <div role="row" class="header">${COLUMNS.map((c) => html`<div role="columnheader">${c}</div>`)}</div>
              </div>
              <div role="rowgroup">
                ${repeat(
                  this.order,
                  (id) => id,
                  (id) =>
                    html`<pydirect-line-row
                      .board=${line?.board(id) ?? null}
                      .now=${line?.now() ?? 0}
                      ?locked=${this.running}
                    ></pydirect-line-row>`,
                )}
              </div>
            </div>`
          : nothing
      }
      <p id="line-tally" class="muted">${this.tally()}</p>
      <div role="status" class="visually-hidden" id="line-announcements">
        ${this.announcements.map((a) => html`<p>${a}</p>`)}
      </div>
    `;
  }

  private tally(): string {
    const boards = this.line?.state.boards ?? [];
    if (boards.length === 0) return "No boards on the line yet.";
    const count = (step: string) => boards.filter((b) => b.step === step).length;
    return `${boards.length} boards: ${count("done")} done, ${count("failed")} failed${this.running ? ", running" : ""}.`;
  }

  private readonly addVirtual = (): void => {
    const input = this.renderRoot.querySelector<HTMLInputElement>("#line-virtual-count");
    const count = Math.max(1, Math.floor(Number(input?.value) || 1));
    fire(this, "pydirect-line-add-virtual", { count });
  };

  private readonly start = (e: Event): void => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? "";
    const flashOnly = (form.elements.namedItem("flashOnly") as HTMLInputElement | null)?.checked ?? false;
    fire(this, "pydirect-line-start", { ssid: value("ssid").trim(), password: value("password"), flashOnly });
  };

  private onLineEvent(e: LineEvent): void {
    switch (e.type) {
      case "board-added":
      case "board-removed":
        this.order = this.line?.state.boards.map((b) => b.id) ?? [];
        return;
      case "board-changed":
        this.pending.set(e.board.id, e.board);
        this.frame ||= requestAnimationFrame(() => this.flush());
        return;
      case "board-finished":
        this.pending.set(e.board.id, e.board);
        this.frame ||= requestAnimationFrame(() => this.flush());
        this.announce(finishedSentence(e.board));
        fire(this, "pydirect-board-finished", { id: e.board.id });
        return;
      case "line-started":
        this.running = true;
        void this.keepFocusOutOfSettings();
        this.announce(`Line started: ${e.boards} boards.`);
        clearInterval(this.ticker);
        this.ticker = setInterval(() => this.tick(), 1000);
        return;
      case "line-finished":
        this.running = false;
        clearInterval(this.ticker);
        this.announce(
          `Line finished: ${e.summary.passed} done, ${e.summary.failed} failed${e.summary.stopped ? `, ${e.summary.stopped} stopped` : ""}.`,
        );
        return;
    }
  }

  /**
   * The settings lock while the line runs; focus inside them (Enter in the password box) would be
   * dropped to the top of the page, so it moves to the Stop button, which is the same element as
   * Start.
   */
  private async keepFocusOutOfSettings(): Promise<void> {
    const focused = this.shadowRoot?.activeElement;
    if (!focused?.closest("fieldset")) return;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>("#line-run")?.focus();
  }

  /** Once per frame: each changed board's latest state to its own row, nothing else. */
  private flush(): void {
    this.frame = 0;
    const now = this.line?.now() ?? 0;
    for (const [id, board] of this.pending) {
      const row = this.row(id);
      if (!row) continue;
      row.board = board;
      row.now = now;
    }
    this.pending.clear();
  }

  /** Running boards' clocks move once a second; finished ones keep their time. */
  private tick(): void {
    const line = this.line;
    if (!line) return;
    const now = line.now();
    for (const b of line.state.boards) {
      if (b.startedAt !== null && b.finishedAt === null) {
        const row = this.row(b.id);
        if (row) row.now = now;
      }
    }
  }

  private row(id: string): PydirectLineRow | null {
    return this.renderRoot.querySelector<PydirectLineRow>(`pydirect-line-row[data-board-id="${id}"]`);
  }

  private announce(sentence: string): void {
    // The last few stay, so two boards finishing together are both read out.
    this.announcements = [...this.announcements.slice(-4), sentence];
  }
}

function finishedSentence(b: LineBoardState): string {
  const who = `Board ${b.number} (${b.label})`;
  if (b.step === "done") return `${who} done${b.result?.hostname ? `: ${b.result.hostname}` : ""}.`;
  if (b.step === "stopped") return `${who} stopped.`;
  return `${who} failed: ${b.error?.message ?? "unknown reason"}`;
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-line-grid": PydirectLineGrid;
  }
}
