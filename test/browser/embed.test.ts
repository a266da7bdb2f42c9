import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, screenshot, seriousAxeViolations, useEmbeddingSite } from "./harness";

// <pydirect-install-button> on somebody else's page: the built dist/ (button, dialog, manifest,
// firmware) on one origin with CORS headers, the demo page on another.

const sites = useEmbeddingSite();

describe("embeddable install button", () => {
  it("is one small module that does not load the dialog until clicked", async () => {
    const entry = await readFile(join(DIST, "embed/pydirect-install-button.js"));
    expect(gzipSync(entry, { level: 9 }).length).toBeLessThanOrEqual(1279);
    expect(entry.toString()).not.toMatch(/^import /m);
    expect(entry.toString()).not.toContain("lit-html");
  });

  it("on a second origin: loads lazily, themes, fires its events, and runs the whole flow on the virtual board", async () => {
    const { portal, site, browser } = sites;
    const { page } = browser;
    const origin = portal.url.replace(/\/$/, "");
    await page.goto(`${site.url}embed-demo.html?portal=${encodeURIComponent(portal.url)}`);
    const button = page.locator("pydirect-install-button");
    await button.locator("button[slot=activate]").waitFor();
    // The slotted button is the host page's own markup: it is there before the lazily loaded entry
    // defines the element, so wait for the element to have decided, then check what it decided.
    await page.waitForFunction(() => {
      const el = document.querySelector("pydirect-install-button");
      return el !== null && (el.hasAttribute("install-supported") || el.hasAttribute("install-unsupported"));
    });
    expect(await button.getAttribute("install-supported")).toBe("");
    // Web Serial is there, so the WebUSB path (and its polyfill) is not taken.
    expect(await button.getAttribute("install-webusb")).toBeNull();
    expect(new URL(page.url()).origin).not.toBe(origin);
    // Only the entry came from the portal so far.
    const before = portal.requests.filter((p) => p.endsWith(".js"));
    expect(before).toEqual(["/embed/pydirect-install-button.js"]);
    await screenshot(page, "embed-01-button");

    const states: string[] = [];
    await page.exposeFunction("recordState", (s: string) => states.push(s));
    await page.evaluate(() => {
      document.querySelector("pydirect-install-button")!.addEventListener("state-changed", (e) => {
        const d = (e as CustomEvent<{ step: string }>).detail;
        (window as unknown as { recordState(s: string): void }).recordState(d.step);
      });
    });
    await button.locator("button[slot=activate]").click();
    const dialog = page.locator("pydirect-install-dialog dialog[open]");
    await dialog.waitFor();
    expect(portal.requests.some((p) => p.startsWith("/embed/chunks/"))).toBe(true);
    // Theming: the page's --pydirect-accent reaches the dialog's buttons.
    const accent = await page
      .locator("pydirect-install-dialog pydirect-connect-step #serial")
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(accent).toBe("rgb(106, 27, 154)");
    await screenshot(page, "embed-02-dialog");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.locator("pydirect-install-dialog pydirect-connect-step #virtual").click();
    await page.locator("pydirect-install-dialog pydirect-firmware-step #continue:not([disabled])").click();
    await page.locator("pydirect-install-dialog pydirect-flash-step #install").click();
    await page.locator("pydirect-install-dialog pydirect-provision-step h2").waitFor({ timeout: 120_000 });
    // The dialog's serial console took the port after the install (xterm loaded from the portal's origin).
    await page
      .locator("pydirect-install-dialog pydirect-terminal #terminal-status")
      .filter({ hasText: "Connected to the board" })
      .waitFor({ timeout: 30_000 });
    await page.locator("pydirect-install-dialog pydirect-terminal .xterm").waitFor();
    expect(portal.requests.some((p) => /\/embed\/chunks\/xterm-.*\.js$/.test(p))).toBe(true);
    await screenshot(page, "embed-03-flashed");
    expect(portal.requests).toContain("/firmware/demo/manifest.json");
    expect(portal.requests).toContain("/firmware/demo/esp32s3/pydirect.bin");
    expect(states).toContain("flash");
    expect(states.at(-1)).toBe("provision");

    // The same flow as the portal: provision, verify, and install-complete on the host page.
    await page.locator("pydirect-install-dialog pydirect-provision-step #ssid").fill("pyDirect-Demo");
    await page.locator("pydirect-install-dialog pydirect-provision-step #password").fill("demo-pass-123");
    await page.locator("pydirect-install-dialog pydirect-provision-step #provision").click();
    await page.locator("pydirect-install-dialog pydirect-verify-step #verified").waitFor({ timeout: 120_000 });
    await page.locator("#log").filter({ hasText: "install-complete" }).waitFor();
    const detail = JSON.parse((await page.locator("#log").innerText()).replace(/^install-complete: /, "")) as Record<
      string,
      string
    >;
    expect(detail["hostname"]).toMatch(/^pyDirect-/);
    expect(detail["chip"]).toBe("ESP32-S3");
    expect(detail["certFingerprint"]).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await screenshot(page, "embed-04-verified");
    // The dialog lives in the host page (its origin asks for Local Network Access); no iframe
    // exists whose permissions would need delegating.
    expect(await page.locator("iframe").count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });
});
