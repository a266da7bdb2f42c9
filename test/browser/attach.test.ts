import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  DIST,
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  serveDir,
  type LaunchedBrowser,
  type StaticServer,
} from "./harness";

// Issue 18 in Chromium: the virtual board's ports as several granted ports, one appearing after
// the reset; the console on the other connector; the by-hand way into the loader.

let server: StaticServer;
let browser: LaunchedBrowser;

interface Manifest {
  builds: { chipFamily: string; parts: { path: string }[]; [k: string]: unknown }[];
  [k: string]: unknown;
}

beforeAll(async () => {
  server = await serveDir(DIST);
  const demo = JSON.parse(await readFile(join(DIST, "firmware/demo/manifest.json"), "utf8")) as Manifest;
  server.routes.push((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname !== "/firmware/uart-console/manifest.json") return false;
    // The demo image as an upstream-style build: its console on UART0, the native USB a host port.
    const builds = demo.builds.map((b) => ({
      ...b,
      console: "uart",
      parts: b.parts.map((p) => ({ ...p, path: `../demo/${p.path}` })),
    }));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ...demo, builds }));
    return true;
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
  await server.close();
});

interface PortView {
  port: { label: string } | null;
  step: string;
  portFollow?: unknown;
}

function sessionState(page: Page): Promise<PortView> {
  return page.evaluate(() => {
    const portal = document.querySelector("pydirect-portal") as unknown as { currentSession: { state: unknown } };
    return JSON.parse(JSON.stringify(portal.currentSession.state)) as PortView;
  });
}

async function waitForPort(page: Page, ids: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await sessionState(page);
    if (s.port?.label.includes(ids) && !s.portFollow) return;
    if (Date.now() > deadline) throw new Error(`port never became ${ids}: ${JSON.stringify(s.port)}`);
    await page.waitForTimeout(200);
  }
}

async function pickVirtual(page: Page, model: string, query = ""): Promise<void> {
  await page.goto(`${server.url}${query}`);
  await page.locator("pydirect-connect-step #virtual-chip").selectOption(model);
  await page.locator("pydirect-connect-step #virtual").click();
}

describe("boards that attach in other ways", () => {
  it("console on the other connector: said before the install, then the portal carries on on the bridge's port", async () => {
    const { page } = browser;
    await pickVirtual(page, "esp32s3-dual", "?manifest=./firmware/uart-console/manifest.json");
    await page.locator("pydirect-firmware-step #continue:not([disabled])").click();
    const notice = page.locator("pydirect-port-follow-notice [part=notice]");
    await expect
      .poll(() => notice.innerText())
      .toMatch(/console is on its UART connector[\s\S]*this cable is on the native USB/);
    expect((await sessionState(page)).port?.label).toContain("demo board");
    await screenshot(page, "attach-console-on-uart-before-install");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator("pydirect-flash-step #install").click();
    await page.locator("pydirect-provision-step").waitFor({ timeout: 90_000 });
    await waitForPort(page, "10c4:ea60");
    await screenshot(page, "attach-console-on-uart-after-install");
  }, 150_000);

  it("re-enumeration: the board leaves its port after the reset and the flow carries on on the port that appears", async () => {
    const { page } = browser;
    await pickVirtual(page, "esp32s3-tinyusb");
    await page.locator("pydirect-firmware-step #continue:not([disabled])").click();
    expect((await sessionState(page)).port?.label).toContain("demo board");
    await page.locator("pydirect-flash-step #install").click();
    await page.locator("pydirect-provision-step").waitFor({ timeout: 90_000 });
    await waitForPort(page, "303a:4001");
    await screenshot(page, "attach-reenumerated");
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 150_000);

  it("no auto-reset: shows how to enter the loader by hand and carries on by itself once the ROM answers", async () => {
    const { page } = browser;
    await pickVirtual(page, "esp32-no-autoreset");
    const guide = page.locator("pydirect-manual-boot-guide [part=guide]");
    await guide.waitFor({ timeout: 60_000 });
    expect(await guide.innerText()).toMatch(/hold the BOOT button[\s\S]*EN button[\s\S]*Release BOOT/i);
    expect(await page.locator("pydirect-manual-boot-guide svg[role=img]").count()).toBe(1);
    await screenshot(page, "attach-manual-boot");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator("pydirect-manual-boot-guide button").click();
    await page.locator("pydirect-firmware-step").waitFor({ timeout: 60_000 });
    expect(await guide.count()).toBe(0);
  }, 150_000);

  it("a busy port: names what holds it; once the other program is closed, one click opens it again", async () => {
    const { page } = browser;
    await pickVirtual(page, "esp32s3-busy");
    const notice = page.locator("pydirect-connect-step pydirect-error-notice [part=notice][data-code=port-busy]");
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.innerText()).toMatch(/Arduino IDE's Serial Monitor[\s\S]*ModemManager/);
    const retry = notice.getByRole("button", { name: "I closed the other program — try again" });
    await screenshot(page, "attach-port-busy");
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Still held: trying again says the same, and loses nothing.
    await retry.click();
    await page.waitForTimeout(300);
    await notice.waitFor({ timeout: 30_000 });
    // The demo's stand-in for quitting the serial monitor, then the user's one click.
    await page.locator("pydirect-connect-step #virtual-free-port").click();
    await retry.click();
    await page.locator("pydirect-firmware-step").waitFor({ timeout: 60_000 });
    expect(await page.locator("pydirect-connect-step #virtual-free-port").count()).toBe(0);
  }, 150_000);

  it("a permission revoked mid-install: says so, one click allows the port again, and the install finishes from where it was", async () => {
    const { page } = browser;
    await pickVirtual(page, "esp32s3");
    await page.locator("pydirect-firmware-step #continue:not([disabled])").click();
    await page.locator("pydirect-flash-step #install").click();
    // 200 KB in, the permission goes (SerialPort.forget(), as the site settings' "reset permission" does).
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const portal = document.querySelector("pydirect-portal") as unknown as {
              currentSession: { state: { flash: { parts: { written: number }[] } } };
            };
            return portal.currentSession.state.flash.parts.reduce((n, p) => n + p.written, 0);
          }),
        { timeout: 90_000, interval: 20 },
      )
      .toBeGreaterThanOrEqual(200_000);
    await page.evaluate(() => {
      const portal = document.querySelector("pydirect-portal") as unknown as {
        lastVirtualBoard: { port: { forget(): Promise<void> } };
      };
      return portal.lastVirtualBoard.port.forget();
    });
    const notice = page.locator(
      "pydirect-flash-step pydirect-error-notice [part=notice][data-code=permission-revoked]",
    );
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.innerText()).toMatch(/no longer allowed to use the board's port[\s\S]*still plugged in/);
    await screenshot(page, "attach-permission-revoked");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await notice.getByRole("button", { name: "Allow the port again" }).click();
    await page.locator("pydirect-firmware-step #continue:not([disabled])").click();
    await page.locator("pydirect-flash-step #install").click();
    await page.locator("pydirect-provision-step").waitFor({ timeout: 90_000 });
    const flash = await page.evaluate(() => {
      const portal = document.querySelector("pydirect-portal") as unknown as {
        currentSession: { state: { flash: { result: { bytesSkipped: number } | null } } };
      };
      return portal.currentSession.state.flash.result;
    });
    expect(flash?.bytesSkipped).toBeGreaterThan(0);
  }, 150_000);

  it("a blank ESP32-S3 whose ROM talks USB-OTG: no port until BOOT and RST, then its loader's port, install, and on to provisioning", async () => {
    const { page } = browser;
    await pickVirtual(page, "esp32s3-otg");
    const guide = page.locator("pydirect-manual-boot-guide [part=guide]");
    await guide.waitFor({ timeout: 60_000 });
    expect(await guide.innerText()).toMatch(/shows no port yet[\s\S]*hold the BOOT button[\s\S]*RST button/i);
    await expect
      .poll(() => page.locator("pydirect-port-follow-notice [part=notice]").innerText())
      .toMatch(/shows no port until it runs firmware or is put in its loader/);
    await screenshot(page, "attach-blank-otg-loader");
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The demo's BOOT-and-RST buttons: the ROM's USB-OTG device appears, and the portal reads the board.
    await page.locator("pydirect-manual-boot-guide button").click();
    await page.locator("pydirect-firmware-step #continue:not([disabled])").click({ timeout: 60_000 });
    expect((await sessionState(page)).port?.label).toContain("303a:0009");
    await page.locator("pydirect-flash-step #install").click();
    await page.locator("pydirect-provision-step").waitFor({ timeout: 90_000 });
    await waitForPort(page, "303a:4001");
  }, 150_000);
});
