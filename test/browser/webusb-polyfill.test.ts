import { describe, expect, it } from "vitest";
import { mergedS3Image } from "../core/firmware-sources/github-fixtures";
import { fakeUsbScript, recordScripts, usbBoardFlash, usbDeviceRequests } from "./fake-webusb";
import { screenshot, seriousAxeViolations, useBuiltSite } from "./harness";

// A browser without Web Serial but with WebUSB (Chrome on Android before 148): the portal loads
// web-serial-polyfill only then, and reaches a CDC-ACM board (the chip's USB-Serial-JTAG) through
// it. The USB device is a fake whose bulk endpoints are a virtual board's serial link.

const site = useBuiltSite();

describe("the WebUSB path (no Web Serial)", () => {
  it("loads the polyfill only on Connect, connects, detects the chip and installs through it; says which boards it reaches", async () => {
    const page = await site.browser.context.newPage();
    await page.addInitScript({ content: await fakeUsbScript() });
    let phase = "before Connect";
    const scripts = recordScripts(page, () => phase);
    await page.goto(site.server.url);
    const notice = page.locator("pydirect-connect-step pydirect-browser-support [data-route=webusb-polyfill]");
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(
      /WebUSB.*CP210x, CH340\/CH341 or FTDI bridge chip need a computer.*CH343 or CH9102/s,
    );
    expect(await page.locator("pydirect-connect-step [data-problem]").count()).toBe(0);
    await page.waitForLoadState("networkidle");
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => s.polyfill)).toEqual([]);

    phase = "after Connect";
    await page.locator("pydirect-connect-step #serial").click();
    // Once connected the portal moves on to the Firmware step, which shows the board's summary.
    const chip = page.locator("pydirect-board-summary [data-field=chip]");
    await chip.waitFor({ timeout: 60_000 });
    expect(await chip.innerText()).toContain("ESP32-S3");
    const security = page.locator("pydirect-board-summary pydirect-chip-security [data-field=security]");
    expect(await security.innerText()).toBe("Security: No flash encryption or secure boot.");
    const asked = await usbDeviceRequests(page);
    expect(asked).toEqual([{ filters: [{ classCode: 2 }] }]);
    expect(scripts.filter((s) => s.polyfill).map((s) => s.phase)).toEqual(["after Connect"]);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "webusb-polyfill-connected");

    // And an install through it: a merged image picked from disk, written and verified over WebUSB.
    const image = mergedS3Image("0.4.0");
    await page.locator("pydirect-firmware-sources [data-source=local-files] input").check();
    const chooser = page.waitForEvent("filechooser");
    await page.locator("pydirect-local-firmware-files label[for=pick-files]").click();
    await (
      await chooser
    ).setFiles({ name: "pydirect-merged.bin", mimeType: "application/octet-stream", buffer: Buffer.from(image) });
    await page.locator("pydirect-local-firmware-files [data-field=local-version]").waitFor();
    await page.locator("pydirect-firmware-step #continue:not([disabled])").click();
    await page.locator("pydirect-flash-step #install").click();
    await page.waitForFunction(
      () =>
        (
          document.querySelector("pydirect-portal") as unknown as {
            currentSession?: { state: { flash: { status: string } } };
          }
        ).currentSession?.state.flash.status === "done",
      undefined,
      { timeout: 90_000 },
    );
    const written = await usbBoardFlash(page, image.length);
    expect(written).toEqual(Array.from(image));
    await page.close();
  });
});
