/**
 * `<pydirect-install-button manifest="…">`: the embeddable entry. Deliberately plain (no Lit, no
 * imports) so it stays smaller than ESP Web Tools' button; the dialog and every core load on the
 * first click.
 *
 * Slots: `activate` (your own button), `unsupported` (no Web Serial), `not-allowed` (not a secure
 * context). Events (CustomEvent, bubbles, composed): `state-changed` (detail: the session state),
 * `install-complete` (detail: the verified board). CSS custom properties (--pydirect-accent, …)
 * theme the button and the dialog.
 */
class PydirectInstallButton extends HTMLElement {
  static observedAttributes = ["manifest"];
  private dialog: (HTMLElement & { manifest: string; open(): void }) | null = null;

  connectedCallback(): void {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: "open" });
    const secure = window.isSecureContext;
    const serial = "serial" in navigator;
    const state = !secure ? "not-allowed" : serial ? "activate" : "unsupported";
    this.setAttribute(serial && secure ? "install-supported" : "install-unsupported", "");
    const fallback =
      state === "activate"
        ? `<button part="button">Install</button>`
        : state === "unsupported"
          ? "Your browser cannot install firmware: use Chrome or Edge on a computer."
          : "Installing firmware needs this page on https://.";
    root.innerHTML = `<style>button{font:inherit;padding:.6em 1.2em;border:0;border-radius:var(--pydirect-radius,8px);background:var(--pydirect-accent,#0b57d0);color:var(--pydirect-accent-text,#fff);cursor:pointer}</style><slot name="${state}">${fallback}</slot>`;
    if (state === "activate") root.querySelector("slot")?.addEventListener("click", () => void this.open());
  }

  attributeChangedCallback(): void {
    if (this.dialog) this.dialog.manifest = this.manifestUrl;
  }

  get manifestUrl(): string {
    return new URL(this.getAttribute("manifest") ?? "", document.baseURI).href;
  }

  /** Open the install dialog (loading it first on the first call). */
  async open(): Promise<void> {
    if (!this.dialog) {
      await import("../ui/pydirect-install-dialog");
      const dialog = document.createElement("pydirect-install-dialog") as NonNullable<PydirectInstallButton["dialog"]>;
      dialog.manifest = this.manifestUrl;
      const forward = (from: string, to: string) =>
        dialog.addEventListener(from, (e) => {
          e.stopPropagation();
          this.dispatchEvent(
            new CustomEvent(to, { detail: (e as CustomEvent<unknown>).detail, bubbles: true, composed: true }),
          );
        });
      forward("pydirect-state", "state-changed");
      forward("pydirect-install-complete", "install-complete");
      (this.shadowRoot ?? this).append(dialog); // open() runs after connectedCallback made the root
      this.dialog = dialog;
    }
    this.dialog.open();
  }
}

if (!customElements.get("pydirect-install-button"))
  customElements.define("pydirect-install-button", PydirectInstallButton);
