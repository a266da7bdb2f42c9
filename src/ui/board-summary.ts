import { LitElement, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { SessionState } from "../core/session/session-types";
import { formatBytes, sharedStyles } from "./shared-styles";
import "./chip-security";

/**
 * What the connected board is: port, chip, MAC, flash size, the firmware already on it, and its
 * security state (flash encryption, secure boot) where it was read.
 *
 * @csspart board - the list of facts.
 */
@customElement("pydirect-board-summary")
export class PydirectBoardSummary extends LitElement {
  static override styles = [sharedStyles];

  @property({ attribute: false }) state: SessionState | null = null;

  override render() {
    const board = this.state?.connect.result;
    if (!board) return nothing;
    return html`<dl part="board" aria-label="Connected board">
        <dt>Port</dt>
        <dd>${this.state?.port?.label ?? "—"}</dd>
        <dt>Chip</dt>
        <dd data-field="chip">${board.description}</dd>
        <dt>MAC</dt>
        <dd data-field="mac">${board.mac}</dd>
        <dt>Flash</dt>
        <dd data-field="flash">${formatBytes(board.flashSize)}</dd>
        <dt>Firmware on board</dt>
        <dd data-field="firmware">
          ${board.firmware ? `${board.firmware.name} ${board.firmware.version}` : "none found"}
        </dd>
      </dl>
      ${board.security ? html`<pydirect-chip-security .security=${board.security}></pydirect-chip-security>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-board-summary": PydirectBoardSummary;
  }
}
