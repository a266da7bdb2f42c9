import { css } from "lit";

/**
 * Look shared by every step. Colours and shape come from CSS custom properties so an embedding
 * page can theme the portal and the install dialog:
 * --pydirect-accent, --pydirect-accent-text, --pydirect-bg, --pydirect-fg, --pydirect-muted,
 * --pydirect-danger, --pydirect-ok, --pydirect-warn, --pydirect-border, --pydirect-radius, --pydirect-font.
 * Unset, they follow the system's light or dark scheme (prefers-color-scheme); every pair of text
 * and background colours below meets WCAG AA (4.5:1) in both.
 */
export const sharedStyles = css`
  :host {
    font-family: var(--pydirect-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
    color: var(--_fg);
    line-height: 1.45;
    --_fg: var(--pydirect-fg, #1b1f24);
    --_accent: var(--pydirect-accent, #0b57d0);
    --_accent-text: var(--pydirect-accent-text, #ffffff);
    --_muted: var(--pydirect-muted, #4d5560);
    --_danger: var(--pydirect-danger, #b3261e);
    --_ok: var(--pydirect-ok, #146c2e);
    --_warn: var(--pydirect-warn, #8a5a00);
    --_border: var(--pydirect-border, #c4c9d0);
    --_field: #6b7280;
    --_radius: var(--pydirect-radius, 8px);
    --_bg: var(--pydirect-bg, #ffffff);
    --_space: 1rem;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_fg: var(--pydirect-fg, #e6e8eb);
      --_accent: var(--pydirect-accent, #8ab4f8);
      --_accent-text: var(--pydirect-accent-text, #0b1a33);
      --_muted: var(--pydirect-muted, #aab2bd);
      --_danger: var(--pydirect-danger, #f2b8b5);
      --_ok: var(--pydirect-ok, #6dd58c);
      --_warn: var(--pydirect-warn, #f0c36d);
      --_border: var(--pydirect-border, #3d4550);
      --_field: #8b949e;
      --_bg: var(--pydirect-bg, #1c2128);
    }
  }
  h2 {
    font-size: 1.2rem;
    margin: 0 0 0.75rem;
  }
  h2:focus {
    outline: none;
  }
  h2:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    border-radius: var(--_radius);
    padding: 0.55rem 1.1rem;
    border: 1px solid var(--_accent);
    background: var(--_accent);
    color: var(--_accent-text);
    cursor: pointer;
    margin: 0.25rem 0.5rem 0.25rem 0;
  }
  button.secondary {
    background: transparent;
    color: var(--_accent);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  summary:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  input,
  select {
    box-sizing: border-box;
    max-width: 100%;
    font: inherit;
    padding: 0.4rem 0.5rem;
    border: 1px solid var(--_field);
    border-radius: calc(var(--_radius) / 2);
    background: var(--_bg);
    color: inherit;
  }
  label {
    display: block;
    margin: 0.5rem 0 0.2rem;
    font-weight: 600;
  }
  .muted {
    color: var(--_muted);
  }
  .phase {
    color: var(--_muted);
    min-height: 1.4em;
    margin: 0.5rem 0;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.25rem 1rem;
    margin: 0.5rem 0 1rem;
  }
  dt {
    font-weight: 600;
  }
  dd {
    margin: 0;
    font-family: ui-monospace, monospace;
    overflow-wrap: anywhere;
  }
  /* On a phone each fact's name sits above its value: long values (fingerprints) get the full width. */
  @media (max-width: 30rem) {
    dl {
      grid-template-columns: 1fr;
      gap: 0;
    }
    dd {
      margin-bottom: 0.4rem;
    }
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .ok {
    color: var(--_ok);
    font-weight: 600;
  }
  a {
    color: var(--_accent);
  }
  a:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  code {
    overflow-wrap: anywhere;
  }
  /* A secret shown once (the WebREPL password): set apart, easy to select and copy. */
  .secret {
    border-left: 4px solid var(--_warn);
    padding: 0.5rem 0.75rem;
  }
  .secret code {
    font-size: 1.05rem;
    user-select: all;
  }
`;

/** The device tables (the device list and the shared inventory's conflicts): ruled rows, long ids in monospace. */
export const deviceTableStyles = css`
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.3rem 0.5rem;
    border-bottom: 1px solid var(--_border);
    vertical-align: top;
  }
  td.mono {
    font-family: ui-monospace, monospace;
    overflow-wrap: anywhere;
  }
`;

/** Fire an intent (or notice) from an element: CustomEvent that bubbles out of shadow roots. */
export function fire(from: EventTarget, type: string, detail?: unknown): void {
  from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "unknown";
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}
