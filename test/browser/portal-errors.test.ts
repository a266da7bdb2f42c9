import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DIST, launchBrowser, screenshot, serveDir, type LaunchedBrowser, type StaticServer } from "./harness";

// Errors from the cores reach the user as their own sentence plus a recovery action.

let server: StaticServer;
let browser: LaunchedBrowser;

interface Manifest {
  builds: { chipFamily: string; parts: { path: string; sha256?: string; size?: number }[] }[];
  [k: string]: unknown;
}

beforeAll(async () => {
  server = await serveDir(DIST);
  const demo = JSON.parse(await readFile(join(DIST, "firmware/demo/manifest.json"), "utf8")) as Manifest;
  const app = new Uint8Array(await readFile(join(DIST, "firmware/demo/esp32s3/pydirect.bin")));
  const json = (body: unknown) => JSON.stringify(body);
  server.routes.push((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/firmware/wrong-chip/manifest.json") {
      // Only an ESP32-C3 build: the virtual ESP32-S3 must be refused before any write.
      const builds = demo.builds
        .filter((b) => b.chipFamily === "ESP32-C3")
        .map((b) => ({ ...b, parts: b.parts.map((p) => ({ ...p, path: `../demo/${p.path}` })) }));
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(json({ ...demo, name: "C3-only firmware", builds }));
      return true;
    }
    if (path === "/firmware/corrupt/manifest.json") {
      // No SHA-256 in the manifest, so it is the image check that must catch the damage.
      const builds = demo.builds
        .filter((b) => b.chipFamily === "ESP32-S3")
        .map((b) => ({
          ...b,
          parts: b.parts.map(({ sha256: _s, size: _z, ...p }) => ({
            ...p,
            path: p.path.endsWith("pydirect.bin") ? "pydirect.bin" : `../demo/${p.path}`,
          })),
        }));
      res.writeHead(200, { "content-type": "application/json" }).end(json({ ...demo, builds }));
      return true;
    }
    if (path === "/firmware/corrupt/pydirect.bin") {
      const bad = app.slice();
      for (let i = 4096; i < 4160; i++) bad[i] ^= 0x5a;
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(bad);
      return true;
    }
    return false;
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await (browser as typeof browser | undefined)?.close();
  await (server as typeof server | undefined)?.close();
});

async function connectVirtualAndContinue(page: Page, query = ""): Promise<void> {
  await page.goto(`${server.url}${query}`);
  await page.locator("pydirect-connect-step #virtual").click();
  await page.locator("pydirect-firmware-step #continue:not([disabled])").click();
  await page.locator("pydirect-flash-step #install").waitFor();
}

async function notice(page: Page): Promise<{ code: string; text: string }> {
  const el = page.locator("pydirect-flash-step pydirect-error-notice [role=alert]");
  await el.waitFor({ timeout: 90_000 });
  return { code: (await el.getAttribute("data-code")) ?? "", text: await el.innerText() };
}

describe("errors on the portal page", () => {
  it("wrong chip: the Firmware step names both chips and will not go on to the install; nothing written", async () => {
    const { page } = browser;
    await page.goto(`${server.url}?manifest=./firmware/wrong-chip/manifest.json`);
    await page.locator("pydirect-connect-step #virtual").click();
    const problem = page.locator("pydirect-firmware-step #firmware-problem");
    await problem.waitFor({ timeout: 60_000 });
    const text = await problem.innerText();
    expect(text).toContain("ESP32-S3");
    expect(text).toContain("ESP32-C3");
    expect(text).toMatch(/the install would refuse it/);
    // Neither "Continue to install" nor a tick on Firmware for firmware the install would refuse.
    expect(await page.locator("pydirect-firmware-step #continue").isDisabled()).toBe(true);
    expect(await page.locator("pydirect-step-nav button").nth(1).getAttribute("class")).not.toBe("done");
    await screenshot(page, "error-wrong-chip");
    const blank = await page.evaluate(() => {
      const board = (
        document.querySelector("pydirect-portal") as unknown as { lastVirtualBoard: { flash: Uint8Array } }
      ).lastVirtualBoard;
      return board.flash.subarray(0, 0x110000).every((b) => b === 0xff);
    });
    expect(blank).toBe(true);
  });

  it("corrupt image: the image check refuses it with its sentence", async () => {
    const { page } = browser;
    await connectVirtualAndContinue(page, "?manifest=./firmware/corrupt/manifest.json");
    await page.locator("pydirect-flash-step #install").click();
    const n = await notice(page);
    expect(n.code).toMatch(/^image-|checksum|hash/);
    expect(n.text).toMatch(/pydirect\.bin/);
    await screenshot(page, "error-corrupt-image");
  });

  it("disconnect during flashing: says the board went away and offers to pick the port again", async () => {
    const { page } = browser;
    await connectVirtualAndContinue(page);
    await page.evaluate(() => {
      const board = (
        document.querySelector("pydirect-portal") as unknown as { lastVirtualBoard: { injectFaults(f: unknown): void } }
      ).lastVirtualBoard;
      board.injectFaults({ disconnectAfterBytes: 60_000 });
    });
    await page.locator("pydirect-flash-step #install").click();
    const alert = page.locator("pydirect-flow pydirect-error-notice [role=alert]").first();
    await alert.waitFor({ timeout: 90_000 });
    const text = await alert.innerText();
    expect(text.toLowerCase()).toMatch(/unplugged|disconnected|went away|lost/);
    expect(text).toContain("Pick another port");
    await screenshot(page, "error-disconnect");
    await alert.locator("button").click();
    await page.locator("pydirect-connect-step #virtual").waitFor();
  });
});
