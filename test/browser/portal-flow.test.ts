import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { SessionState } from "../../src/core/session/session-types";
import { screenshot, seriousAxeViolations, useBuiltSite } from "./harness";

// The portal page on the virtual board, driven by keyboard alone.

const site = useBuiltSite();

/** The id of the focused element, looking through shadow roots. */
function deepActiveId(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? el.id || el.tagName.toLowerCase() : "";
  });
}

/** Press Tab until the element with this id has focus (keyboard users' path to it). */
async function tabTo(page: Page, id: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await deepActiveId(page)) === id) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`could not reach #${id} with Tab (focus is on ${await deepActiveId(page)})`);
}

function sessionState(page: Page): Promise<SessionState> {
  return page.evaluate(() => {
    const portal = document.querySelector("pydirect-portal") as unknown as { currentSession: { state: unknown } };
    return JSON.parse(JSON.stringify(portal.currentSession.state)) as SessionState;
  });
}

/** What the serial console's terminal shows (its scrollback too). */
function terminalText(page: Page): Promise<string> {
  return page.locator("pydirect-terminal").evaluate((el) => (el as unknown as { text: string }).text);
}

async function waitForStep(page: Page, step: string, timeout = 60_000): Promise<void> {
  try {
    await page.waitForFunction(
      (want) =>
        (document.querySelector("pydirect-portal") as unknown as { currentSession?: { state: { step: string } } })
          .currentSession?.state.step === want,
      step,
      { timeout },
    );
  } catch (err) {
    // Say where the flow stood, so a failure explains itself.
    const where = await page.evaluate(() => {
      const session = (
        document.querySelector("pydirect-portal") as unknown as {
          currentSession: { state: SessionState; log: { toText(): string } };
        }
      ).currentSession;
      const s = session.state;
      const current = s[s.step];
      return `step ${s.step} ${current.status} "${current.phase}" ${current.error ? `${current.error.code}: ${current.error.message}` : ""}\n${session.log.toText().slice(-1500)}`;
    });
    throw new Error(`waiting for step ${step}: ${where}`, { cause: err });
  }
}

describe("portal page", () => {
  it("connects the virtual board, shows its facts, and installs the demo firmware by keyboard alone", async () => {
    const { page } = site.browser;
    await page.goto(site.server.url);
    await page.locator("pydirect-connect-step h2").waitFor();
    // The terminal (xterm.js) is not part of the first paint: it loads when the console is shown.
    expect(
      await page.evaluate(() => performance.getEntriesByType("resource").filter((e) => /xterm/i.test(e.name)).length),
    ).toBe(0);
    await screenshot(page, "01-connect");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await tabTo(page, "virtual");
    await page.keyboard.press("Enter");
    await waitForStep(page, "firmware");
    await page.locator("pydirect-firmware-step [data-field=name]").waitFor();
    // Focus followed the flow to the new step's heading.
    expect(await deepActiveId(page)).toBe("h2");
    const facts = await page.locator("pydirect-board-summary dl").innerText();
    expect(facts).toContain("ESP32-S3");
    expect(facts).toMatch(/24:6f:28:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}/);
    expect(facts).toContain("8 MB");
    expect(facts).toContain("none found");
    expect(await page.locator("pydirect-firmware-step [data-field=name]").innerText()).toBe("pyDirect demo firmware");
    await screenshot(page, "02-firmware");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await tabTo(page, "continue");
    await page.keyboard.press("Enter");
    await waitForStep(page, "flash");
    await tabTo(page, "install");
    // A fast flash can be over between two polls of a locator, so the page itself watches every
    // frame for the progress bars.
    const sawProgress = page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const deepHasProgress = (root: Document | ShadowRoot): boolean =>
            root.querySelector("pydirect-flash-step")?.shadowRoot?.querySelector("progress") != null ||
            [...root.querySelectorAll("*")].some((el) => el.shadowRoot !== null && deepHasProgress(el.shadowRoot));
          const started = performance.now();
          const look = (): void => {
            if (deepHasProgress(document)) resolve(true);
            else if (performance.now() - started > 60_000) resolve(false);
            else requestAnimationFrame(look);
          };
          look();
        }),
    );
    await page.keyboard.press("Enter");
    expect(await sawProgress).toBe(true);
    await screenshot(page, "03-flashing");
    await waitForStep(page, "provision", 120_000);
    const state = await sessionState(page);
    expect(state.flash.status).toBe("done");
    expect(state.flash.parts.map((p) => p.status)).toEqual(["done", "done", "done"]);
    await screenshot(page, "04-provision");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The console (open by itself after the install) holds the whole story and can be downloaded.
    await page.locator("pydirect-terminal .xterm").waitFor();
    await expect
      .poll(() => terminalText(page), { timeout: 30_000 })
      .toContain("Installing pyDirect demo firmware 0.1.0");
    expect(await terminalText(page)).toContain("esp32s3/pydirect.bin: written");
    const download = page.waitForEvent("download");
    await page.locator("pydirect-terminal #download-log").click();
    const saved = await readFile(await (await download).path(), "utf8");
    expect((await download).suggestedFilename()).toMatch(/^pydirect-log-.*\.txt$/);
    expect(saved).toContain("Installing pyDirect demo firmware 0.1.0");
    expect(site.browser.errors).toEqual([]);
  });

  it("after the install the serial console (xterm) shows the board boot, resets it, and runs REPL lines, Ctrl-C and a pasted block", async () => {
    const { page } = site.browser;
    const terminal = page.locator("pydirect-terminal");
    await expect
      .poll(async () => (await sessionState(page)).terminal, { timeout: 30_000 })
      .toMatchObject({ status: "open", repl: true });
    // As with a real board, the ROM's boot lines went by while the flash job still held the port;
    // the EN reset shows the whole boot: ROM, bootloader, then MicroPython's banner and prompt.
    await terminal.locator("#terminal-reset:not([disabled])").click();
    await expect
      .poll(() => terminalText(page), { timeout: 60_000 })
      .toMatch(
        /Resetting the board \(EN\)[\s\S]*ESP-ROM:esp32s3[\s\S]*rst:0x1 \(POWERON\)[\s\S]*Project name: +pyDirect[\s\S]*MicroPython v[\s\S]*\n>>> $/,
      );
    // xterm's own stylesheet applies inside the element's shadow root (its input is hidden there).
    expect(
      await terminal
        .locator(".xterm-helper-textarea")
        .evaluate((el) => [getComputedStyle(el).position, getComputedStyle(el).opacity]),
    ).toEqual(["absolute", "0"]);

    // Typing goes to the board's REPL, which echoes and answers.
    await terminal.locator(".xterm").click();
    await page.keyboard.type("print(6*7)");
    await page.keyboard.press("Enter");
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/>>> print\(6\*7\)\n42\n>>> $/);
    // Ctrl+Space is the REPL's Tab completion (Tab itself moves focus, as everywhere on the page).
    // (The virtual board's REPL ignores Tab, so what is checked is the key the terminal sends.)
    await terminal.evaluate((el) => {
      const keys: string[] = [];
      (window as unknown as { terminalKeys: string[] }).terminalKeys = keys;
      el.addEventListener("pydirect-terminal-input", (e) =>
        keys.push((e as CustomEvent<{ data: string }>).detail.data),
      );
    });
    await page.keyboard.type("impo");
    await page.keyboard.press("Control+Space");
    expect(await page.evaluate(() => (window as unknown as { terminalKeys: string[] }).terminalKeys)).toEqual([
      "i",
      "m",
      "p",
      "o",
      "\t",
    ]);
    await page.keyboard.press("Control+c");
    await expect.poll(() => terminalText(page)).toMatch(/\n>>> $/);
    await page.keyboard.type("import time; time.sleep(60)");
    await page.keyboard.press("Enter");
    await expect.poll(() => terminalText(page)).toMatch(/time\.sleep\(60\)$/);
    await page.keyboard.press("Control+c");
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/KeyboardInterrupt[\s\S]*\n>>> $/);
    // Ctrl-D on an empty line: MicroPython's soft reset (the button sends the same key).
    await terminal.locator("#terminal-soft-reset").click();
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/MPY: soft reboot[\s\S]*\n>>> $/);
    await terminal.locator(".xterm").click();

    // A pasted block runs whole (MicroPython's paste mode), indentation intact.
    await terminal.locator(".xterm-helper-textarea").evaluate((textarea) => {
      const data = new DataTransfer();
      data.setData("text/plain", "total = 0\nfor i in range(5):\n    total += i\nprint('total', total)\n");
      textarea.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true, composed: true }),
      );
    });
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/paste mode[\s\S]*total 10\n>>> $/);
    expect(await terminalText(page)).not.toContain("IndentationError");
    await screenshot(page, "04b-serial-console");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Esc jumps to the console's buttons; Tab moves on from the terminal as from anything else.
    await page.keyboard.press("Escape");
    expect(await deepActiveId(page)).toBe("terminal-close");
    await terminal.locator(".xterm").click();
    await page.keyboard.press("Tab");
    expect(await deepActiveId(page)).not.toBe("textarea");
    expect(await terminalText(page)).not.toMatch(/\t/);
    await terminal.locator("#terminal-clear").click();
    await expect.poll(() => terminalText(page)).toBe(">>> ");
    await page.locator("pydirect-provision-step h2").focus();
    expect(site.browser.errors).toEqual([]);
  });

  it("provisions (demo Wi-Fi) and verifies over WebRTC by keyboard, then a second board on the production line", async () => {
    const { page } = site.browser;
    await page.locator("pydirect-provision-step table").waitFor();
    expect(await page.locator("pydirect-provision-step [aria-label='Demo data']").innerText()).toContain("Workshop");
    await tabTo(page, "ssid");
    await page.keyboard.type("Workshop");
    await tabTo(page, "password");
    await page.keyboard.type("solder-and-flux");
    await page.keyboard.press("Enter");
    await waitForStep(page, "verify", 120_000);
    const hostname = await page.evaluate(
      () =>
        (document.querySelector("pydirect-portal") as unknown as { currentSession: { state: SessionState } })
          .currentSession.state.provision.result?.hostname,
    );
    expect(hostname).toMatch(/^pyDirect-/);
    await screenshot(page, "05-verify");
    // Shown at once (no disclosure to open), with a Copy button.
    await page.locator("pydirect-verify-step #copy-webrepl").waitFor();
    const webrepl = await page.locator("pydirect-verify-step [data-field=webrepl-password]").innerText();
    expect(webrepl).toMatch(/^[A-Za-z0-9]{9}$/);
    // Verify starts by itself after Provision.
    await page.locator("pydirect-verify-step #verified").waitFor({ timeout: 120_000 });
    expect(await page.locator("pydirect-verify-step #verified").innerText()).toMatch(
      /Board verified — verified over WebRTC/,
    );
    await screenshot(page, "06-verified");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator("pydirect-device-list tr[data-device]").first().waitFor();
    expect(await page.locator("pydirect-device-list tbody").innerText()).toContain(hostname!);

    // Hand-off: the board's URL, and a live console on the open DataChannel, by keyboard.
    const deviceUrl = await page.locator("pydirect-device-handoff #device-url").innerText();
    expect(deviceUrl).toMatch(/^https:\/\/\d+\.\d+\.\d+\.\d+$/);
    expect(await page.locator("pydirect-device-handoff #serial-reason").innerText()).toMatch(/no network address/);
    await tabTo(page, "line");
    await page.keyboard.type("print(6*7)");
    await page.keyboard.press("Enter");
    const output = page.locator("pydirect-device-console #console-output");
    await expect.poll(() => output.innerText(), { timeout: 30_000 }).toMatch(/>>> print\(6\*7\)\s+42/);
    // Focus returns to the line for the next one.
    await expect.poll(() => deepActiveId(page), { timeout: 10_000 }).toBe("line");
    await page.keyboard.type("1/0");
    await page.keyboard.press("Enter");
    await expect.poll(() => output.innerText(), { timeout: 30_000 }).toContain("ZeroDivisionError");
    await screenshot(page, "06b-live-console");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Connect again: the in-page board has no network, so it goes over serial and the console reopens.
    await tabTo(page, "connect-again");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () =>
        (
          document.querySelector("pydirect-portal") as unknown as { currentSession: { log: { toText(): string } } }
        ).currentSession.log
          .toText()
          .includes("Re-verifying"),
      undefined,
      { timeout: 60_000 },
    );
    await expect.poll(async () => (await sessionState(page)).verify.status, { timeout: 120_000 }).toBe("done");
    await expect.poll(async () => (await sessionState(page)).handoff?.console, { timeout: 30_000 }).toBe("open");
    // Focus went to the console's line, not back to the top of the page.
    await expect.poll(() => deepActiveId(page), { timeout: 30_000 }).toBe("line");
    await page.keyboard.type("print(6*7)");
    await page.keyboard.press("Enter");
    // A new channel starts a new transcript: only this line and its answer.
    await expect.poll(() => output.innerText(), { timeout: 30_000 }).toMatch(/^>>> print\(6\*7\)\s+42\s*$/);
    expect(await page.locator("pydirect-device-list button[data-action=connect-again]").count()).toBe(1);

    // Production line: same firmware and Wi-Fi, a new board, a new identity.
    await tabTo(page, "next-board");
    await page.keyboard.press("Enter");
    await waitForStep(page, "connect");
    await tabTo(page, "virtual");
    await page.keyboard.press("Enter");
    await waitForStep(page, "flash");
    await tabTo(page, "install");
    await page.keyboard.press("Enter");
    await waitForStep(page, "provision", 120_000);
    expect(await page.locator("pydirect-provision-step #ssid").inputValue()).toBe("Workshop");
    // The Provision button appears once the portal has looked at what the board runs (a user waits too).
    await page.locator("pydirect-provision-step #provision").waitFor({ timeout: 60_000 });
    await tabTo(page, "provision");
    await page.keyboard.press("Enter");
    await waitForStep(page, "verify", 120_000);
    await page.locator("pydirect-verify-step #verified").waitFor({ timeout: 120_000 });
    expect(await page.locator("pydirect-verify-step #boards-done").innerText()).toBe("2");
    await page.waitForFunction(() => {
      const list = document.querySelector("pydirect-portal")?.shadowRoot?.querySelector("pydirect-device-list");
      return list?.shadowRoot?.querySelectorAll("tr[data-device]").length === 2;
    });
    await screenshot(page, "07-two-boards");

    // Exports hold the boards and never a secret.
    const csvDownload = page.waitForEvent("download");
    await page.locator("pydirect-device-list #export-csv").click();
    const csv = await readFile(await (await csvDownload).path(), "utf8");
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(3);
    expect(csv).toContain(hostname!);
    const jsonDownload = page.waitForEvent("download");
    await page.locator("pydirect-device-list #export-json").click();
    const json = await readFile(await (await jsonDownload).path(), "utf8");
    expect((JSON.parse(json) as { devices: unknown[] }).devices).toHaveLength(2);
    const log = await page.evaluate(() =>
      (
        document.querySelector("pydirect-portal") as unknown as { currentSession: { log: { toText(): string } } }
      ).currentSession.log.toText(),
    );
    for (const text of [csv, json, log, await terminalText(page)]) {
      expect(text).not.toContain(webrepl);
      expect(text).not.toContain("solder-and-flux");
      expect(text).not.toContain("PRIVATE KEY");
    }
    const stored = await page.evaluate(async () => {
      const req = indexedDB.open("pydirect-devices");
      const db: IDBDatabase = await new Promise((ok, fail) => {
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error ?? new Error("indexedDB.open failed"));
      });
      const rows: unknown[] = await new Promise((ok) => {
        const r = db.transaction("devices").objectStore("devices").getAll();
        r.onsuccess = () => ok(r.result);
      });
      return JSON.stringify(rows);
    });
    expect(JSON.parse(stored)).toHaveLength(2);
    expect(stored).not.toContain("solder-and-flux");
    expect(stored).not.toContain(webrepl);
    expect(stored).not.toContain("PRIVATE KEY");
    const webStorage = await page.evaluate(() =>
      JSON.stringify([localStorage, sessionStorage].map((s) => Object.keys(s).map((k) => [k, s.getItem(k)]))),
    );
    expect(webStorage).not.toContain(webrepl);

    // Re-verify from the device list: the connected (second) board passes again.
    const second = await page.evaluate(
      () =>
        (document.querySelector("pydirect-portal") as unknown as { currentSession: { state: SessionState } })
          .currentSession.state.provision.result!.hostname,
    );
    const lastCheck = (host: string) =>
      page.evaluate(async (h) => {
        const portal = document.querySelector("pydirect-portal") as unknown as {
          registry: {
            findByHostname(h: string): Promise<{ lastVerification?: { at: string; passed: boolean } } | undefined>;
          };
        };
        return (await portal.registry.findByHostname(h))?.lastVerification ?? null;
      }, host);
    const before = await lastCheck(second);
    await page.locator(`pydirect-device-list button[aria-label="Re-verify ${second}"]`).click();
    await page.waitForFunction(
      async ([h, at]) => {
        const portal = document.querySelector("pydirect-portal") as unknown as {
          registry: { findByHostname(h: string): Promise<{ lastVerification?: { at: string } } | undefined> };
        };
        return (await portal.registry.findByHostname(h))?.lastVerification?.at !== at;
      },
      [second, before?.at] as const,
      { timeout: 60_000 },
    );
    expect((await lastCheck(second))?.passed).toBe(true);
    expect(await page.locator("pydirect-verify-step #verified").innerText()).toMatch(/Board verified/);

    // "Console" on the device list: the serial console of the board plugged in, caret in it.
    await page.locator(`pydirect-device-list button[aria-label="Serial console of ${second}"]`).click();
    await expect.poll(async () => (await sessionState(page)).terminal.status, { timeout: 30_000 }).toBe("open");
    await expect.poll(() => deepActiveId(page)).toBe("textarea");
    await page.keyboard.type("print('again')");
    await page.keyboard.press("Enter");
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/print\('again'\)\nagain\n>>> $/);
    expect(site.browser.errors).toEqual([]);
  });
});
