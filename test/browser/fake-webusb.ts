/**
 * The fake WebUSB browser (test/browser/fixtures/webusb-board.ts) bundled into one script for
 * `page.addInitScript`, with the board it has plugged in.
 */
import { build } from "esbuild";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ROOT } from "./harness";

/** What web-serial-polyfill's code contains (its own option name), to tell its chunk from the others. */
export const POLYFILL_MARKER = "usbControlInterfaceClass";

export async function fakeUsbScript(plugged: "cdc" | "bridge" = "cdc"): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, "test/browser/fixtures/webusb-board.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    define: { __PLUGGED__: JSON.stringify(plugged) },
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].text;
}

export interface LoadedScript {
  url: string;
  /** The script is web-serial-polyfill's code. */
  polyfill: boolean;
  /** What `phase()` said when the script arrived. */
  phase: string;
}

/** Every script the page loads from now on, with the test's phase at that moment (so "loaded only after…" can be told). */
export function recordScripts(page: Page, phase: () => string): LoadedScript[] {
  const scripts: LoadedScript[] = [];
  page.on("response", (response) => {
    const url = response.url();
    if (!url.endsWith(".js")) return;
    const at = phase();
    void response
      .text()
      .then((body) => scripts.push({ url, polyfill: body.includes(POLYFILL_MARKER), phase: at }))
      .catch(() => undefined);
  });
  return scripts;
}

/** The first `length` bytes of the fake's board's flash. */
export function usbBoardFlash(page: Page, length: number): Promise<number[]> {
  return page.evaluate(
    (n) =>
      Array.from(
        (window as unknown as { __usbBoard: { board: { flash: Uint8Array } } }).__usbBoard.board.flash.subarray(0, n),
      ),
    length,
  );
}

/** The options of each `navigator.usb.requestDevice()` call the page made. */
export function usbDeviceRequests(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { __usbBoard: { asked: unknown[] } }).__usbBoard.asked);
}
