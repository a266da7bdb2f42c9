import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { SessionState } from "../../src/core/session/session-types";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { githubRelease, mergedS3Image } from "../core/firmware-sources/github-fixtures";
import { provisionedIdentity } from "../core/verify/fixtures";
import {
  DIST,
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  serveDir,
  type LaunchedBrowser,
  type StaticServer,
} from "./harness";

// Issue 12 in the browser: firmware from a file picked with the file chooser, a pyDirect release
// from a releases-API fixture with a CORS-enabled mirror (both on 127.0.0.1), and a port behind a
// USB-UART bridge that is never offered the demo image. Nothing here reaches the internet. The
// fixtures speak https, as GitHub and the Pages mirror do (the portal's CSP allows only https:
// connections), with a self-signed certificate the browser accepts through DevTools.

const REPO = "jetpax/pyDirect";
const releaseImage = mergedS3Image("1.26.1");
const localImage = mergedS3Image("0.3.0");

interface HttpsFixture {
  /** https://127.0.0.1:<port>/ */
  url: string;
  routes: ((req: IncomingMessage, res: ServerResponse) => boolean)[];
  requests: string[];
  close(): Promise<void>;
}

/** An https server on 127.0.0.1 answering every origin with CORS headers (GitHub's API and Pages do). */
async function serveHttps(certPem: string, keyPem: string): Promise<HttpsFixture> {
  const routes: HttpsFixture["routes"] = [];
  const requests: string[] = [];
  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    requests.push(req.url ?? "/");
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "*");
    if (req.method === "OPTIONS") return void res.writeHead(204).end();
    for (const route of routes) if (route(req, res)) return;
    res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    routes,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

let site: StaticServer;
let api: HttpsFixture;
let mirror: HttpsFixture;
let empty: string;
let releaseFolder: string;
let browser: LaunchedBrowser;

/** The portal page configured (by its documented attributes) to list releases from the fixtures. */
function configuredIndex(html: string): string {
  return html.replace(
    /<pydirect-portal[^>]*>/,
    `<pydirect-portal manifest="./firmware/demo/manifest.json" pydirect-repo="${REPO}" releases-api="${api.url.slice(0, -1)}" firmware-mirror="${mirror.url}firmware/" release-index="">`,
  );
}

beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), "pydirect-fixtures-"));
  releaseFolder = join(empty, "release");
  // One firmware: the demo folder without its per-product manifests and the other demo firmware
  // (Improv, blink, the upstream look-alike).
  await cp(join(DIST, "firmware/demo"), releaseFolder, {
    recursive: true,
    filter: (src) => !/\/(products|improv|blink|upstream)(\/|$)/.test(src),
  });
  // GitHub's API and the Pages mirror both answer over https with Access-Control-Allow-Origin: *.
  const tls = await provisionedIdentity("fixtures");
  api = await serveHttps(tls.certPem, tls.keyPem);
  mirror = await serveHttps(tls.certPem, tls.keyPem);
  api.routes.push((req, res) => {
    if (!req.url?.startsWith(`/repos/${REPO}/releases`)) return false;
    const body = JSON.stringify([
      githubRelease(
        REPO,
        {
          tag: "pyDirect-v1.27.0-preview",
          prerelease: true,
          assets: [{ name: "pyDirect-ESP32_S3-merged.bin", size: 2_000_000, digest: false }],
        },
        api.url.slice(0, -1),
      ),
      githubRelease(
        REPO,
        {
          tag: "pyDirect-v1.26.1",
          assets: [
            { name: "pyDirect-ESP32_S3-merged.bin", data: releaseImage },
            { name: "pyDirect-ESP32_P4-merged.bin", size: 2_600_000, digest: false },
          ],
        },
        api.url.slice(0, -1),
      ),
    ]);
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "x-ratelimit-remaining": "59" }).end(body);
    return true;
  });
  mirror.routes.push((req, res) => {
    if (req.url !== "/firmware/pyDirect-ESP32_S3-merged.bin") return false;
    res
      .writeHead(200, { "content-type": "application/octet-stream", "content-length": releaseImage.length })
      .end(releaseImage);
    return true;
  });

  site = await serveDir(DIST);
  const index = configuredIndex(await readFile(join(DIST, "index.html"), "utf8"));
  // The demo manifest is served as built: the generator marks it "virtual_board_only": true.
  const demo = JSON.parse(await readFile(join(DIST, "firmware/demo/manifest.json"), "utf8")) as Record<string, unknown>;
  if (demo["virtual_board_only"] !== true) throw new Error("the built demo manifest lacks virtual_board_only");
  site.routes.push((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/configured.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(index);
      return true;
    }
    return false;
  });
  browser = await launchBrowser({ ignoreHTTPSErrors: true });
});

afterAll(async () => {
  await (browser as typeof browser | undefined)?.close();
  await Promise.all([
    (site as typeof site | undefined)?.close(),
    (api as typeof api | undefined)?.close(),
    (mirror as typeof mirror | undefined)?.close(),
  ]);
  if (empty) await rm(empty, { recursive: true, force: true });
});

function sessionState(page: Page): Promise<SessionState> {
  return page.evaluate(() => {
    const portal = document.querySelector("pydirect-portal") as unknown as { currentSession: { state: unknown } };
    return JSON.parse(JSON.stringify(portal.currentSession.state)) as SessionState;
  });
}

async function waitForStep(page: Page, step: string, timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    (want) =>
      (document.querySelector("pydirect-portal") as unknown as { currentSession?: { state: { step: string } } })
        .currentSession?.state.step === want,
    step,
    { timeout },
  );
}

/** The flash of the virtual board the page picked last, from `from` for `length` bytes. */
function boardFlash(page: Page, length: number): Promise<number[]> {
  return page.evaluate((n) => {
    const board = (document.querySelector("pydirect-portal") as unknown as { lastVirtualBoard: { flash: Uint8Array } })
      .lastVirtualBoard;
    return Array.from(board.flash.subarray(0, n));
  }, length);
}

async function installAndWait(page: Page): Promise<void> {
  await page.locator("pydirect-firmware-step #continue:not([disabled])").click();
  await page.locator("pydirect-flash-step #install").click();
  await waitForStep(page, "provision");
}

describe("firmware sources on the portal page", () => {
  it("installs a file picked with the file chooser onto the virtual board, showing chip, app and version first", async () => {
    const { page } = browser;
    await page.goto(site.url);
    await page.locator("pydirect-connect-step #virtual").click();
    await page.locator("pydirect-firmware-step [data-field=name]").waitFor();
    // The virtual board is offered the demo, listed first and loaded by default.
    expect(await page.locator("pydirect-firmware-sources [data-kind=manifest-url]").count()).toBe(1);
    await page.locator("pydirect-firmware-sources [data-source=local-files] input").check();
    const chooser = page.waitForEvent("filechooser");
    await page.locator("pydirect-local-firmware-files label[for=pick-files]").click();
    await (
      await chooser
    ).setFiles({ name: "my-pydirect.bin", mimeType: "application/octet-stream", buffer: Buffer.from(localImage) });
    await page.locator("pydirect-local-firmware-files [data-field=local-version]").waitFor();
    expect(await page.locator("pydirect-local-firmware-files [data-field=local-chip]").innerText()).toBe("ESP32-S3");
    expect(await page.locator("pydirect-local-firmware-files [data-field=local-version]").innerText()).toBe("0.3.0");
    expect(await page.locator("pydirect-local-firmware-files [data-field=local-app]").innerText()).toBe("pyDirect");
    expect(
      await page.locator("pydirect-local-firmware-files input[data-offset-for='my-pydirect.bin']").inputValue(),
    ).toBe("0x0");
    await page.locator("pydirect-firmware-step #continue:not([disabled])").waitFor();
    await screenshot(page, "sources-local-file");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await installAndWait(page);
    expect(await boardFlash(page, localImage.length)).toEqual(Array.from(localImage));
    const state = await sessionState(page);
    expect(state.flash.status).toBe("done");
    expect(state.connect.result?.firmware).toMatchObject({ version: "0.3.0" });
    // Remembered per browser: which source, never the file.
    const remembered = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
    expect(remembered).toContain("local-files");
    expect(remembered).not.toContain("my-pydirect");
  });

  it("takes a manifest.json with its parts dropped onto the page and installs it", async () => {
    const { page } = browser;
    await page.goto(site.url);
    await page.locator("pydirect-connect-step #virtual").click();
    await page.locator("pydirect-firmware-step [data-field=name]").waitFor();
    await page.locator("pydirect-firmware-sources [data-source=local-files] input").check();
    const zone = page.locator("pydirect-local-firmware-files [part=dropzone]");
    await zone.waitFor();
    // The files a user would drag from a folder: a manifest naming its three parts, and the parts.
    const transfer = await page.evaluateHandle(async () => {
      const get = async (path: string) =>
        new Uint8Array(await (await fetch(`./firmware/demo/esp32s3/${path}`)).arrayBuffer());
      const manifest = {
        name: "My pyDirect build",
        version: "0.1.0",
        builds: [
          {
            chipFamily: "ESP32-S3",
            parts: [
              { path: "bootloader.bin", offset: 0 },
              { path: "partition-table.bin", offset: 0x8000 },
              { path: "pydirect.bin", offset: 0x10000 },
            ],
          },
        ],
      };
      const dt = new DataTransfer();
      dt.items.add(new File([JSON.stringify(manifest)], "manifest.json", { type: "application/json" }));
      for (const name of ["bootloader.bin", "partition-table.bin", "pydirect.bin"])
        dt.items.add(new File([await get(name)], name));
      return dt;
    });
    await zone.dispatchEvent("dragover", { dataTransfer: transfer });
    await zone.dispatchEvent("drop", { dataTransfer: transfer });
    await page.locator("pydirect-local-firmware-files [data-field=local-version]").waitFor();
    // The analysis is shown before the offer made from it is in the step's result.
    await expect.poll(async () => (await sessionState(page)).firmware.result?.name).toBe("My pyDirect build");
    const state = await sessionState(page);
    expect(state.firmware.local?.analysis.shape).toBe("manifest");
    expect(state.firmware.local?.analysis.chipFamily).toBe("ESP32-S3");
    expect(state.firmware.result?.name).toBe("My pyDirect build");
    await installAndWait(page);
    const after = await sessionState(page);
    expect(after.flash.parts.map((p) => [p.name, p.status])).toEqual([
      ["bootloader.bin", "done"],
      ["partition-table.bin", "done"],
      ["pydirect.bin", "done"],
    ]);
  });

  it("takes a whole firmware folder from the folder picker (manifest with its parts in subfolders)", async () => {
    const { page } = browser;
    await page.goto(site.url);
    await page.locator("pydirect-connect-step #virtual").click();
    await page.locator("pydirect-firmware-step [data-field=name]").waitFor();
    await page.locator("pydirect-firmware-sources [data-source=local-files] input").check();
    const chooser = page.waitForEvent("filechooser");
    await page.locator("pydirect-local-firmware-files label[for=pick-folder]").click();
    // A release folder as the build writes it: manifest.json and one subfolder of parts per chip.
    await (await chooser).setFiles(releaseFolder);
    await page.locator("pydirect-local-firmware-files [data-field=local-version]").waitFor();
    const state = await sessionState(page);
    expect(state.firmware.local?.analysis.shape).toBe("manifest");
    expect(state.firmware.local?.names).toContain("release/esp32s3/pydirect.bin");
    expect(state.firmware.result?.chipFamilies).toContain("ESP32-S3");
    await installAndWait(page);
    expect((await sessionState(page)).flash.parts.map((p) => p.name)).toEqual([
      "esp32s3/bootloader.bin",
      "esp32s3/partition-table.bin",
      "esp32s3/pydirect.bin",
    ]);
  });

  it("lists pyDirect's releases from the configured API and installs one from the CORS mirror", async () => {
    const { page } = browser;
    await page.goto(`${site.url}configured.html`);
    await page.locator("pydirect-connect-step #virtual").click();
    await page.locator("pydirect-firmware-step [data-field=name]").waitFor();
    await page.locator("pydirect-firmware-sources [data-source=pydirect-releases] input").check();
    await page.locator("pydirect-release-picker #release-version").waitFor();
    await page.locator("pydirect-firmware-step [data-field=version]").waitFor();
    expect(await page.locator("pydirect-release-picker #release-version option").allInnerTexts()).toEqual(["1.26.1"]);
    expect(await page.locator("pydirect-release-picker #release-product").inputValue()).toBe("ESP32_S3");
    expect(await page.locator("pydirect-firmware-step [data-field=version]").innerText()).toBe("1.26.1");
    // The beta channel lists the pre-release too.
    await page.locator("pydirect-release-picker #include-beta").check();
    await page.waitForFunction(() => {
      const picker = document
        .querySelector("pydirect-portal")
        ?.shadowRoot?.querySelector("pydirect-flow")
        ?.shadowRoot?.querySelector("pydirect-firmware-step")
        ?.shadowRoot?.querySelector("pydirect-release-picker");
      return (picker?.shadowRoot?.querySelectorAll("#release-version option").length ?? 0) === 2;
    });
    expect(await page.locator("pydirect-release-picker #release-version option").allInnerTexts()).toEqual([
      "1.27.0-preview (beta)",
      "1.26.1",
    ]);
    await screenshot(page, "sources-pydirect-releases");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await installAndWait(page);
    expect(await boardFlash(page, releaseImage.length)).toEqual(Array.from(releaseImage));
    expect(api.requests.some((p) => p.startsWith(`/repos/${REPO}/releases`))).toBe(true);
    expect(mirror.requests).toContain("/firmware/pyDirect-ESP32_S3-merged.bin");
    // The portal's CSP let every request through (all of them https or this origin).
    expect(browser.errors.filter((e) => e.startsWith("csp"))).toEqual([]);
  });

  it("a release with no CORS copy says so and takes the .bin dropped (here: picked) onto the page instead", async () => {
    const { page } = browser;
    await page.goto(`${site.url}configured.html`);
    await page.locator("pydirect-connect-step #virtual").click();
    await page.locator("pydirect-firmware-step [data-field=name]").waitFor();
    await page.locator("pydirect-firmware-sources [data-source=pydirect-releases] input").check();
    await page.locator("pydirect-release-picker #include-beta").check();
    // The mirror has only the stable image: the pre-release has no copy a page may read.
    await page.locator("pydirect-release-picker #release-version").selectOption("1.27.0-preview");
    const alert = page.locator("pydirect-firmware-step pydirect-error-notice [role=alert]");
    await alert.waitFor();
    expect(await alert.getAttribute("data-code")).toBe("no-cors-mirror");
    expect(await page.locator("pydirect-local-firmware-files [part=dropzone]").innerText()).toContain("drop it here");
    await screenshot(page, "sources-no-cors-mirror");
    expect(await seriousAxeViolations(page)).toEqual([]);
    const chooser = page.waitForEvent("filechooser");
    await page.locator("pydirect-local-firmware-files label[for=pick-files]").click();
    await (
      await chooser
    ).setFiles({
      name: "pyDirect-ESP32_S3-merged.bin",
      mimeType: "application/octet-stream",
      buffer: Buffer.from(localImage),
    });
    await page.locator("pydirect-local-firmware-files [data-field=local-version]").waitFor();
    const state = await sessionState(page);
    expect(state.firmware.selected).toBe("local-files");
    expect(state.firmware.status).toBe("done");
    expect(state.firmware.result?.version).toBe("0.3.0");
  });

  it("a port behind a USB-UART bridge is never offered the demo, and is refused it when forced", async () => {
    const { page } = browser;
    await page.goto(`${site.url}configured.html`);
    await page.locator("pydirect-connect-step h2").waitFor();
    // A test port: a simulated ESP32-S3 that reports a CP210x bridge, handed out by the browser's port picker.
    await page.evaluate(async () => {
      const portal = document.querySelector("pydirect-portal") as unknown as {
        ports: { pickVirtual(model?: string): Promise<{ port: { getInfo(): unknown } }> };
      };
      const { port } = await portal.ports.pickVirtual("esp32s3");
      port.getInfo = () => ({ usbVendorId: 0x10c4, usbProductId: 0xea60 });
      (navigator as unknown as { serial: { requestPort(): Promise<unknown> } }).serial.requestPort = async () => port;
    });
    await page.locator("pydirect-connect-step #serial").click();
    await page.locator("pydirect-firmware-step [data-field=version]").waitFor();
    const state = await sessionState(page);
    expect(state.port).toEqual({ label: "Silicon Labs CP210x (10c4:ea60)", virtual: false });
    // Not listed; the default for a real port is pyDirect's newest stable release for its product.
    expect(
      state.firmware.sources.some((s) => s.virtualBoardOnly || s.manifestUrl?.endsWith("/firmware/demo/manifest.json")),
    ).toBe(false);
    expect(await page.locator("pydirect-firmware-sources [data-kind=manifest-url]").count()).toBe(0);
    expect(state.firmware.selected).toBe("pydirect-releases");
    expect(state.firmware.result?.version).toBe("1.26.1");

    // Forced, by typing the demo's address: refused with a sentence naming what to choose instead.
    await page.locator("pydirect-firmware-sources [data-source=typed-url] input").check();
    await page.locator("pydirect-manifest-url-entry #manifest-url").fill(`${site.url}firmware/demo/manifest.json`);
    await page.locator("pydirect-manifest-url-entry #load-url").click();
    const alert = page.locator("pydirect-firmware-step pydirect-error-notice [role=alert]");
    await alert.waitFor();
    expect(await alert.getAttribute("data-code")).toBe("virtual-board-only");
    const text = await alert.innerText();
    expect(text).toContain("real ESP32-S3");
    expect(text).toContain("a pyDirect release");
    expect(await page.locator("pydirect-firmware-step #continue").isDisabled()).toBe(true);
    await screenshot(page, "sources-demo-refused-on-real-port");
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Not a byte reached the board.
    expect((await boardFlash(page, 0x20000)).every((b) => b === 0xff)).toBe(true);
  });
});

describe("the virtual board's chip", () => {
  it("is named on the Connect step, the S3 by default, and another simulated chip can be picked", async () => {
    const { page } = browser;
    await page.goto(site.url);
    const button = page.locator("pydirect-connect-step #virtual");
    expect(await button.innerText()).toBe("Try without hardware");
    // The picker is a labelled control, the S3 first and chosen.
    expect(await page.locator("pydirect-connect-step label[for=virtual-chip]").innerText()).toBe("Simulated board");
    expect(await page.locator("pydirect-connect-step #virtual-chip").inputValue()).toBe("esp32s3");
    const options = await page.locator("pydirect-connect-step #virtual-chip option").allInnerTexts();
    expect(options[0]).toBe("Virtual ESP32-S3 (8 MB)");
    expect(options).toEqual(expect.arrayContaining(["Virtual ESP32-S3 (16 MB)", "Virtual ESP32-C3 (4 MB)"]));
    expect(options.some((o) => o.includes("ESP32-P4"))).toBe(true);
    await page.locator("pydirect-connect-step #virtual-chip").selectOption("esp32c3");
    await button.click();
    await page.locator("pydirect-firmware-step h2").waitFor();
    const state = await sessionState(page);
    expect(state.connect.result?.chip).toBe("ESP32-C3");
    expect(state.port?.label).toBe("Virtual ESP32-C3 (4 MB), demo board");

    await page.goto(site.url);
    await page.locator("pydirect-connect-step #virtual-chip").selectOption("esp32p4");
    await page.locator("pydirect-connect-step #virtual").click();
    await page.locator("pydirect-firmware-step h2").waitFor();
    const p4 = await sessionState(page);
    expect(p4.connect.result).toMatchObject({ chip: "ESP32-P4", flashSize: 16 * 1024 * 1024, usbSerialJtag: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});

describe("the embed", () => {
  it("refuses its demo manifest on a port behind a USB-UART bridge, saying what to do instead", async () => {
    const { page } = browser;
    await page.goto(`${site.url}embed-demo.html?portal=${encodeURIComponent(site.url)}`);
    const button = page.locator("pydirect-install-button");
    await button.locator("button[slot=activate]").click();
    await page.locator("pydirect-install-dialog dialog[open]").waitFor();
    await page.evaluate(async () => {
      const dialog = document
        .querySelector("pydirect-install-button")!
        .shadowRoot!.querySelector("pydirect-install-dialog") as unknown as {
        ports: { pickVirtual(model?: string): Promise<{ port: { getInfo(): unknown } }> };
      };
      const { port } = await dialog.ports.pickVirtual("esp32s3");
      port.getInfo = () => ({ usbVendorId: 0x1a86, usbProductId: 0x7523 });
      (navigator as unknown as { serial: { requestPort(): Promise<unknown> } }).serial.requestPort = async () => port;
    });
    await page.locator("pydirect-install-dialog pydirect-connect-step #serial").click();
    const alert = page.locator("pydirect-install-dialog pydirect-firmware-step pydirect-error-notice [role=alert]");
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.getAttribute("data-code")).toBe("virtual-board-only");
    expect(await alert.innerText()).toMatch(/real ESP32-S3.*virtual board in the Connect step/s);
    expect(await page.locator("pydirect-install-dialog pydirect-firmware-step #continue").isDisabled()).toBe(true);
    await screenshot(page, "sources-embed-demo-refused");
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
