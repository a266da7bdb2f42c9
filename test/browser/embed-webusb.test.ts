import { beforeAll, describe, expect, it } from "vitest";
import { BROWSERS_THAT_WORK } from "../../src/core/session/browsers-that-work";
import { mergedS3Image } from "../core/firmware-sources/github-fixtures";
import { fakeUsbScript, recordScripts, usbBoardFlash, usbDeviceRequests } from "./fake-webusb";
import { screenshot, seriousAxeViolations, useEmbeddingSite } from "./harness";

// <pydirect-install-button> on somebody else's page in a browser without Web Serial: with WebUSB
// (Chrome on Android before 148) it installs through web-serial-polyfill, loaded only when the user
// asks for a port; without either (Safari) it says which browsers work. The portal (dist/, CORS) is
// on one origin, the embedding page on another, as in embed.test.ts.

const sites = useEmbeddingSite();

/** A firmware for a real board (the demo's manifests are virtual-board-only): one merged ESP32-S3 image. */
const IMAGE = mergedS3Image("0.4.0");
const MANIFEST = {
  name: "pyDirect",
  version: "0.4.0",
  builds: [{ chipFamily: "ESP32-S3", parts: [{ path: "pydirect-merged.bin", offset: 0 }] }],
};

/** An embedding page with no slotted content of its own: the element's own sentences show. */
const plainPage = (portalUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gadget firmware</title><link rel="icon" href="data:,"></head>
<body><main><h1>Gadget firmware</h1>
<pydirect-install-button manifest="${portalUrl}usb-firmware/manifest.json"></pydirect-install-button>
</main><script type="module" src="${portalUrl}embed/pydirect-install-button.js"></script></body></html>`;

beforeAll(() => {
  const { portal, site } = sites;
  portal.routes.push((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/usb-firmware/manifest.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(MANIFEST));
      return true;
    }
    if (path === "/usb-firmware/pydirect-merged.bin") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.from(IMAGE));
      return true;
    }
    return false;
  });
  site.routes.push((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname !== "/plain-embed.html") return false;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(plainPage(portal.url));
    return true;
  });
});

const button = "pydirect-install-button";
const inDialog = (selector: string) => `pydirect-install-dialog ${selector}`;
const BRIDGE_SENTENCE =
  /CP210x, CH340\/CH341 or FTDI bridge chip need a computer[\s\S]*CH343 or CH9102 bridge are USB CDC-ACM/;

describe("embed button without Web Serial", () => {
  it("with WebUSB: installs through the polyfill, loaded only when a port is asked for, and says which boards it reaches", async () => {
    const { portal, site, browser } = sites;
    const page = await browser.context.newPage();
    await page.addInitScript({ content: await fakeUsbScript("cdc") });
    let phase = "page";
    const scripts = recordScripts(page, () => phase);
    const states: { step: string; flash: string }[] = [];
    await page.exposeFunction("recordState", (s: { step: string; flash: string }) => states.push(s));
    await page.goto(
      `${site.url}embed-demo.html?portal=${encodeURIComponent(portal.url)}&manifest=usb-firmware/manifest.json`,
    );
    await page.waitForFunction(() =>
      document.querySelector("pydirect-install-button")?.hasAttribute("install-supported"),
    );
    expect(await page.locator(button).getAttribute("install-webusb")).toBe("");
    expect(await page.locator(`${button} [slot=unsupported]`).isVisible()).toBe(false);
    await page.evaluate(() => {
      document.querySelector("pydirect-install-button")!.addEventListener("state-changed", (e) => {
        const d = (e as CustomEvent<{ step: string; flash: { status: string } }>).detail;
        (window as unknown as { recordState(s: unknown): void }).recordState({ step: d.step, flash: d.flash.status });
      });
    });

    phase = "dialog";
    await page.locator(`${button} button[slot=activate]`).click();
    await page.locator(inDialog("dialog[open]")).waitFor();
    const notice = page.locator(inDialog("pydirect-browser-support [data-route=webusb-polyfill]"));
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(BRIDGE_SENTENCE);
    expect(await page.locator(inDialog("pydirect-connect-step [data-problem]")).count()).toBe(0);
    await page.waitForLoadState("networkidle");
    expect(scripts.some((s) => s.url.includes("/embed/chunks/"))).toBe(true);
    expect(scripts.filter((s) => s.polyfill)).toEqual([]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "embed-webusb-01-dialog");

    phase = "connect";
    await page.locator(inDialog("pydirect-connect-step #serial")).click();
    const chip = page.locator(inDialog("pydirect-board-summary [data-field=chip]"));
    await chip.waitFor({ timeout: 60_000 });
    expect(await chip.innerText()).toContain("ESP32-S3");
    // Once, on Connect, from the portal's embed build beside the dialog's chunks (not the host page's origin).
    const polyfill = scripts.filter((s) => s.polyfill);
    expect(polyfill.map((s) => s.phase)).toEqual(["connect"]);
    expect(polyfill.map((s) => s.url.startsWith(`${portal.url}embed/chunks/`))).toEqual([true]);
    const asked = await usbDeviceRequests(page);
    expect(asked).toEqual([{ filters: [{ classCode: 2 }] }]);

    await page.locator(inDialog("pydirect-firmware-step #continue:not([disabled])")).click();
    await page.locator(inDialog("pydirect-flash-step #install")).click();
    await page.locator(inDialog("pydirect-provision-step h2")).waitFor({ timeout: 120_000 });
    expect(states.map((s) => s.flash)).toContain("done");
    const written = await usbBoardFlash(page, IMAGE.length);
    expect(written).toEqual(Array.from(IMAGE));
    expect(portal.requests).toContain("/usb-firmware/pydirect-merged.bin");
    await screenshot(page, "embed-webusb-02-flashed");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.close();
  });

  it("with WebUSB and only a USB-UART bridge plugged in: no board to pick, and the sentence says bridges need a computer", async () => {
    // WebUSB's chooser lists only CDC-ACM devices to the polyfill's request, so a CP2102N devkit is
    // never offered: the user closes an empty chooser, and the dialog says why it was empty.
    const { site, browser } = sites;
    const page = await browser.context.newPage();
    await page.addInitScript({ content: await fakeUsbScript("bridge") });
    await page.goto(`${site.url}plain-embed.html`);
    await page.waitForFunction(() => document.querySelector("pydirect-install-button")?.hasAttribute("install-webusb"));
    await page.locator(`${button} button[part=button]`).click();
    const notice = page.locator(inDialog("pydirect-browser-support [data-route=webusb-polyfill]"));
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(BRIDGE_SENTENCE);
    await page.locator(inDialog("pydirect-connect-step #serial")).click();
    const alert = page.locator(inDialog("pydirect-connect-step pydirect-error-notice [role=alert]"));
    await alert.waitFor();
    expect(await alert.getAttribute("data-code")).toBe("no-port-picked");
    const text = await alert.innerText();
    expect(text).toMatch(/reaches boards through WebUSB/);
    expect(text).toMatch(
      /CP210x, CH340\/CH341 or FTDI bridge chip need a computer[\s\S]*CH343 or CH9102 bridge are USB CDC-ACM/,
    );
    expect(await usbDeviceRequests(page)).toEqual([{ filters: [{ classCode: 2 }] }]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "embed-webusb-03-bridge");
    await page.close();
  });

  it("with neither Web Serial nor WebUSB: the button's own sentence names browsers that work, and nothing more loads", async () => {
    const { portal, site, browser } = sites;
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      delete (Navigator.prototype as unknown as { serial?: unknown }).serial;
      delete (Navigator.prototype as unknown as { usb?: unknown }).usb;
    });
    const before = portal.requests.length;
    await page.goto(`${site.url}plain-embed.html`);
    await page.waitForFunction(() =>
      document.querySelector("pydirect-install-button")?.hasAttribute("install-unsupported"),
    );
    expect(await page.locator(button).getAttribute("install-webusb")).toBeNull();
    const sentence = page.getByText(/Your browser cannot install firmware/);
    expect(await sentence.isVisible()).toBe(true);
    expect(await page.locator(button).evaluate((el) => el.shadowRoot!.querySelector("slot")!.textContent)).toBe(
      `Your browser cannot install firmware: use ${BROWSERS_THAT_WORK}.`,
    );
    expect(await page.locator(`${button} button`).count()).toBe(0);
    await page.waitForLoadState("networkidle");
    expect(portal.requests.slice(before).filter((p) => p.endsWith(".js"))).toEqual([
      "/embed/pydirect-install-button.js",
    ]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "embed-webusb-04-unsupported");
    await page.close();
  });
});
