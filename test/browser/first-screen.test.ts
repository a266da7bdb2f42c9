import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { SessionState } from "../../src/core/session/session-types";
import { screenshot, seriousAxeViolations, useBuiltSite } from "./harness";

// The first screen as a maker meets it, one board on the virtual board: each step in both widths
// (desktop 1280 px, phone 390 px) and both colour schemes, screenshotted (test-results/screenshots/
// first-*.png), checked by axe, and checked for content running off the right edge.

const site = useBuiltSite();

const WIDTHS = [1280, 390] as const;
const SCHEMES = ["light", "dark"] as const;

function sessionState(page: Page): Promise<SessionState> {
  return page.evaluate(() => {
    const portal = document.querySelector("pydirect-portal") as unknown as { currentSession: { state: unknown } };
    return JSON.parse(JSON.stringify(portal.currentSession.state)) as SessionState;
  });
}

/** Two frames: the new viewport or scheme is laid out and painted. */
const settle = (page: Page) =>
  page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));

/** Screenshot and axe in every width and scheme; back to the desktop light view after. */
async function everyView(page: Page, name: string): Promise<void> {
  for (const colorScheme of SCHEMES) {
    for (const width of WIDTHS) {
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize({ width, height: 900 });
      await settle(page);
      await screenshot(page, `first-${name}-${width}-${colorScheme}`);
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth),
        `${name} at ${width} px`,
      ).toBeLessThanOrEqual(width);
      expect(await seriousAxeViolations(page), `${name} ${width} px ${colorScheme}`).toEqual([]);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 900 });
}

const stepMarks = (page: Page) =>
  page
    .locator("pydirect-step-nav button")
    .evaluateAll((buttons: Element[]): string[] => buttons.map((b) => b.getAttribute("class") ?? ""));

describe("the first screen", () => {
  it("offers one path for one board, themes and widths included, and goes to a verified board with one console", async () => {
    const { page } = site.browser;
    await page.goto(site.server.url);
    await page.locator("pydirect-connect-step h2").waitFor();

    // One path: connect a board, or try without hardware (a labelled simulated-board picker).
    expect(await page.locator("pydirect-connect-step #serial").innerText()).toBe("Connect a board");
    expect(await page.locator("pydirect-connect-step #virtual").innerText()).toBe("Try without hardware");
    expect(await page.locator("pydirect-connect-step label[for=virtual-chip]").innerText()).toBe("Simulated board");
    // The production line and the shared inventory are tabs of their own; no server form in view.
    expect(await page.locator("pydirect-portal [role=tab]").allInnerTexts()).toEqual([
      "Install",
      "Production line",
      "Shared inventory",
    ]);
    expect(await page.locator("pydirect-portal #tab-install").getAttribute("aria-selected")).toBe("true");
    expect(await page.locator("#inventory-url").count()).toBe(0);
    expect(await page.locator("pydirect-line-grid").count()).toBe(0);
    // What the first paint left out arrives while the page is idle, before anyone asks for it:
    // the later steps, the production line and the simulator behind "Try without hardware".
    const fetched = () =>
      page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
    for (const chunk of [
      /\/flow-steps-[\w-]+\.js$/,
      /\/pydirect-line-grid-[\w-]+\.js$/,
      /\/virtual-port-[\w-]+\.js$/,
    ]) {
      await expect.poll(async () => (await fetched()).some((p) => chunk.test(p)), { timeout: 10_000 }).toBe(true);
    }
    await everyView(page, "01-connect");
    // Down to 360 px nothing runs off the edge.
    await page.setViewportSize({ width: 360, height: 800 });
    await settle(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, "first-01-connect-360-light");
    await page.setViewportSize({ width: 1280, height: 900 });

    // Keyboard focus is visible on the buttons.
    await page.locator("pydirect-connect-step #virtual").focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    expect(
      await page
        .locator("pydirect-connect-step #virtual")
        .evaluate((el) => getComputedStyle(el).outlineStyle + " " + getComputedStyle(el).outlineWidth),
    ).toMatch(/^solid [1-9]/);

    await page.locator("pydirect-connect-step #virtual").click();
    await page.locator("pydirect-firmware-step [data-field=name]").waitFor({ timeout: 60_000 });
    // The demo firmware was loaded by itself: Firmware is not ticked until the user goes on with it.
    expect((await stepMarks(page))[0]).toBe("done");
    expect((await stepMarks(page))[1]).not.toBe("done");
    expect(await page.locator("pydirect-firmware-step #continue").isEnabled()).toBe(true);
    // The console knows a board is connected even before it is opened.
    expect(await page.locator("pydirect-terminal #terminal-status").textContent()).toBe(
      "Board connected; console closed",
    );
    await everyView(page, "02-firmware");

    await page.locator("pydirect-firmware-step #continue").click();
    await page.locator("pydirect-flash-step #install").waitFor();
    expect((await stepMarks(page))[1]).toBe("done");
    // A blank board (the virtual board starts blank) is not promised that its data is kept.
    expect(await page.locator("pydirect-flash-step #erase-note").innerText()).not.toContain("keeps user data");
    await everyView(page, "03-install");

    await page.locator("pydirect-flash-step #install").click();
    await page.locator("pydirect-provision-step #provision").waitFor({ timeout: 120_000 });
    await page.locator("pydirect-terminal .xterm").waitFor();
    await everyView(page, "04-provision");

    await page.locator("pydirect-provision-step #ssid").fill("Workshop");
    await page.locator("pydirect-provision-step #password").fill("solder-and-flux");
    await page.locator("pydirect-provision-step #provision").click();
    // Verify starts by itself after Provision: nobody presses Verify here.
    await page.locator("pydirect-verify-step #verified").waitFor({ timeout: 120_000 });
    // The WebREPL password is in view, not folded away.
    const password = page.locator("pydirect-verify-step #webrepl [data-field=webrepl-password]");
    expect(await password.isVisible()).toBe(true);
    expect(await password.innerText()).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(await page.locator("pydirect-verify-step details").count()).toBe(0);

    // One console with a switch: the DataChannel's REPL came up in it; the serial one is a press away.
    await expect.poll(async () => (await sessionState(page)).handoff?.console, { timeout: 30_000 }).toBe("open");
    const channel = page.locator("pydirect-flow #console-view-datachannel");
    const serial = page.locator("pydirect-flow #console-view-serial");
    await expect.poll(() => channel.getAttribute("aria-pressed")).toBe("true");
    expect(await page.locator("pydirect-device-console").isVisible()).toBe(true);
    expect(await page.locator("pydirect-terminal").isVisible()).toBe(false);
    expect(await page.locator("pydirect-verify-step pydirect-device-console").count()).toBe(0);
    await everyView(page, "05-verified");
    await serial.click();
    expect(await serial.getAttribute("aria-pressed")).toBe("true");
    expect(await page.locator("pydirect-terminal").isVisible()).toBe(true);
    expect(await page.locator("pydirect-device-console").isVisible()).toBe(false);
    await everyView(page, "05b-serial-console");

    // The production line's tab: its description names the firmware once, without "(latest)" tacked on.
    await page.locator("pydirect-portal #tab-line").click();
    await page.locator("pydirect-line-grid h2").waitFor();
    expect(await page.locator("pydirect-line-grid").innerText()).not.toMatch(/\(virtual board only\) \(latest\)/);
    await everyView(page, "06-line");

    // The shared inventory's tab: the server form only when asked for.
    await page.locator("pydirect-portal #tab-settings").click();
    await page.locator("pydirect-inventory-settings #inventory-setup").waitFor();
    expect(await page.locator("#inventory-url").count()).toBe(0);
    await page.locator("pydirect-inventory-settings #inventory-setup").click();
    await page.locator("#inventory-url").waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("PYDIRECT-PORTAL");
    await everyView(page, "07-inventory");

    // Arrow keys move between the tabs.
    await page.locator("pydirect-portal #tab-settings").focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("pydirect-portal #tab-install").getAttribute("aria-selected")).toBe("true");
    expect(site.browser.errors).toEqual([]);
  });

  it("says an http:// manifest is refused because the page allows https only", async () => {
    const { page } = site.browser;
    await page.goto(site.server.url);
    await page.locator("pydirect-connect-step #virtual").click();
    await page.locator("pydirect-firmware-step h2").waitFor();
    await page.locator("pydirect-firmware-sources [data-source=typed-url] input").check();
    // Never fetched: the page refuses before the request (no test reaches the internet).
    await page.locator("pydirect-manifest-url-entry #manifest-url").fill("http://firmware.example/manifest.json");
    await page.locator("pydirect-manifest-url-entry #load-url").click();
    const alert = page.locator("pydirect-firmware-step pydirect-error-notice [part=notice]");
    await alert.waitFor();
    expect(await alert.getAttribute("data-code")).toBe("manifest-insecure");
    expect(await alert.innerText()).toContain("This page allows https only");
    expect(await alert.innerText()).not.toContain("CORS");
    expect(await page.locator("pydirect-firmware-step #continue").isEnabled()).toBe(false);
    await screenshot(page, "first-08-http-manifest");
  });

  it("shows the embed demo's code sample whole, at a desktop's and a phone's width", async () => {
    const { page } = site.browser;
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${site.server.url}embed-demo.html`);
      const pre = page.locator("pre[aria-label='Embed code']");
      await pre.waitFor();
      const { scroll, client } = await pre.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(scroll, `code sample at ${width} px`).toBeLessThanOrEqual(client);
      expect(await pre.innerText()).toContain('manifest="https://portal.example/firmware/demo/manifest.json"');
      await screenshot(page, `first-09-embed-demo-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
