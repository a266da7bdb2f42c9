/**
 * An upstream pyDirect board through the portal's own pages, in Chromium: the user picks the
 * virtual board "flashed with upstream pyDirect" in the Connect step, installs the upstream-shaped
 * demo image again (our look-alike scripts, test/fixtures/upstream-device), provisions it (it
 * leaves setup mode; the WebREPL password is shown once with Copy), the board resets and boots
 * with ESP-IDF's log lines on its console, and Verify signals over HTTPS `/webrtc/offer` — the
 * in-page board reached over the page's simulated LAN — with no end of candidates, reaching
 * "Verified" with the WBP check. The board's key and the passwords go nowhere but the serial link.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { SessionState } from "../../src/core/session/session-types";
import { screenshot, seriousAxeViolations, useBuiltSite } from "./harness";

const site = useBuiltSite();

function sessionState(page: Page): Promise<SessionState> {
  return page.evaluate(() => {
    const portal = document.querySelector("pydirect-portal") as unknown as { currentSession: { state: unknown } };
    return JSON.parse(JSON.stringify(portal.currentSession.state)) as SessionState;
  });
}

function sessionLog(page: Page): Promise<string> {
  return page.evaluate(() =>
    (
      document.querySelector("pydirect-portal") as unknown as { currentSession: { log: { toText(): string } } }
    ).currentSession.log.toText(),
  );
}

async function waitForStep(page: Page, step: string, timeout = 120_000): Promise<void> {
  try {
    await page.waitForFunction(
      (want) =>
        (document.querySelector("pydirect-portal") as unknown as { currentSession?: { state: { step: string } } })
          .currentSession?.state.step === want,
      step,
      { timeout },
    );
  } catch (err) {
    const s = await sessionState(page);
    const current = s[s.step] as { status: string; phase?: string; error?: { code: string; message: string } | null };
    throw new Error(
      `waiting for step ${step}: step ${s.step} ${current.status} "${current.phase ?? ""}" ${current.error ? `${current.error.code}: ${current.error.message}` : ""}\n${(await sessionLog(page)).slice(-2000)}`,
      { cause: err },
    );
  }
}

describe("an upstream pyDirect board through the portal's pages", () => {
  it("connects the upstream board, installs its image, provisions it out of setup mode, and verifies over HTTPS signaling with WBP", async () => {
    const { page } = site.browser;
    const started = Date.now();
    /** Seconds from the start at which each step was reached (reported, not asserted). */
    const marks: string[] = [];
    const mark = (what: string) => marks.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Everything the page and its worker send over the network, to check no secret leaves the tab.
    const sent: string[] = [];
    page.context().on("request", (r) => sent.push(`${r.method()} ${r.url()} ${r.postData() ?? ""}`));

    const manifest = `${site.server.url}firmware/demo/upstream/manifest.json`;
    await page.goto(`${site.server.url}?manifest=${encodeURIComponent(manifest)}`);
    await page.locator("pydirect-connect-step h2").waitFor();
    const picker = page.locator("pydirect-connect-step #virtual-chip");
    await picker.selectOption("esp32s3-upstream");
    expect(await picker.locator("option:checked").innerText()).toMatch(/flashed with upstream pyDirect/);
    await screenshot(page, "upstream-01-connect");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.locator("pydirect-connect-step #virtual").click();
    await waitForStep(page, "firmware");
    mark("firmware step");
    await page.locator("pydirect-firmware-step [data-field=name]").waitFor();
    // The board came flashed: the portal reads upstream's image from its flash.
    expect((await sessionState(page)).connect.result?.firmware?.name).toBe("micropython");
    expect(await page.locator("pydirect-firmware-step [data-field=name]").innerText()).toBe(
      "Upstream pyDirect look-alike (demo)",
    );
    await screenshot(page, "upstream-02-firmware");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Install (again): the image from the linked manifest, written over the serial link.
    await page.locator("pydirect-firmware-step #continue").click();
    await waitForStep(page, "flash");
    await page.locator("pydirect-flash-step #install").click();
    await waitForStep(page, "provision", 180_000);
    mark("installed");
    const flashed = await sessionState(page);
    expect(flashed.flash.status).toBe("done");
    expect(flashed.flash.parts.map((p) => p.status)).toEqual(["done", "done", "done"]);
    await page.locator("pydirect-provision-step #ssid").waitFor();
    await screenshot(page, "upstream-03-provision");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.locator("pydirect-provision-step #ssid").fill("Workshop");
    await page.locator("pydirect-provision-step #password").fill("solder-and-flux");
    await page.locator("pydirect-provision-step #provision").waitFor();
    mark("Provision offered");
    await page.locator("pydirect-provision-step #password").press("Enter");
    await waitForStep(page, "verify", 180_000);
    const verifyFrom = Date.now();
    mark("provisioned");
    const provisioned = (await sessionState(page)).provision.result!;
    expect(provisioned.deviceScripts).toEqual({ kind: "pydirect-upstream", serialSignaling: false });
    expect(provisioned.address).toBe("192.168.4.23");
    // Shown once, with a Copy button; no certificate trust step (the LAN transport checks it).
    await page.locator("pydirect-verify-step #copy-webrepl").waitFor();
    const webrepl = await page.locator("pydirect-verify-step [data-field=webrepl-password]").innerText();
    expect(webrepl).toMatch(/^[A-Za-z0-9]{9}$/);
    expect((await sessionState(page)).verify.trust).toBeNull();
    await page.locator("pydirect-verify-step #copy-webrepl").click();
    const shown = () =>
      page.locator("pydirect-verify-step pydirect-webrepl-password").evaluate((el) => el.shadowRoot?.textContent ?? "");
    await expect.poll(shown).toMatch(/Copied\.|copy by hand/);
    expect(await shown()).toMatch(/Shown once/);

    await page.locator("pydirect-verify-step #verified").waitFor({ timeout: 120_000 });
    const toVerified = Date.now() - verifyFrom;
    mark("verified");
    expect(await page.locator("pydirect-verify-step #verified").innerText()).toMatch(/Board verified/);
    const verified = (await sessionState(page)).verify.result!;
    expect(verified.detail).toMatch(/^REPL over WebRTC works/);
    expect(verified.detail).toContain("https signaling");
    await screenshot(page, "upstream-04-verified");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The board left setup mode. Its boot after provisioning went by while the jobs held the port
    // (as on a real board, nobody read it); the console's EN reset shows a whole boot: ROM,
    // bootloader, the scripts, and ESP-IDF's INFO lines (boot.py's esp.osdebug) as it joins
    // Wi-Fi and starts its HTTPS server and signaling.
    await expect
      .poll(async () => (await sessionState(page)).terminal, { timeout: 30_000 })
      .toMatchObject({ status: "open" });
    const terminal = page.locator("pydirect-terminal");
    const terminalText = () => terminal.evaluate((el) => (el as unknown as { text: string }).text);
    await terminal.locator("#terminal-reset:not([disabled])").click();
    const afterReset = async () => {
      const text = await terminalText();
      return text.slice(text.lastIndexOf("Resetting the board (EN)"));
    };
    await expect
      .poll(afterReset, { timeout: 60_000 })
      .toMatch(/I \(\d+\) HTTPSERVER: Registering handler for URI: \/webrtc\/status, Method: GET/);
    const boot = await afterReset();
    mark("rebooted on the console");
    expect(boot).toMatch(/ESP-ROM:esp32s3[\s\S]*Project name: +micropython[\s\S]*System booting\.\.\./);
    expect(boot).toMatch(/I \(\d+\) esp_netif_handlers: sta ip: 192\.168\.4\.23, mask: 255\.255\.255\.0/);
    expect(boot).toMatch(/I \(\d+\) HTTPSERVER: HTTPS server started successfully on port 443/);
    expect(boot).toContain("[INFO] WebRTC signaling server started");
    expect(boot).not.toContain("Setup mode detected");
    await screenshot(page, "upstream-05-console");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Connect again from the device list: the in-page board is read back over its serial link
    // (certificate, not address), restarted into its app, and reached at its mDNS name on the
    // page's LAN once its responder answers again; upstream's check passes over HTTPS again.
    const reverifyFrom = Date.now();
    await page.locator("pydirect-device-list button[data-action=connect-again]").click();
    await page.waitForFunction(
      () =>
        (
          document.querySelector("pydirect-portal") as unknown as { currentSession: { log: { toText(): string } } }
        ).currentSession.log
          .toText()
          .includes("Re-verifying"),
      undefined,
      { timeout: 120_000 },
    );
    await expect.poll(async () => (await sessionState(page)).verify.status, { timeout: 120_000 }).not.toBe("running");
    const again = await sessionState(page);
    if (again.verify.status !== "done")
      throw new Error(`Connect again: ${JSON.stringify(again.verify.error)}\n${(await sessionLog(page)).slice(-2000)}`);
    mark(`connected again (${((Date.now() - reverifyFrom) / 1000).toFixed(1)} s)`);
    expect(again.verify.result?.detail).toContain("https signaling");
    expect(again.provision.result?.address).toBeNull();
    expect(again.handoff?.deviceUrl).toMatch(/^https:\/\/[a-z0-9-]+\.local$/);
    expect(again.handoff?.serialReason).toMatch(/mDNS responder/);
    expect(again.handoff?.serialReason).not.toMatch(/no network address/);
    expect(await sessionLog(page)).toContain("Connect again over serial");
    const log = await sessionLog(page);

    // Secrets: in no request, no storage, no log, no state.
    const secrets = ["solder-and-flux", webrepl, "PRIVATE KEY"];
    const stored = await page.evaluate(async () => {
      const dump: string[] = [];
      for (const store of [localStorage, sessionStorage])
        for (const k of Object.keys(store)) dump.push(`${k}=${store.getItem(k) ?? ""}`);
      for (const info of await indexedDB.databases()) {
        const db: IDBDatabase = await new Promise((ok, fail) => {
          const req = indexedDB.open(info.name!);
          req.onsuccess = () => ok(req.result);
          req.onerror = () => fail(req.error ?? new Error("indexedDB.open failed"));
        });
        for (const name of db.objectStoreNames) {
          const rows: unknown[] = await new Promise((ok) => {
            const r = db.transaction(name).objectStore(name).getAll();
            r.onsuccess = () => ok(r.result);
          });
          dump.push(JSON.stringify(rows));
        }
        db.close();
      }
      return dump.join("\n");
    });
    const state = JSON.stringify(await sessionState(page));
    // The requests seen are the site's own files (the image among them): the board is in the tab.
    expect(sent.some((r) => r.includes("/firmware/demo/upstream/esp32s3/upstream.bin"))).toBe(true);
    for (const text of [sent.join("\n"), stored, log, state, boot])
      for (const secret of secrets) expect(text).not.toContain(secret);
    expect(site.browser.errors).toEqual([]);
    console.log(
      `upstream portal flow: ${((Date.now() - started) / 1000).toFixed(1)} s in all; Verified ${(toVerified / 1000).toFixed(1)} s after the Verify step opened (${marks.join(", ")})`,
    );
  });
});
