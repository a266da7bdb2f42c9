/**
 * The embed as a site owner first tries it: `npm start`, then public/embed-demo.html. The page
 * loads the button from /embed/pydirect-install-button.js, which only the build writes; the dev
 * server answers that URL from source (vite.config.ts, embedFromSource). Runs Vite's dev server
 * with the project's own config, as `npm start` does, on a free port.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type ViteDevServer } from "vite";
import { join } from "node:path";
import {
  devServerCacheDir,
  launchBrowser,
  ROOT,
  screenshot,
  seriousAxeViolations,
  type LaunchedBrowser,
} from "./harness";

let vite: ViteDevServer;
let browser: LaunchedBrowser;
let base: string;
const served: { path: string; status: number }[] = [];

beforeAll(async () => {
  vite = await createServer({
    configFile: join(ROOT, "vite.config.ts"),
    root: ROOT,
    cacheDir: devServerCacheDir("embed-dev"),
    logLevel: "error",
    server: { port: 0, host: "127.0.0.1", hmr: false, watch: null },
  });
  vite.middlewares.use((req, res, next) => {
    const path = req.url ?? "";
    res.on("finish", () => served.push({ path, status: res.statusCode }));
    next();
  });
  await vite.listen();
  base = vite.resolvedUrls!.local[0]!;
  browser = await launchBrowser();
});

afterAll(async () => {
  await (browser as typeof browser | undefined)?.close();
  await (vite as typeof vite | undefined)?.close();
});

describe("embed demo page under the dev server", () => {
  it("serves the button from source and installs on the virtual board", async () => {
    const { page } = browser;
    // Lit's development build warns when an element updates again right after each update.
    const litWarnings: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "warning" && /scheduled an update/.test(msg.text())) litWarnings.push(msg.text());
    });
    const button = page.locator("pydirect-install-button");
    const response = page.waitForResponse((r) => r.url().endsWith("/embed/pydirect-install-button.js"));
    await page.goto(`${base}embed-demo.html`);
    const entry = await response;
    expect(entry.status()).toBe(200);
    expect(entry.headers()["content-type"]).toMatch(/javascript/);
    // Compiled from source: its lazy dialog is the source module, not a built chunk.
    expect(await entry.text()).toMatch(/import\(["']\/src\/ui\/pydirect-install-dialog\.ts["']\)/);
    await button.locator("button[slot=activate]").waitFor();
    expect(await button.getAttribute("install-supported")).toBe("");
    // The fallback slots stay hidden: only the activate slot is assigned.
    expect(await page.locator("[slot=unsupported]").isVisible()).toBe(false);

    await button.locator("button[slot=activate]").click();
    await page.locator("pydirect-install-dialog dialog[open]").waitFor({ timeout: 120_000 });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator("pydirect-install-dialog pydirect-connect-step #virtual").click();
    await page
      .locator("pydirect-install-dialog pydirect-firmware-step #continue:not([disabled])")
      .click({ timeout: 120_000 });
    await page.locator("pydirect-install-dialog pydirect-flash-step #install").click();
    await page.locator("pydirect-install-dialog pydirect-provision-step h2").waitFor({ timeout: 180_000 });
    await screenshot(page, "embed-dev-01-flashed");
    expect(litWarnings.filter((w) => w.includes("pydirect-"))).toEqual([]);
    expect(served.filter((s) => s.status >= 400)).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it("serves the portal page with its Content-Security-Policy, which the dev server's client and HMR socket keep to", async () => {
    // As `npm start` runs it: HMR on (its client script and WebSocket are same-origin).
    const withHmr = await createServer({
      configFile: join(ROOT, "vite.config.ts"),
      root: ROOT,
      cacheDir: devServerCacheDir("embed-dev"),
      logLevel: "error",
      server: { port: 0, host: "127.0.0.1", watch: null },
    });
    try {
      await withHmr.listen();
      const page = await browser.context.newPage();
      const socket = page.waitForEvent("websocket");
      await page.goto(withHmr.resolvedUrls!.local[0]);
      await page.locator("pydirect-connect-step h2").waitFor({ timeout: 120_000 });
      expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').count()).toBe(1);
      expect(new URL((await socket).url()).host).toBe(new URL(page.url()).host);
      await page.waitForTimeout(500);
      expect(browser.cspViolations).toEqual([]);
      await page.close();
    } finally {
      await withHmr.close();
    }
  });
});
