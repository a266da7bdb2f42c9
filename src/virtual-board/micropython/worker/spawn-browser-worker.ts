/**
 * Starts the board worker in a browser. A page may only start workers from its own origin; when
 * this code was loaded from another one (the embed on someone else's site), a same-origin blob
 * module imports the worker's code instead (its server sends CORS headers, as the embed needs).
 */
import type { WorkerLike } from "./worker-app";

export async function spawnBrowserBoardWorker(): Promise<WorkerLike> {
  const { default: url } = await import("./micropython.worker.ts?worker&url");
  const href = new URL(url, import.meta.url).href;
  if (new URL(href).origin === location.origin) return new Worker(href, { type: "module", name: "virtual board" });
  const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(href)};`], { type: "text/javascript" }));
  return new Worker(shim, { type: "module", name: "virtual board" });
}
