import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { runInventoryInit } from "../../src/cli/inventory-command";
import { ADMIN, startCouchServer, type CouchTestServer } from "../core/registry/couch-server";
import { board } from "../core/registry/fixtures";
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

// Two stations (two browsers, each its own profile) configured with the same CouchDB-compatible
// server on 127.0.0.1 share one inventory: what one registers, the other lists; the same board
// provisioned at both is a conflict either can resolve. The server speaks https (the portal's CSP
// allows only https: connections) with a self-signed certificate the browsers accept through
// DevTools, as a station's browser would trust its line's CouchDB certificate.

const DB = "pydirect-inventory";
const STATIONS = { a: { user: "station-a", password: "pass-a-123" }, b: { user: "station-b", password: "pass-b-456" } };
let site: StaticServer;
let couch: CouchTestServer;
let url: string;
let a: LaunchedBrowser;
let b: LaunchedBrowser;

type Registry = { put(r: unknown): Promise<void> };

beforeAll(async () => {
  site = await serveDir(DIST);
  // CouchDB's [cors] origins list: the portal's origin only.
  const tls = await provisionedIdentity("couch-test");
  couch = await startCouchServer({
    corsOrigins: [new URL(site.url).origin],
    https: { certPem: tls.certPem, keyPem: tls.keyPem },
  });
  for (const s of Object.values(STATIONS)) await couch.addUser(s.user, s.password);
  url = `${couch.origin}/${DB}`;
  const code = await runInventoryInit(
    `${couch.httpOrigin}/${DB}`,
    { members: [STATIONS.a.user, STATIONS.b.user] },
    () => undefined,
    { COUCHDB_USER: ADMIN.name, COUCHDB_PASSWORD: ADMIN.password },
  );
  expect(code).toBe(0);
  a = await launchBrowser({ ignoreHTTPSErrors: true });
  b = await launchBrowser({ ignoreHTTPSErrors: true });
});

afterAll(async () => {
  await (a as typeof a | undefined)?.close();
  await (b as typeof b | undefined)?.close();
  await (couch as typeof couch | undefined)?.close();
  await (site as typeof site | undefined)?.close();
});

const status = (page: Page) => page.locator("pydirect-inventory-settings [part=status]");

/** The portal's tabs: the shared inventory has its own; the device list is on the install tab. */
const show = (page: Page, tab: "install" | "settings") => page.locator(`pydirect-portal #tab-${tab}`).click();

async function connectStation(page: Page, station: { user: string; password: string }): Promise<void> {
  await show(page, "settings");
  // The server form shows only when asked for.
  if (await page.locator("#inventory-setup").isVisible()) await page.locator("#inventory-setup").click();
  await page.locator("#inventory-url").fill(url);
  await page.locator("#inventory-user").fill(station.user);
  await page.locator("#inventory-password").fill(station.password);
  await page.locator("#inventory-password").press("Enter");
  await expect.poll(() => status(page).textContent(), { timeout: 20_000 }).toMatch(/Synced with/);
}

const putRecord = (page: Page, record: unknown) =>
  page.evaluate(async (r) => {
    const portal = document.querySelector("pydirect-portal") as unknown as { registry: Registry };
    await portal.registry.put(r);
  }, record);

describe("one inventory for two stations", () => {
  it("starts off, with accessible settings, and PouchDB not loaded", async () => {
    await a.page.goto(site.url);
    await b.page.goto(site.url);
    for (const page of [a.page, b.page]) await show(page, "settings");
    for (const page of [a.page, b.page]) await status(page).waitFor();
    // No server form until the user asks for one.
    expect(await a.page.locator("#inventory-url").count()).toBe(0);
    await expect.poll(() => status(a.page).textContent()).toMatch(/^\s*Off/);
    // PouchDB loads only once a server is configured.
    const scripts = await a.page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
    expect(scripts.some((s) => s.includes("inventory-pouch"))).toBe(false);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await a.page.locator("pydirect-inventory-settings").scrollIntoViewIfNeeded();
    await screenshot(a.page, "inventory-settings-off");
  });

  it("a device registered at one station appears at the other", async () => {
    // A bad URL is refused with a sentence, and nothing is stored.
    await a.page.locator("#inventory-setup").click();
    await a.page.locator("#inventory-url").fill("ftp://nowhere/db");
    await a.page.locator("#inventory-connect").click();
    await expect
      .poll(() => a.page.locator("pydirect-inventory-settings [role=alert]").textContent())
      .toMatch(/https:\/\//);

    await connectStation(a.page, STATIONS.a);
    await connectStation(b.page, STATIONS.b);
    await putRecord(a.page, { ...board(21), wifiPassword: "hunter2" });
    await show(b.page, "install");
    await b.page.locator(`pydirect-device-list tr[data-device='${board(21).id}']`).waitFor({ timeout: 20_000 });
    expect(
      await b.page
        .locator(`pydirect-device-list tr[data-device='${board(21).id}'] td`)
        .first()
        .textContent(),
    ).toContain(board(21).hostname);

    // The station remembers the URL and user, never the password; the server holds no secret.
    for (const [page, station] of [
      [a.page, STATIONS.a],
      [b.page, STATIONS.b],
    ] as const) {
      const stored = await page.evaluate(() => JSON.stringify(Object.fromEntries(Object.entries(localStorage))));
      expect(stored).toContain(station.user);
      expect(stored).not.toContain(station.password);
    }
    const doc = await couch.admin("GET", `/${DB}/device:${board(21).id}`);
    expect(JSON.stringify(doc.body)).not.toContain("hunter2");
    expect(await seriousAxeViolations(b.page)).toEqual([]);
    await show(b.page, "settings");
    await b.page.locator("pydirect-inventory-settings").scrollIntoViewIfNeeded();
    await screenshot(b.page, "inventory-two-stations-synced");
  });

  it("the same board provisioned at both stations is a conflict, resolved from the device list by keyboard", async () => {
    await couch.stop();
    await expect.poll(() => status(a.page).textContent(), { timeout: 20_000 }).toMatch(/Offline, retrying/);
    await putRecord(a.page, board(22, { hostname: "bench-a-22", certFingerprint: "AA:AA:AA" }));
    await putRecord(b.page, board(22, { hostname: "bench-b-22", certFingerprint: "BB:BB:BB" }));
    await couch.start();
    for (const page of [a.page, b.page]) await show(page, "install");
    const conflictAt = (page: Page) =>
      page.locator(`pydirect-device-conflicts section[data-conflict='${board(22).id}']`);
    await conflictAt(a.page).waitFor({ timeout: 30_000 });
    await conflictAt(b.page).waitFor({ timeout: 30_000 });
    expect(await conflictAt(b.page).locator("tr[data-rev]").count()).toBe(2);
    expect(await seriousAxeViolations(b.page)).toEqual([]);
    await conflictAt(b.page).scrollIntoViewIfNeeded();
    await screenshot(b.page, "inventory-conflict");

    const keep = b.page.getByRole("button", { name: /^Keep this one: bench-a-22/ });
    await keep.focus();
    await b.page.keyboard.press("Enter");
    await conflictAt(b.page).waitFor({ state: "detached", timeout: 20_000 });
    await conflictAt(a.page).waitFor({ state: "detached", timeout: 30_000 });
    await expect
      .poll(() =>
        a.page
          .locator(`pydirect-device-list tr[data-device='${board(22).id}'] td`)
          .first()
          .textContent(),
      )
      .toContain("bench-a-22");
  });

  it("after a reload the station asks for the password again and keeps working meanwhile", async () => {
    await a.page.reload();
    await expect
      .poll(() => status(a.page).textContent(), { timeout: 20_000 })
      .toMatch(/Enter the password for station-a/);
    // The replica in IndexedDB still lists what was shared.
    await a.page.locator(`pydirect-device-list tr[data-device='${board(21).id}']`).waitFor();
    // The inventory's tab says it needs attention.
    expect(await a.page.locator("pydirect-portal #tab-settings").innerText()).toMatch(/needs attention/);
    await show(a.page, "settings");
    await a.page.locator("#inventory-password").fill(STATIONS.a.password);
    await a.page.locator("#inventory-connect").click();
    await expect.poll(() => status(a.page).textContent(), { timeout: 20_000 }).toMatch(/Synced with/);
    expect(
      [...a.errors, ...b.errors].filter((e) => !/Failed to load resource|net::ERR_CONNECTION_REFUSED/.test(e)),
    ).toEqual([]);
  });
});
