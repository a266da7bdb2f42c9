import { describe, expect, it } from "vitest";
import { screenshot, useBuiltSite } from "./harness";

// Unsupported browser, insecure context and no port picked: each gets its own explanation.

const site = useBuiltSite();

describe("when real ports cannot be used", () => {
  it("no port picked: explains, and suggests the driver", async () => {
    // Headless Chromium cannot show the port chooser; reject as Chromium does when the user closes it.
    const page = await site.browser.context.newPage();
    await page.addInitScript(() => {
      const serial = (navigator as unknown as { serial: { requestPort: () => Promise<unknown> } }).serial;
      serial.requestPort = () => Promise.reject(new DOMException("No port selected by the user.", "NotFoundError"));
    });
    await page.goto(site.server.url);
    await page.locator("pydirect-connect-step #serial").click();
    const alert = page.locator("pydirect-connect-step pydirect-error-notice [role=alert]");
    await alert.waitFor();
    expect(await alert.getAttribute("data-code")).toBe("no-port-picked");
    const text = await alert.innerText();
    expect(text).toContain("No port was picked");
    expect(text).toContain("CP210x driver");
    await screenshot(page, "env-no-port-picked");
    await page.close();
  });

  it("no Web Serial: the portal says which browsers work and still offers the virtual board; the embed shows its unsupported slot", async () => {
    const page = await site.browser.context.newPage();
    await page.addInitScript(() => {
      delete (Navigator.prototype as unknown as { serial?: unknown }).serial;
      // Neither Web Serial nor WebUSB (Safari): with WebUSB the portal would take the polyfill path.
      delete (Navigator.prototype as unknown as { usb?: unknown }).usb;
    });
    await page.goto(site.server.url);
    const note = page.locator("pydirect-connect-step [data-problem]");
    await note.waitFor();
    expect(await note.getAttribute("data-problem")).toBe("no-web-serial");
    expect(await note.innerText()).toMatch(/Chrome, Edge or Opera/);
    expect(await page.locator("pydirect-connect-step #serial").isDisabled()).toBe(true);
    expect(await page.locator("pydirect-connect-step #virtual").isEnabled()).toBe(true);
    await screenshot(page, "env-no-web-serial");

    await page.goto(`${site.server.url}embed-demo.html`);
    const button = page.locator("pydirect-install-button");
    await page.waitForFunction(() =>
      document.querySelector("pydirect-install-button")?.hasAttribute("install-unsupported"),
    );
    expect(await button.locator("[slot=unsupported]").isVisible()).toBe(true);
    expect(await button.locator("[slot=activate]").isVisible()).toBe(false);
    await page.close();
  });

  it("insecure context (plain http on a non-local host name): says to use https://", async () => {
    // The page is served as http://portal.insecure.test/ through request interception: a host name
    // that is neither localhost nor https, so the browser gives it no secure context.
    const page = await site.browser.context.newPage();
    await page.route("http://portal.insecure.test/**", async (route) => {
      const asked = new URL(route.request().url());
      const response = await route.fetch({ url: new URL(asked.pathname + asked.search, site.server.url).href });
      await route.fulfill({ response });
    });
    await page.goto("http://portal.insecure.test/");
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const note = page.locator("pydirect-connect-step [data-problem]");
    await note.waitFor();
    expect(await note.getAttribute("data-problem")).toBe("insecure-context");
    expect(await note.innerText()).toMatch(/https:\/\//);
    await screenshot(page, "env-insecure-context");
    await page.goto("http://portal.insecure.test/embed-demo.html");
    await page.waitForFunction(() =>
      document.querySelector("pydirect-install-button")?.hasAttribute("install-unsupported"),
    );
    expect(await page.locator("pydirect-install-button [slot=not-allowed]").isVisible()).toBe(true);
    await page.close();
  });
});
