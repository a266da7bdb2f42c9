/**
 * What the first paint leaves out, and when it comes: the step panels after Connect and the device
 * list right after the first paint; the production line and the virtual board when the browser is
 * next idle (so opening them later shows no delay), each module once. The shared inventory's code
 * follows the first paint from main.ts.
 */

/** The Firmware, Install, Provision and Verify panels and the serial console (pydirect-flow). */
export function loadFlowSteps(): Promise<unknown> {
  return import("./flow-steps");
}

/** The portal page's device list and its Change Wi-Fi panel. */
export function loadPortalPanels(): Promise<unknown> {
  return Promise.all([import("./device-list"), import("./wifi-change"), loadFlowSteps()]);
}

let prefetched = false;

/** Fetch (and define) the panels behind the other tabs once the page is idle; once per page. */
export function prefetchPanels(): void {
  if (prefetched) return;
  prefetched = true;
  const load = (): void => {
    void loadFlowSteps();
    void import("./pydirect-line-grid");
    // The simulator behind "Try without hardware": ready before the user presses it.
    void import("../demo/virtual-port");
  };
  // Safari has no requestIdleCallback: a short timeout after load does the same job there.
  if (typeof requestIdleCallback === "function") requestIdleCallback(load, { timeout: 3000 });
  else setTimeout(load, 1500);
}
