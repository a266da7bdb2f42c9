import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { InventorySnapshot } from "../core/registry/station-inventory";
import type { InventoryStatus } from "../core/registry/inventory-sync";
import { fire, sharedStyles } from "./shared-styles";

/**
 * This station's shared-inventory settings: the CouchDB database URL and user (kept in this
 * browser), a password for this session only, and the sync status.
 *
 * @fires pydirect-inventory-connect - detail `{ url: string, user: string, password: string }`.
 * @fires pydirect-inventory-disconnect - stop sharing; the station keeps a copy of the list.
 * @csspart status - the sync status line.
 * @cssprop --pydirect-ok - colour of "synced".
 * @cssprop --pydirect-danger - colour of errors.
 */
@customElement("pydirect-inventory-settings")
export class PydirectInventorySettings extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .status {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        margin: 0 0 0.5rem;
      }
      .dot {
        display: inline-block;
        width: 0.7em;
        height: 0.7em;
        border-radius: 50%;
        background: var(--_muted);
        flex: none;
      }
      .dot.synced {
        background: var(--_ok);
      }
      .dot.offline,
      .dot.needs-password,
      .dot.connecting,
      .dot.syncing {
        background: var(--_warn);
      }
      .dot.error {
        background: var(--_danger);
      }
      .error {
        color: var(--_danger);
      }
      input {
        width: min(100%, 28rem);
        box-sizing: border-box;
      }
      form {
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false }) snapshot: InventorySnapshot = {
    status: { state: "off" },
    config: null,
    rejected: [],
  };
  /** A problem with what was typed (a bad URL), shown next to the form. */
  @property({ type: String }) formError = "";
  @query("#inventory-password") private passwordInput!: HTMLInputElement | null;
  /** The user asked to set up sharing: the server form shows only then (or when sharing needs it). */
  @state() private asked = false;

  override updated(changed: Map<string, unknown>): void {
    const before = changed.get("snapshot") as InventorySnapshot | undefined;
    if (before && before.status.state !== "needs-password" && this.snapshot.status.state === "needs-password")
      this.passwordInput?.focus();
  }

  override render() {
    const { status, config, rejected } = this.snapshot;
    const on = status.state !== "off";
    const asking = status.state === "needs-password" || status.state === "error" || (!on && this.asked);
    return html`
      <h2 tabindex="-1">Shared inventory</h2>
      <p class="status" part="status" role="status">
        <span class="dot ${status.state}" aria-hidden="true"></span><span>${describe(status)}</span>
      </p>
      ${
        rejected.length
          ? html`<p class="error">
              The server refused ${rejected.length} document${rejected.length === 1 ? "" : "s"}:
              ${rejected.map((r) => `${r.id} (${r.reason})`).join("; ")}.
            </p>`
          : nothing
      }
      ${
        asking
          ? html`<form @submit=${this.submit} aria-describedby="inventory-help">
              <p id="inventory-help" class="muted">
                Stations with the same CouchDB database share one device list. Only the URL and user are kept in this
                browser; a password is kept for this session only. No key or password of a board is ever sent.
              </p>
              <label for="inventory-url">CouchDB database URL</label>
              <input
                id="inventory-url"
                name="url"
                type="url"
                required
                placeholder="https://couch.example.com/pydirect-inventory"
                .value=${config?.url ?? ""}
                autocomplete="url"
              />
              <label for="inventory-user">User</label>
              <input id="inventory-user" name="user" type="text" .value=${config?.user ?? ""} autocomplete="username" />
              <label for="inventory-password"
                >Password <span class="muted">(this session only, never stored)</span></label
              >
              <input id="inventory-password" name="password" type="password" autocomplete="current-password" />
              ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
              <div><button type="submit" id="inventory-connect">${on ? "Connect again" : "Connect"}</button></div>
            </form>`
          : nothing
      }
      ${
        !on && !this.asked
          ? html`<p class="muted">Several stations can share one device list through a CouchDB database you run.</p>
              <button class="secondary" id="inventory-setup" @click=${this.askForServer}>
                Set up a shared inventory…
              </button>`
          : nothing
      }
      ${on ? html`<button class="secondary" id="inventory-disconnect" @click=${() => fire(this, "pydirect-inventory-disconnect")}>Stop sharing</button>` : nothing}
    `;
  }

  private readonly askForServer = async (): Promise<void> => {
    this.asked = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>("#inventory-url")?.focus();
  };

  private readonly submit = (e: Event): void => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const detail = { url: value("url"), user: value("user"), password: value("password") };
    // The password leaves the field at once: it lives in the inventory connection's memory only.
    (form.elements.namedItem("password") as HTMLInputElement).value = "";
    fire(this, "pydirect-inventory-connect", detail);
  };
}

function describe(status: InventoryStatus): string {
  switch (status.state) {
    case "off":
      return "Off: this station keeps its device list in this browser only.";
    case "needs-password":
      return `Enter the password for ${status.user} to sync with ${status.url}. Until then this station works on its own copy.`;
    case "connecting":
      return `Connecting to ${status.url}…`;
    case "syncing":
      return `Syncing with ${status.url}…`;
    case "synced":
      return `Synced with ${status.url} (${new Date(status.at).toLocaleTimeString()}).`;
    case "offline":
      return `Offline, retrying: ${status.message}`;
    case "error":
      return `Not syncing: ${status.error.message}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pydirect-inventory-settings": PydirectInventorySettings;
  }
}
