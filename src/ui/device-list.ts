import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { DeviceRecord, DeviceRegistry } from "../core/registry/device-record";
import { devicesToCsv, devicesToJson } from "../core/registry/export-devices";
import { isSharedRegistry, type DeviceConflict } from "../core/registry/shared-registry";
import { deviceTableStyles, fire, sharedStyles } from "./shared-styles";

/**
 * The boards this browser provisioned (from the device registry), with re-verify and exports.
 *
 * @fires pydirect-reverify - detail `{ id: string }` (the board is plugged in: read it back over USB).
 * @fires pydirect-connect-again - detail `{ id: string }` (over the network; the board need not be plugged in).
 * @fires pydirect-open-console - detail `{ id: string }` (the serial console on the board plugged in).
 * @fires pydirect-change-wifi - detail `{ id: string }` (new Wi-Fi for the board, without flashing).
 * Conflicts of a shared inventory (the same board provisioned at two stations) show above the
 * table in `<pydirect-device-conflicts>`, which loads with the inventory's code.
 */
@customElement("pydirect-device-list")
export class PydirectDeviceList extends LitElement {
  static override styles = [
    sharedStyles,
    deviceTableStyles,
    css`
      .fail {
        color: var(--_danger);
        font-weight: 600;
      }
      /* On a phone the table scrolls sideways in its own box; the page does not. */
      .scroll {
        overflow-x: auto;
      }
    `,
  ];

  @property({ attribute: false }) registry: DeviceRegistry | null = null;
  /** A hint shown above the table (what to do before re-verifying). */
  @property({ type: String }) notice = "";
  @state() private devices: DeviceRecord[] = [];
  @state() private conflicts: DeviceConflict[] = [];
  @state() private loadError = "";
  private unsubscribe: (() => void) | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("registry")) {
      this.follow();
      void this.refresh();
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** A shared registry changes under us (other stations): reload, at most every 100 ms. */
  private follow(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (!isSharedRegistry(this.registry)) return;
    this.unsubscribe = this.registry.subscribe(() => {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.refresh(), 100);
    });
  }

  /** Reload from the registry (after a board finished, or a re-verify). */
  async refresh(): Promise<void> {
    if (!this.registry) return;
    try {
      this.devices = await this.registry.list();
      this.conflicts = isSharedRegistry(this.registry) ? await this.registry.conflicts() : [];
      this.loadError = "";
    } catch (err) {
      this.loadError = `The device list could not be read from this browser's storage (${err instanceof Error ? err.message : String(err)}).`;
    }
  }

  override render() {
    // A first-time maker has no boards yet: nothing to show, not an empty table and greyed buttons.
    if (!this.devices.length && !this.conflicts.length && !this.notice && !this.loadError) return nothing;
    return html`
      <h2 tabindex="-1">Devices</h2>
      ${this.loadError ? html`<p role="alert">${this.loadError}</p>` : nothing}
      ${this.notice ? html`<p role="status" id="notice">${this.notice}</p>` : nothing}
      ${this.conflicts.length ? html`<pydirect-device-conflicts .conflicts=${this.conflicts}></pydirect-device-conflicts>` : nothing}
      ${
        this.devices.length === 0
          ? html`<p class="muted">No boards provisioned from this browser yet.</p>`
          : html`<div class="scroll" role="region" aria-label="Devices table" tabindex="0">
              <table>
                <caption class="muted">
                  ${this.devices.length} board${this.devices.length === 1 ? "" : "s"}; no keys or passwords are stored.
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Chip</th>
                    <th scope="col">MAC</th>
                    <th scope="col">Firmware</th>
                    <th scope="col">Certificate SHA-256</th>
                    <th scope="col">Last check</th>
                    <th scope="col"><span class="muted">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${this.devices.map(
                    (d) =>
                      html`<tr data-device=${d.id}>
                        <td>
                          ${d.hostname}${this.conflicts.some((c) => c.versions.some((v) => v.id === d.id)) ? html` <span class="fail">conflict</span>` : nothing}
                        </td>
                        <td>${d.chip}</td>
                        <td class="mono">${d.mac}</td>
                        <td>${d.firmwareVersion ?? "—"}</td>
                        <td class="mono">${d.certFingerprint.slice(0, 23)}…</td>
                        <td>
                          ${
                            d.lastVerification
                              ? html`<span class=${d.lastVerification.passed ? "ok" : "fail"}
                                    >${d.lastVerification.passed ? "passed" : "failed"}</span
                                  >
                                  <span class="muted">${new Date(d.lastVerification.at).toLocaleString()}</span>`
                              : "never"
                          }
                        </td>
                        <td>
                          <button
                            class="secondary"
                            aria-label="Re-verify ${d.hostname}"
                            @click=${() => fire(this, "pydirect-reverify", { id: d.id })}
                          >
                            Re-verify
                          </button>
                          <button
                            class="secondary"
                            data-action="connect-again"
                            aria-label="Connect again to ${d.hostname}"
                            @click=${() => fire(this, "pydirect-connect-again", { id: d.id })}
                          >
                            Connect again
                          </button>
                          <button
                            class="secondary"
                            data-action="console"
                            aria-label="Serial console of ${d.hostname}"
                            @click=${() => fire(this, "pydirect-open-console", { id: d.id })}
                          >
                            Console
                          </button>
                          <button
                            class="secondary"
                            data-action="change-wifi"
                            aria-label="Change Wi-Fi of ${d.hostname}"
                            @click=${() => fire(this, "pydirect-change-wifi", { id: d.id })}
                          >
                            Change Wi-Fi
                          </button>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      <button class="secondary" id="export-json" ?disabled=${!this.devices.length} @click=${() => this.save("json")}>
        Export JSON
      </button>
      <button class="secondary" id="export-csv" ?disabled=${!this.devices.length} @click=${() => this.save("csv")}>
        Export CSV
      </button>
    `;
  }

  private save(kind: "json" | "csv"): void {
    const text = kind === "json" ? devicesToJson(this.devices) : devicesToCsv(this.devices);
    const blob = new Blob([text], { type: kind === "json" ? "application/json" : "text/csv" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `pydirect-devices.${kind}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-device-list": PydirectDeviceList;
  }
}
