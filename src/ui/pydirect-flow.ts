import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { PortalError } from "../core/errors";
import type { PortalSession } from "../core/session/portal-session";
import type { SessionState, StepId } from "../core/session/session-types";
import "./connect-step";
import "./firmware-step";
import "./flash-step";
import type { DemoAccessPoint } from "./provision-step";
import "./provision-step";
import { bindSessionIntents, type PortSources } from "./session-intents";
import { sharedStyles } from "./shared-styles";
import "./step-nav";
import "./pydirect-terminal";
import type { PydirectTerminal } from "./pydirect-terminal";
import "./verify-step";

/**
 * The five steps for one session, as the portal page and the install dialog both show them:
 * the step row, the current step, and focus moved to each new step's heading.
 *
 * @fires pydirect-state - detail `SessionState`, on every change (for the embed's `state-changed`).
 * @fires pydirect-board-finished - after a verification ran (device list refresh).
 * Below the steps: the serial console and log (pydirect-terminal).
 */
@customElement("pydirect-flow")
export class PydirectFlow extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      section {
        border: 1px solid #c4c9d0;
        border-radius: var(--_radius);
        padding: 1rem 1.25rem;
        background: var(--_bg);
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
  private unbind: (() => void) | null = null;
  private shownStep: StepId | null = null;

  override updated(changed: Map<string, unknown>): void {
    if ((changed.has("session") || changed.has("ports")) && this.session && this.ports) {
      this.unbind?.();
      const session = this.session;
      const offIntents = bindSessionIntents(this, session, this.ports, {
        onPickError: (e) => (this.pickError = e),
        onBoardFinished: () =>
          this.dispatchEvent(new CustomEvent("pydirect-board-finished", { bubbles: true, composed: true })),
      });
      const offState = session.subscribe((s) => {
        this.snapshot = s;
        this.dispatchEvent(new CustomEvent("pydirect-state", { detail: s, bubbles: true, composed: true }));
      });
      this.unbind = () => {
        offIntents();
        offState();
      };
    }
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
    await this.updateComplete;
    await this.renderRoot.querySelector<PydirectTerminal>("pydirect-terminal")?.focusTerminal();
  }

  /** Move focus to the heading of the step on screen. */
  async focusStep(): Promise<void> {
    await this.updateComplete;
    const el = this.renderRoot.querySelector<LitElement>("section > *");
    await el?.updateComplete;
    (el?.shadowRoot?.querySelector("h2") as HTMLElement | null)?.focus();
  }

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    return html`<pydirect-step-nav .state=${s}></pydirect-step-nav>
      <section aria-live="off" data-step=${s.step}>${this.renderStep(s)}</section>
      <pydirect-terminal
        .log=${this.session?.log ?? null}
        .terminal=${s.terminal}
        ?connected=${s.port !== null}
      ></pydirect-terminal>`;
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
        return html`<pydirect-verify-step .state=${s} ?lineAvailable=${this.lineAvailable}></pydirect-verify-step>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-flow": PydirectFlow;
  }
}
