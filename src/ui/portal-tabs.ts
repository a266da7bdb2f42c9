/**
 * The portal page's places (tabs) and its layout: kept apart from pydirect-portal.ts, which wires
 * the session, the line and the inventory.
 */
import { css, html, nothing, type TemplateResult } from "lit";

/** The page's three places: the one-board install, the production line, and the station's settings. */
export type PortalTab = "install" | "line" | "settings";
export const TABS: readonly { id: PortalTab; label: string }[] = [
  { id: "install", label: "Install" },
  { id: "line", label: "Production line" },
  { id: "settings", label: "Shared inventory" },
];

/** The tab a key moves to from `current` (WAI-ARIA tabs: arrows wrap, Home and End); null for other keys. */
export function tabAfterKey(current: PortalTab, key: string): PortalTab | null {
  const i = TABS.findIndex((t) => t.id === current);
  const n = TABS.length;
  const to: Record<string, number> = { ArrowRight: (i + 1) % n, ArrowLeft: (i + n - 1) % n, Home: 0, End: n - 1 };
  return key in to ? TABS[to[key]].id : null;
}

export interface TabRowOptions {
  current: PortalTab;
  /** The production line can be opened (the session exists). */
  lineReady: boolean;
  /** Sharing waits for the user (a password after a reload, or an error): its tab says so. */
  inventoryNeedsUser: boolean;
  select: (tab: PortalTab) => void;
  onKey: (e: KeyboardEvent) => void;
}

/** The tab row (WAI-ARIA tabs: one tab stop, the selected tab; arrows move between them). */
export function renderTabs(o: TabRowOptions): TemplateResult {
  return html`<div role="tablist" aria-label="Portal" @keydown=${o.onKey}>
    ${TABS.map(
      (t) =>
        html`<button
          role="tab"
          id="tab-${t.id}"
          aria-selected=${o.current === t.id ? "true" : "false"}
          aria-controls="panel-${t.id}"
          tabindex=${o.current === t.id ? 0 : -1}
          ?disabled=${t.id === "line" && !o.lineReady}
          @click=${() => o.select(t.id)}
        >
          ${t.label}${
            t.id === "settings" && o.inventoryNeedsUser
              ? html`<span class="badge" aria-hidden="true">!</span
                  ><span class="visually-hidden"> (needs attention)</span>`
              : nothing
          }
        </button>`,
    )}
  </div>`;
}

/** Header, tab row and panels; down to 360 px wide. */
export const portalStyles = css`
  :host {
    display: block;
    max-width: 60rem;
    margin: 0 auto;
    padding: var(--_space) var(--_space) calc(3 * var(--_space));
    box-sizing: border-box;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    justify-content: space-between;
    gap: 0.5rem var(--_space);
    margin-bottom: var(--_space);
  }
  header h1 {
    font-size: 1.5rem;
    margin: 0;
    line-height: 1.2;
  }
  header p {
    margin: 0.25rem 0 0;
  }
  [role="tablist"] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    border-bottom: 1px solid var(--_border);
    margin: 0 0 var(--_space);
  }
  [role="tab"] {
    background: transparent;
    color: var(--_fg);
    border: 0;
    border-bottom: 3px solid transparent;
    border-radius: var(--_radius) var(--_radius) 0 0;
    margin: 0;
    padding: 0.5rem 0.75rem;
  }
  [role="tab"][aria-selected="true"] {
    color: var(--_accent);
    border-bottom-color: var(--_accent);
    font-weight: 600;
  }
  .badge {
    display: inline-block;
    margin-left: 0.35rem;
    min-width: 1.2em;
    border-radius: 999px;
    background: var(--_danger);
    color: var(--_bg);
    font-size: 0.8em;
    font-weight: 700;
    text-align: center;
  }
  [role="tabpanel"]:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 4px;
  }
  /* The production line and the inventory sit in the same kind of panel as the install steps. */
  .card {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_space) calc(1.25 * var(--_space));
    background: var(--_bg);
  }
  .devices {
    display: block;
    margin-top: calc(1.5 * var(--_space));
  }
  [hidden] {
    display: none !important;
  }
  header .brand {
    display: flex;
    align-items: center;
    gap: 0.6rem;
  }
  header img {
    width: 2.25rem;
    height: 2.25rem;
    flex: none;
  }
  @media (max-width: 30rem) {
    :host {
      padding: 0.75rem 0.5rem 2rem;
    }
    header h1 {
      font-size: 1.3rem;
    }
    .card {
      padding: 0.75rem;
    }
    header img {
      width: 1.75rem;
      height: 1.75rem;
    }
    [role="tab"] {
      padding: 0.5rem 0.45rem;
      font-size: 0.9rem;
    }
  }
`;
