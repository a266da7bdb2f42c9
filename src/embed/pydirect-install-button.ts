/**
 * `<pydirect-install-button manifest="…">`: the embeddable entry. Deliberately plain (no Lit, no
 * imports) so it stays smaller than ESP Web Tools' button; the dialog and every core load on the
 * first click.
 *
 * Which boards this browser reaches is feature-detected, as in the portal, never read from the user
 * agent: Web Serial where `navigator.serial` exists; else, where `navigator.usb` exists (phones,
 * Chrome on Android before 148), the WebUSB path, on which the dialog's Connect step says that
 * boards with a CP210x, CH340/CH341 or FTDI bridge need a computer and loads web-serial-polyfill only
 * when the user asks for a port; else the `unsupported` slot, whose default names browsers that work.
 *
 * Attributes set by the element (for the host page's CSS): `install-supported` or
 * `install-unsupported`; `install-webusb` too when boards are reached through WebUSB (CDC-ACM boards
 * only, the chip's own USB).
 *
 * @slot activate - your own button (default: an "Install" button).
 * @slot unsupported - shown when the browser has neither Web Serial nor WebUSB.
 * @slot not-allowed - shown when the page is not a secure context (https:// or localhost).
 * @fires state-changed - detail: the session state, on every change.
 * @fires install-complete - detail: the verified board `{ hostname, mac, chip, certFingerprint, firmwareVersion }`.
 * @csspart button - the default Install button.
 * @cssprop --pydirect-accent - button and dialog accent colour (also --pydirect-radius, --pydirect-accent-text, …).
 */
class PydirectInstallButton extends HTMLElement {
  static observedAttributes = ["manifest"];
  private dialog: (HTMLElement & { manifest: string; open(): void }) | null = null;

  connectedCallback(): void {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: "open" });
    const secure = window.isSecureContext;
    const webUsb = !("serial" in navigator) && "usb" in navigator;
    const state = !secure ? "not-allowed" : webUsb || "serial" in navigator ? "activate" : "unsupported";
    this.setAttribute(state === "activate" ? "install-supported" : "install-unsupported", "");
    if (webUsb && secure) this.setAttribute("install-webusb", "");
    // The unsupported sentence writes BROWSERS_THAT_WORK (core/session/browsers-that-work.ts) out:
    // imported, that module, which the dialog shares, would become a chunk the entry must load first.
    // test/browser/embed-webusb.test.ts holds the two equal.
    const fallback =
      state === "activate"
        ? `<button part="button">Install</button>`
        : state === "unsupported"
          ? "Your browser cannot install firmware: use Chrome, Edge or Opera on a computer, Firefox 151 or later, or Chrome 148 or later on Android."
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
