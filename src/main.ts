/**
 * The portal page: wires the cores, the device registry and the service worker into
 * `<pydirect-portal>`. Everything the user does goes through the element's session.
 */
import { createStationRegistry, loadStationInventory } from "./ui/app-services";
import "./ui/pydirect-portal";

const portal = document.querySelector("pydirect-portal");
if (portal) {
  // ?manifest=<url> links straight to a firmware (as the embed's manifest attribute does).
  const linked = new URLSearchParams(window.location.search).get("manifest");
  if (linked) portal.manifest = linked;
  const registry = createStationRegistry();
  portal.registry = registry;
  // portal.virtualApp stays unset: a virtual board runs the demo firmware, loaded with the simulator.
  // The jobs (flash, provision, verify) load right after the first paint, with the session's core.
  // HTTPS signaling reaches the in-page boards over the page's simulated LAN, other boards by fetch.
  void Promise.all([import("./core/session/default-jobs"), import("./demo/virtual-lan")]).then(
    ([{ createPortalJobs }, { httpsTransportVia }]) => {
      portal.jobs = createPortalJobs({ registry, httpsTransport: httpsTransportVia });
    },
  );
  void registerServiceWorker(portal);
  // The shared inventory's code loads after the first paint; PouchDB only if a server is configured.
  void loadStationInventory(registry).then(async (inventory) => {
    portal.inventory = inventory;
    await inventory.resume();
  });
}

/**
 * Precache the app for offline use; offer a reload when a new deployment is waiting. workbox-window
 * loads after the first paint: nothing on screen waits for it.
 */
async function registerServiceWorker(el: HTMLElementTagNameMap["pydirect-portal"]): Promise<void> {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  const { Workbox } = await import("workbox-window");
  const wb = new Workbox("./sw.js");
  wb.addEventListener("waiting", () => {
    el.updateAvailable = true;
  });
  el.addEventListener("pydirect-apply-update", () => {
    wb.addEventListener("controlling", () => window.location.reload());
    wb.messageSkipWaiting();
  });
  await wb.register();
}
