import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { screenshot, seriousAxeViolations, useBuiltSite } from "./harness";

// The production line on the portal page: four virtual boards (each its own simulated ESP32-S3
// with its MicroPython in its own worker) flashed, provisioned and verified at once, by keyboard.

const site = useBuiltSite();

function deepActiveId(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? el.id || el.tagName.toLowerCase() : "";
  });
}

async function tabTo(page: Page, id: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await deepActiveId(page)) === id) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`could not reach #${id} with Tab (focus is on ${await deepActiveId(page)})`);
}

interface LineSnapshot {
  running: boolean;
  boards: {
    id: string;
    step: string;
    chip: string | null;
    mac: string | null;
    error: { code: string; message: string } | null;
    result: { hostname: string | null; certFingerprint: string | null } | null;
  }[];
}

function lineState(page: Page): Promise<LineSnapshot> {
  return page.evaluate(() => {
    const portal = document.querySelector("pydirect-portal") as unknown as { line: { state: unknown } };
    return JSON.parse(JSON.stringify(portal.line.state)) as LineSnapshot;
  });
}

describe("production line grid", () => {
  it("runs four virtual boards at once by keyboard, announces each as it finishes, and lists every board", async () => {
    const { page } = site.browser;
    await page.goto(site.server.url);
    await page.locator("pydirect-connect-step h2").waitFor();
    // The line has its own tab and loads when first opened; focus stays on the tab (WAI-ARIA tabs).
    expect(await page.locator("pydirect-line-grid").count()).toBe(0);
    // Tabs are one stop in the tab order; the arrow keys move between them.
    await tabTo(page, "tab-install");
    await page.keyboard.press("ArrowRight");
    await page.locator("pydirect-line-grid h2").waitFor();
    expect(await page.locator("pydirect-portal #tab-line").getAttribute("aria-selected")).toBe("true");
    expect(await deepActiveId(page)).toBe("tab-line");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Count the line's events in the page, and each row's renders, to see the grid coalesce them.
    await page.evaluate(() => {
      const w = window as unknown as { lineEvents: number; frames: number };
      w.lineEvents = 0;
      w.frames = 0;
      const portal = document.querySelector("pydirect-portal") as unknown as {
        line: { subscribe(l: (e: { type: string }) => void): void };
      };
      portal.line.subscribe((e) => {
        if (e.type === "board-changed") w.lineEvents++;
      });
      const frame = () => {
        w.frames++;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });

    await tabTo(page, "line-virtual-count");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("4");
    await tabTo(page, "line-add-virtual");
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await lineState(page)).boards.length).toBe(4);
    await page.locator("pydirect-line-row").nth(3).waitFor();
    expect(await page.locator("pydirect-line-grid [role=table]").getAttribute("aria-labelledby")).toBe("line-heading");
    expect(await page.locator("pydirect-line-row[role=row]").count()).toBe(4);
    expect(await page.locator("pydirect-line-grid [role=columnheader]").count()).toBe(7);
    await screenshot(page, "line-01-four-boards");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Virtual boards join demo networks, shown as demo data beside the Wi-Fi settings.
    expect(await page.locator("pydirect-line-grid [data-field=demo-networks]").innerText()).toContain("Workshop");
    await tabTo(page, "line-ssid");
    await page.keyboard.type("Workshop");
    await tabTo(page, "line-password");
    await page.keyboard.type("solder-and-flux");
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await lineState(page)).running, { timeout: 10_000 }).toBe(true);
    // The settings lock while the line runs; focus moved from them to Stop.
    await expect.poll(() => deepActiveId(page)).toBe("line-run");
    expect(await page.locator("pydirect-line-grid #line-run").innerText()).toBe("Stop");
    // Mid-run: some board is writing.
    await page.waitForFunction(
      () => {
        const line = (
          document.querySelector("pydirect-portal") as unknown as {
            line: { state: { boards: { step: string; progress: number }[] } };
          }
        ).line;
        return line.state.boards.some((b) => b.step === "installing" && b.progress > 0.1);
      },
      undefined,
      { timeout: 120_000 },
    );
    await screenshot(page, "line-02-running");

    await page.waitForFunction(
      () => {
        const line = (
          document.querySelector("pydirect-portal") as unknown as {
            line: { running: boolean; state: { boards: { step: string }[] } };
          }
        ).line;
        return !line.running && line.state.boards.every((b) => ["done", "failed", "stopped"].includes(b.step));
      },
      undefined,
      { timeout: 170_000 },
    );
    const state = await lineState(page);
    // Stop became Start again, where focus still is.
    await expect.poll(() => page.locator("pydirect-line-grid #line-run").innerText()).toBe("Start");
    expect(await deepActiveId(page)).toBe("line-run");
    const explain = state.boards
      .map((b) => `${b.id} ${b.step} ${b.error?.code ?? ""} ${b.error?.message ?? ""}`)
      .join("\n");
    expect(
      state.boards.map((b) => b.step),
      explain,
    ).toEqual(["done", "done", "done", "done"]);
    expect(new Set(state.boards.map((b) => b.mac)).size).toBe(4);
    expect(new Set(state.boards.map((b) => b.result?.hostname)).size).toBe(4);
    expect(new Set(state.boards.map((b) => b.result?.certFingerprint)).size).toBe(4);
    await page.locator("pydirect-line-row[data-step=done]").nth(3).waitFor();
    for (const b of state.boards) {
      expect(await page.locator(`pydirect-line-row[data-board-id=${b.id}] [data-field=result]`).innerText()).toContain(
        b.result!.hostname!,
      );
      // Each row's WebREPL password is in view, not folded into a disclosure.
      const password = page.locator(`pydirect-line-row[data-board-id=${b.id}] [data-field=webrepl-password]`);
      expect(await password.isVisible()).toBe(true);
      expect(await password.innerText()).toMatch(/^[A-Za-z0-9]{9}$/);
    }

    // The live region read out each board and the end of the line, and no progress ticks.
    const announced = await page.locator("pydirect-line-grid #line-announcements").innerText();
    expect(announced).toMatch(/Line finished: 4 done, 0 failed/);
    const said = await page.locator("pydirect-line-grid #line-announcements p").allInnerTexts();
    expect(said.filter((t) => /^Board \d .* done: pyDirect-/.test(t)).length).toBeGreaterThanOrEqual(3);
    expect(said.some((t) => /%|progress/i.test(t))).toBe(false);

    // Rows re-render at most once a frame, and far less often than the line reports changes.
    const { events, frames, renders } = await page.evaluate(() => {
      const w = window as unknown as { lineEvents: number; frames: number };
      const grid = document.querySelector("pydirect-portal")!.shadowRoot!.querySelector("pydirect-line-grid")!;
      const rows = [...grid.shadowRoot!.querySelectorAll("pydirect-line-row")] as unknown as { renderCount: number }[];
      return { events: w.lineEvents, frames: w.frames, renders: rows.map((r) => r.renderCount) };
    });
    expect(events).toBeGreaterThan(100);
    const total = renders.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(events);
    for (const r of renders) expect(r).toBeLessThanOrEqual(frames + 5);

    // Every board is in the device list, as it finished.
    await page.waitForFunction(() => {
      const list = document.querySelector("pydirect-portal")?.shadowRoot?.querySelector("pydirect-device-list");
      return list?.shadowRoot?.querySelectorAll("tr[data-device]").length === 4;
    });
    await screenshot(page, "line-03-finished");
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(site.browser.errors).toEqual([]);
  });
});
