import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { screenshot, seriousAxeViolations, useEmbeddingSite } from "./harness";

// Wi-Fi after the install, on the virtual board: the scan picker by keyboard (pyDirect demo),
// Improv from the embed on a second origin (wrong password, then right), and firmware that offers
// neither (ESP-IDF blink) ending cleanly.

const sites = useEmbeddingSite();

/** The id (or tag, or the radio's SSID) of the focused element, through shadow roots. */
function deepActive(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (el instanceof HTMLInputElement && el.type === "radio") return `radio:${el.value}`;
    return el ? el.id || el.tagName.toLowerCase() : "";
  });
}

async function installOnVirtualBoard(page: Page, scope: string): Promise<void> {
  await page.locator(`${scope} pydirect-connect-step #virtual`).click();
  await page.locator(`${scope} pydirect-firmware-step #continue:not([disabled])`).click({ timeout: 60_000 });
  await page.locator(`${scope} pydirect-flash-step #install`).click();
  await page.locator(`${scope} pydirect-provision-step h2`).waitFor({ timeout: 120_000 });
}

describe("Wi-Fi after the install", () => {
  it("pyDirect: the board's scan in a picker used by keyboard (arrows, Enter to the password, hidden network)", async () => {
    const { portal, browser } = sites;
    const { page } = browser;
    await page.goto(portal.url);
    await installOnVirtualBoard(page, "pydirect-portal");
    const step = page.locator("pydirect-provision-step");
    const picker = step.locator("pydirect-wifi-picker");
    // The hidden-network choice is there from the start; the scanned rows come with the scan.
    await picker.locator("label.row[data-ssid]").first().waitFor({ timeout: 60_000 });
    // One row per SSID (the demo's mesh "Workshop" once), strongest first, the hidden choice last.
    expect(
      await picker
        .locator("input[type=radio]")
        .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? (e as HTMLInputElement).value)),
    ).toEqual([
      "pyDirect-Demo, signal 4 of 4 bars, excellent, secured, channel 6",
      "Workshop, signal 3 of 4 bars, good, secured, channel 1",
      "Cafe Guest, signal 2 of 4 bars, fair, open, channel 11",
      "",
    ]);
    expect(await picker.locator("legend").innerText()).toContain("demo data");
    await screenshot(page, "wifi-01-picker");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await picker.locator("input[type=radio]").first().focus();
    await page.keyboard.press("ArrowDown");
    expect(await deepActive(page)).toBe("radio:Workshop");
    expect(await step.locator("#ssid").inputValue()).toBe("Workshop");
    await page.keyboard.press("Enter");
    expect(await deepActive(page)).toBe("password");
    // Back into the group, down to "hidden network": Space confirms and the caret goes to the name.
    await picker.locator("input[type=radio]:checked").focus();
    for (let i = 0; i < 2; i++) await page.keyboard.press("ArrowDown");
    expect(await deepActive(page)).toBe("radio:");
    await page.keyboard.press("Space");
    expect(await deepActive(page)).toBe("ssid");
    await page.keyboard.type("Back room");
    expect(await step.locator("#ssid").inputValue()).toContain("Back room");
    // Rescan goes through the same scan.
    await picker.locator("#rescan").click();
    await picker.locator("#rescan:not([disabled])").waitFor({ timeout: 60_000 });
    expect(await picker.locator("[role=status]").innerText()).toContain("3 networks found");
    expect(browser.errors).toEqual([]);
  });

  it("change Wi-Fi from the device list: the same picker, a wrong password by its cause, then the right network, no flashing", async () => {
    const { browser } = sites;
    const { page } = browser;
    // The board from the test above: provision it, then it is in the device list.
    const step = page.locator("pydirect-provision-step");
    await step.locator("pydirect-wifi-picker label.row[data-ssid=pyDirect-Demo]").click();
    await step.locator("#password").fill("demo-pass-123");
    await step.locator("#provision").click();
    // Provisioned: the flow moves on to Verify, which starts by itself.
    await page.locator("pydirect-portal pydirect-verify-step #verified").waitFor({ timeout: 120_000 });
    await page
      .locator("pydirect-device-list")
      .evaluate((el) => (el as unknown as { refresh(): Promise<void> }).refresh());
    await page.locator("pydirect-device-list button[data-action=change-wifi]").click();
    const panel = page.locator("pydirect-wifi-change");
    await panel.locator("pydirect-wifi-picker label.row[data-ssid=Workshop]").waitFor({ timeout: 60_000 });
    expect(await panel.locator("h3").innerText()).toMatch(/^Change Wi-Fi of pyDirect-/);
    await screenshot(page, "wifi-06-change");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await panel.locator("pydirect-wifi-picker label.row[data-ssid=Workshop]").click();
    expect(await deepActive(page)).toBe("change-password");
    await page.keyboard.type("wrong-password");
    await panel.locator("#change-apply").click();
    const notice = panel.locator("pydirect-error-notice [part=notice]");
    await notice.waitFor({ timeout: 90_000 });
    expect(await notice.getAttribute("data-code")).toBe("wifi-wrong-password");
    // The form's own "Change Wi-Fi" is the way to try again: the notice adds no second button.
    expect(await notice.locator("button").count()).toBe(0);
    expect(await panel.locator("button", { hasText: "Change Wi-Fi" }).count()).toBe(1);
    await panel.locator("#change-password").fill("solder-and-flux");
    await panel.locator("#change-apply").click();
    await panel.locator("#change-joined").waitFor({ timeout: 90_000 });
    expect(await panel.locator("#change-joined").innerText()).toContain("joined “Workshop”");
    await screenshot(page, "wifi-07-changed");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await panel.locator("#change-close").click();
    expect(await panel.locator("section").count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it("Improv from the embed on a second origin: device info, scan, wrong password by its cause, then the right one and 'visit device'", async () => {
    const { portal, site, browser } = sites;
    const { page } = browser;
    await page.goto(
      `${site.url}embed-demo.html?portal=${encodeURIComponent(portal.url)}&manifest=firmware/demo/improv/manifest.json`,
    );
    await page.locator("pydirect-install-button button[slot=activate]").click();
    await page.locator("pydirect-install-dialog dialog[open]").waitFor();
    await installOnVirtualBoard(page, "pydirect-install-dialog");
    expect(portal.requests).toContain("/firmware/demo/improv/esp32s3/improv.bin");
    const improv = page.locator("pydirect-install-dialog pydirect-improv-setup");
    await improv.locator("[data-field=improv-name]").waitFor({ timeout: 30_000 });
    expect(await improv.locator("[data-field=improv-name]").innerText()).toBe("improv-demo");
    expect(await improv.locator("[data-field=improv-firmware]").innerText()).toBe("Improv demo");
    expect(await improv.locator("[data-field=improv-version]").innerText()).toBe("1.0.0");
    await improv.locator("pydirect-wifi-picker label.row[data-ssid=Workshop]").waitFor({ timeout: 30_000 });
    await screenshot(page, "wifi-02-improv");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await improv.locator("pydirect-wifi-picker label.row[data-ssid=Workshop]").click();
    expect(await improv.locator("#improv-ssid").inputValue()).toBe("Workshop");
    expect(await deepActive(page)).toBe("improv-password");
    await page.keyboard.type("not-the-password");
    await improv.locator("#improv-connect").click();
    const notice = improv.locator("pydirect-error-notice [part=notice]");
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.getAttribute("data-code")).toBe("wifi-wrong-password");
    expect(await notice.innerText()).toContain("password");
    await screenshot(page, "wifi-03-improv-wrong-password");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await improv.locator("#improv-password").fill("solder-and-flux");
    await improv.locator("#improv-connect").click();
    await improv.locator("#improv-joined").waitFor({ timeout: 30_000 });
    expect(await improv.locator("#visit-device").getAttribute("href")).toBe("http://192.168.4.61");
    expect(await notice.count()).toBe(0);
    await screenshot(page, "wifi-04-improv-joined");
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The session log, as the dialog's console draws it: never a password.
    const log = await page
      .locator("pydirect-install-dialog pydirect-terminal")
      .evaluate((el) => (el as unknown as { text: string }).text);
    expect(log).toContain("Improv: joined Workshop");
    expect(log).not.toContain("solder-and-flux");
    expect(log).not.toContain("not-the-password");
    expect(await page.locator("iframe").count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it("firmware with neither (ESP-IDF blink, improv:false): the flow ends after the install with the console and a sentence", async () => {
    const { portal, browser } = sites;
    const { page } = browser;
    await page.goto(`${portal.url}?manifest=${encodeURIComponent(`${portal.url}firmware/demo/blink/manifest.json`)}`);
    await installOnVirtualBoard(page, "pydirect-portal");
    const sentence = page.locator("pydirect-provision-step #no-wifi-setup");
    await sentence.waitFor({ timeout: 60_000 });
    expect(await sentence.innerText()).toContain("neither pyDirect nor Improv");
    expect(await page.locator("pydirect-provision-step #ssid").count()).toBe(0);
    // The console has the port back and shows the firmware running.
    await expect
      .poll(() => page.locator("pydirect-terminal").evaluate((el) => (el as unknown as { text: string }).text), {
        timeout: 30_000,
      })
      .toContain("Turning the LED");
    const busy = await page.evaluate(
      () =>
        (document.querySelector("pydirect-portal") as unknown as { currentSession: { busy: boolean } }).currentSession
          .busy,
    );
    expect(busy).toBe(false);
    await screenshot(page, "wifi-05-neither");
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
