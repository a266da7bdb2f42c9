import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DIST, launchBrowser, screenshot, serveDir, type LaunchedBrowser, type StaticServer } from "./harness";

// The PWA: precached app, firmware cached on first use, flashing with the network off, and the
// update prompt when a new version is deployed.

let server: StaticServer;
let browser: LaunchedBrowser;
let deployed = 1;

beforeAll(async () => {
  server = await serveDir(DIST);
  const sw = await readFile(join(DIST, "sw.js"), "utf8");
  // A "deployment" changes sw.js; version 1 is the built file as is.
  server.routes.push((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname !== "/sw.js") return false;
    res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-cache" });
    res.end(deployed === 1 ? sw : `${sw}\n// deployment ${deployed}\n`);
    return true;
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await (browser as typeof browser | undefined)?.close();
  await (server as typeof server | undefined)?.close();
});

async function controlled(page: Page): Promise<boolean> {
  return page.evaluate(() => navigator.serviceWorker.controller !== null);
}

async function flashVirtualBoard(page: Page): Promise<void> {
  await page.locator("pydirect-connect-step #virtual").click();
  await page.locator("pydirect-firmware-step #continue:not([disabled])").click({ timeout: 60_000 });
  await page.locator("pydirect-flash-step #install").click();
  await page.locator("pydirect-provision-step h2").waitFor({ timeout: 120_000 });
}

describe("offline portal", () => {
  it("reloads and flashes cached firmware with the network off", async () => {
    const { page, context } = browser;
    await page.goto(server.url);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    expect(await controlled(page)).toBe(true);
    // First use online: the firmware goes through the service worker into its cache.
    await flashVirtualBoard(page);
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const firmware = await caches.open("pydirect-firmware");
      return { names, firmware: (await firmware.keys()).map((r) => new URL(r.url).pathname) };
    });
    expect(cached.firmware).toContain("/firmware/demo/manifest.json");
    expect(cached.firmware).toContain("/firmware/demo/esp32s3/pydirect.bin");

    await context.setOffline(true);
    try {
      await page.reload();
      await page.locator("pydirect-connect-step h2").waitFor();
      await screenshot(page, "offline-01-reloaded");
      await flashVirtualBoard(page);
      const state = await page.evaluate(
        () =>
          (
            document.querySelector("pydirect-portal") as unknown as {
              currentSession: { state: { flash: { status: string; parts: unknown[] } } };
            }
          ).currentSession.state.flash,
      );
      expect(state.status).toBe("done");
      expect(state.parts).toHaveLength(3);
      await screenshot(page, "offline-02-flashed");
    } finally {
      await context.setOffline(false);
    }
  });

  it("offers a reload when a new version is deployed, and the new version takes over", async () => {
    const { page } = browser;
    await page.goto(server.url);
    expect(await controlled(page)).toBe(true);
    const before = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? "");
    deployed = 2;
    await page.reload();
    const prompt = page.locator("pydirect-update-prompt #reload");
    await prompt.waitFor({ timeout: 60_000 });
    await screenshot(page, "offline-03-update-prompt");
    const reloaded = page.waitForEvent("load", { timeout: 60_000 });
    await prompt.click();
    await reloaded;
    await page.locator("pydirect-connect-step h2").waitFor();
    const after = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return {
        waiting: reg?.waiting !== null && reg?.waiting !== undefined,
        controller: navigator.serviceWorker.controller?.scriptURL ?? "",
      };
    });
    expect(after.controller).toBe(before);
    expect(after.waiting).toBe(false);
    expect(await page.locator("pydirect-update-prompt #reload").count()).toBe(0);
  });
});
