import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { DeviceConflict } from "../core/registry/shared-registry";
import { deviceTableStyles, fire, sharedStyles } from "./shared-styles";

/**
 * Boards of the shared inventory provisioned at more than one station (the same MAC), each
 * version side by side with a way to keep one.
 *
 * @fires pydirect-keep-version - detail `{ key: string, rev: string }`: keep this version, drop the others everywhere.
 * @csspart conflict - the box around one board's versions.
 * @cssprop --pydirect-danger - border colour of a conflict.
 */
@customElement("pydirect-device-conflicts")
export class PydirectDeviceConflicts extends LitElement {
  static override styles = [
    sharedStyles,
    deviceTableStyles,
    css`
      :host {
        display: block;
      }
      section {
        border: 2px solid var(--_danger);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem;
        margin: 0 0 1rem;
      }
      h3 {
        font-size: 1rem;
        margin: 0 0 0.25rem;
      }
    `,
  ];

  @property({ attribute: false }) conflicts: DeviceConflict[] = [];

  override render() {
    return this.conflicts.map((c) => this.renderConflict(c));
  }

  private renderConflict(c: DeviceConflict) {
    const headingId = `conflict-${c.key.replace(/[^A-Za-z0-9-]/g, "-")}`;
    return html`<section part="conflict" data-conflict=${c.key} aria-labelledby=${headingId}>
      <h3 id=${headingId}>
        ${c.kind === "revisions" ? `Board ${c.mac} was provisioned at ${c.versions.length} stations` : `MAC ${c.mac} is in the list as ${c.versions.length} different boards`}
      </h3>
      <p class="muted">
        Only one of them matches the certificate on the board. Keep that one; the others are removed at every station.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Certificate SHA-256</th>
            <th scope="col">Provisioned</th>
            <th scope="col">Firmware</th>
            <th scope="col"><span class="muted">Action</span></th>
          </tr>
        </thead>
        <tbody>
          ${c.versions.map(
            (v) =>
              html`<tr data-rev=${v.rev}>
                <td>${v.record.hostname}</td>
                <td class="mono">${v.record.certFingerprint.slice(0, 23)}…</td>
                <td>${new Date(v.record.provisionedAt).toLocaleString()}</td>
                <td>${v.record.firmwareVersion ?? "—"}</td>
                <td>
                  <button
                    class="secondary"
                    aria-label="Keep this one: ${v.record.hostname}, provisioned ${new Date(v.record.provisionedAt).toLocaleString()}"
                    @click=${() => fire(this, "pydirect-keep-version", { key: c.key, rev: v.rev })}
                  >
                    Keep this one
                  </button>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-device-conflicts": PydirectDeviceConflicts;
  }
}
