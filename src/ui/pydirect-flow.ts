import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { PortalSession } from "../core/session/portal-session";
import type { SessionState, StepId } from "../core/session/session-types";
import "./connect-step";
import { loadFlowSteps } from "./lazy-panels";
import type { DemoAccessPoint } from "./provision-step";
import { bindSessionIntents, type PortSources } from "./session-intents";
import { sharedStyles } from "./shared-styles";
import "./step-nav";
import type { PydirectTerminal } from "./pydirect-terminal";
import type { PydirectDeviceConsole } from "./device-console";

/** Which console the console panel shows: the board's USB serial, or the DataChannel after Verify. */
type ConsoleView = "serial" | "datachannel";

/**
 * The five steps for one session, as the portal page and the install dialog both show them:
 * the step row, the current step, and focus moved to each new step's heading.
 *
 * @fires pydirect-state - detail `SessionState`, on every change (for the embed's `state-changed`).
 * @fires pydirect-board-finished - after a verification ran (device list refresh).
 * Below the steps, one console panel: the serial console and log (pydirect-terminal) and, once a
 * board verified, the REPL on its DataChannel (pydirect-device-console), with a switch between them.
 * Connect is in the first paint; the other steps and the consoles load right after it.
 */
@customElement("pydirect-flow")
export class PydirectFlow extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      section {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: var(--_space) calc(1.25 * var(--_space));
        background: var(--_bg);
      }
      .console {
        margin-top: var(--_space);
      }
      .console pydirect-terminal,
      .console pydirect-device-console {
        margin-top: 0;
      }
      .switch {
        display: inline-flex;
        margin: 0 0 0.5rem;
      }
      .switch button {
        margin: 0;
        background: transparent;
        color: var(--_accent);
        font-size: 0.9rem;
        padding: 0.35rem 0.8rem;
      }
      .switch button:first-child {
        border-radius: var(--_radius) 0 0 var(--_radius);
      }
      .switch button:last-child {
        border-radius: 0 var(--_radius) var(--_radius) 0;
        border-left: 0;
      }
      .switch button[aria-pressed="true"] {
        background: var(--_accent);
        color: var(--_accent-text);
      }
      [hidden] {
        display: none !important;
      }
      @media (max-width: 30rem) {
        section {
          padding: 0.75rem;
        }
      }
    `,
  ];

  @property({ attribute: false }) session: PortalSession | null = null;
  @property({ attribute: false }) ports: PortSources | null = null;
  @property({ attribute: false }) environmentProblem: PortalError | null = null;
  @property({ attribute: false }) demoAccessPoints: DemoAccessPoint[] = [];
  /** Offer "several boards at once" after a pass (the host handles `pydirect-open-line`). */
  @property({ type: Boolean }) lineAvailable = false;
  @state() private snapshot: SessionState | null = null;
  @state() private pickError: PortalError | null = null;
  @state() private consoleView: ConsoleView = "serial";
  private unbind: (() => void) | null = null;
  private shownStep: StepId | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void loadFlowSteps();
  }

  // Bound before render, so the first snapshot does not schedule a second update (Lit's warning).
  override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has("session") || changed.has("ports")) && this.session && this.ports) {
      this.unbind?.();
      const session = this.session;
      const offIntents = bindSessionIntents(this, session, this.ports, {
        onPickError: (e) => (this.pickError = e),
        onBoardFinished: () =>
          this.dispatchEvent(new CustomEvent("pydirect-board-finished", { bubbles: true, composed: true })),
      });
      const offState = session.subscribe((s) => {
        const before = this.snapshot?.handoff?.console ?? "closed";
        // The DataChannel console just opened (after Verify): show it in the console panel.
        if (s.handoff && s.handoff.console !== "closed" && before === "closed") this.consoleView = "datachannel";
        if (!s.handoff) this.consoleView = "serial";
        this.snapshot = s;
        this.dispatchEvent(new CustomEvent("pydirect-state", { detail: s, bubbles: true, composed: true }));
      });
      this.unbind = () => {
        offIntents();
        offState();
      };
    }
  }

  override updated(): void {
    const step = this.snapshot?.step ?? null;
    if (step !== this.shownStep) {
      const first = this.shownStep === null;
      this.shownStep = step;
      // Keyboard and screen-reader users land on the new step's heading; not on first load.
      if (!first) void this.focusStep();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unbind?.();
    this.unbind = null;
  }

  /** Show the serial console and put the caret in it. */
  async focusTerminal(): Promise<void> {
    this.consoleView = "serial";
    await loadFlowSteps();
    await this.updateComplete;
    await this.renderRoot.querySelector<PydirectTerminal>("pydirect-terminal")?.focusTerminal();
  }

  /** After "connect again" the DataChannel console reopened: show it and put the caret in it. */
  private readonly focusDeviceConsole = (e: Event): void => {
    e.preventDefault();
    this.consoleView = "datachannel";
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<PydirectDeviceConsole>("pydirect-device-console")?.focusInput(),
    );
  };

  /** Move focus to the heading of the step on screen. */
  async focusStep(): Promise<void> {
    await this.updateComplete;
    const el = this.renderRoot.querySelector<LitElement>("section[data-step] > *");
    await el?.updateComplete;
    el?.shadowRoot?.querySelector<HTMLElement>("h2")?.focus();
  }

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const view = s.handoff ? this.consoleView : "serial";
    return html`<pydirect-step-nav .state=${s}></pydirect-step-nav>
      <pydirect-manual-boot-guide
        .guidance=${s.manualBoot ?? null}
        ?virtual=${s.port?.virtual === true}
      ></pydirect-manual-boot-guide>
      <pydirect-port-follow-notice
        .follow=${s.portFollow ?? null}
        .plan=${s.step === "flash" || s.step === "firmware" ? (s.consolePlan ?? null) : null}
      ></pydirect-port-follow-notice>
      <section aria-live="off" data-step=${s.step} @pydirect-focus-console=${this.focusDeviceConsole}>
        ${this.renderStep(s)}
      </section>
      <section class="console" aria-label="Console" data-view=${view}>
        ${
          s.handoff
            ? html`<div class="switch" role="group" aria-label="Which console">
                <button
                  id="console-view-serial"
                  aria-pressed=${view === "serial" ? "true" : "false"}
                  @click=${() => (this.consoleView = "serial")}
                >
                  USB serial
                </button>
                <button
                  id="console-view-datachannel"
                  aria-pressed=${view === "datachannel" ? "true" : "false"}
                  @click=${() => (this.consoleView = "datachannel")}
                >
                  DataChannel (WebRTC)
                </button>
              </div>`
            : nothing
        }
        <pydirect-terminal
          ?hidden=${view !== "serial"}
          .log=${this.session?.log ?? null}
          .terminal=${s.terminal}
          ?connected=${s.port !== null}
        ></pydirect-terminal>
        ${
          s.handoff
            ? html`<pydirect-device-console
                ?hidden=${view !== "datachannel"}
                .handoff=${s.handoff}
              ></pydirect-device-console>`
            : nothing
        }
      </section>`;
  }

  private renderStep(s: SessionState) {
    switch (s.step) {
      case "connect":
        return html`<pydirect-connect-step
          .state=${s}
          .environmentProblem=${this.environmentProblem}
          .pickError=${this.pickError}
          .virtualModels=${this.ports?.virtualModels ?? []}
        ></pydirect-connect-step>`;
      case "firmware":
        return html`<pydirect-firmware-step .state=${s}></pydirect-firmware-step>`;
      case "flash":
        return html`<pydirect-flash-step .state=${s}></pydirect-flash-step>`;
      case "provision":
        return html`<pydirect-provision-step
          .state=${s}
          .demoAccessPoints=${s.port?.virtual ? this.demoAccessPoints : []}
        ></pydirect-provision-step>`;
      case "verify":
        return html`<pydirect-verify-step
          .state=${s}
          ?lineAvailable=${this.lineAvailable}
          consoleElsewhere
        ></pydirect-verify-step>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-flow": PydirectFlow;
  }
}
