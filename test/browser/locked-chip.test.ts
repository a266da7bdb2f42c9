import { describe, expect, it } from "vitest";
import { screenshot, seriousAxeViolations, useBuiltSite } from "./harness";

// A virtual board with flash encryption on (development mode), picked from the Connect step's
// list: its security state is shown with the board, and the install is refused before a byte is
// written, with a sentence saying what to do instead.

const site = useBuiltSite();

describe("a locked chip", () => {
  it("shows flash encryption with the board and refuses the install, saying why", async () => {
    const page = await site.browser.context.newPage();
    await page.goto(site.server.url);
    await page.locator("pydirect-connect-step #virtual-chip").selectOption("esp32s3-flash-encrypted");
    await page.locator("pydirect-connect-step #virtual").click();
    const security = page.locator("pydirect-board-summary pydirect-chip-security");
    await security.locator("[data-field=security]").waitFor({ timeout: 60_000 });
    expect(await security.locator("[data-field=security]").innerText()).toBe(
      "Security: Flash encryption on (development mode).",
    );
    const locked = security.locator("[data-locked]");
    expect(await locked.getAttribute("data-locked")).toBe("flash-encrypted");
    expect(await locked.innerText()).toMatch(/will not write.*idf\.py encrypted-flash/s);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "locked-chip-flash-encrypted");

    const flash = await page.evaluate(() => {
      const portal = document.querySelector("pydirect-portal") as unknown as {
        lastVirtualBoard: { flash: Uint8Array };
      };
      return Array.from(portal.lastVirtualBoard.flash.subarray(0, 64));
    });
    await page.locator("pydirect-firmware-step #continue:not([disabled])").click();
    await page.locator("pydirect-flash-step #install").click();
    const alert = page.locator("pydirect-flash-step pydirect-error-notice [role=alert]");
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.getAttribute("data-code")).toBe("flash-encrypted");
    const after = await page.evaluate(() => {
      const portal = document.querySelector("pydirect-portal") as unknown as {
        lastVirtualBoard: { flash: Uint8Array };
      };
      return Array.from(portal.lastVirtualBoard.flash.subarray(0, 64));
    });
    expect(after).toEqual(flash);
    await screenshot(page, "locked-chip-refused");
    await page.close();
  });
});
