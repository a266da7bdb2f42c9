import { describe, expect, it } from "vitest";
import type { HandoffState } from "../../src/core/session/session-types";
import { screenshot, seriousAxeViolations, useBuiltSite } from "./harness";

// The hand-off after an HTTPS "connect again", in the built page: the trust step, the locked
// console and its password field. (The serial path with a real board: portal-flow.test.ts.)

const site = useBuiltSite();

const FINGERPRINT = "89:CC:10:01:95:09:5E:BA:EE:00:1B:EC:A8:B1:2D:8D:99:D0:AC:93:00:0F:B3:7B:E1:ED:14:3E:08:C5:53:7C";
const locked: HandoffState = {
  deviceId: "246f285a3c01",
  hostname: "pyDirect-5a3c01",
  deviceUrl: "https://192.168.1.40",
  transport: "https",
  serialReason: null,
  trust: {
    url: "https://192.168.1.40/",
    fingerprint: FINGERPRINT,
    hostname: "pyDirect-5a3c01",
    explanation: "pyDirect-5a3c01 uses its own certificate, made by this portal when you provisioned it.",
  },
  console: "locked",
  busy: false,
  entries: [],
  error: null,
};

describe("device hand-off element", () => {
  it("explains the certificate trust step and unlocks the console with a password field that keeps nothing", async () => {
    const { page } = site.browser;
    await page.goto(site.server.url);
    await page.locator("pydirect-connect-step h2").waitFor();
    await page.evaluate((state) => {
      const el = document.createElement("pydirect-device-handoff") as HTMLElement & { handoff: unknown };
      el.handoff = state;
      el.id = "under-test";
      const seen: unknown[] = [];
      (window as unknown as { seen: unknown[] }).seen = seen;
      for (const type of ["pydirect-console-unlock", "pydirect-connect-again"])
        el.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent<unknown>).detail }));
      document.querySelector("pydirect-portal")!.replaceWith(el);
    }, locked);

    const handoff = page.locator("#under-test");
    const show = (patch: Partial<HandoffState>) =>
      page.evaluate(
        (state) => {
          (document.querySelector("#under-test") as HTMLElement & { handoff: unknown }).handoff = state;
        },
        { ...locked, ...patch },
      );

    // Before (or after a failed) HTTPS connect: the trust step is spelled out, open.
    await show({ console: "closed" });
    expect(await handoff.locator("#device-url").getAttribute("href")).toBe("https://192.168.1.40");
    expect(await handoff.locator("#trust-step").getAttribute("open")).not.toBeNull();
    expect(await handoff.locator("#trust-fingerprint").innerText()).toBe(FINGERPRINT);
    expect(await handoff.locator("#trust-url").getAttribute("href")).toBe("https://192.168.1.40/");
    expect(await handoff.locator("pydirect-device-console #console-closed").innerText()).toMatch(/Connect again/);
    await screenshot(page, "08-handoff-trust-step");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await show({});
    expect(await handoff.locator("#trust-step").getAttribute("open")).toBeNull();
    expect(await handoff.locator("pydirect-device-console #console-locked").innerText()).toMatch(
      /WebREPL password.*5 wrong tries/s,
    );
    expect(await handoff.locator("pydirect-device-console #line").count()).toBe(0);
    await screenshot(page, "09-handoff-locked");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await handoff.locator("pydirect-device-console #password").focus();
    await page.keyboard.type("TknWDyKhj");
    await page.keyboard.press("Enter");
    expect(await handoff.locator("pydirect-device-console #password").inputValue()).toBe("");
    await handoff.locator("#connect-again").click();
    expect(await page.evaluate(() => (window as unknown as { seen: unknown[] }).seen)).toEqual([
      { type: "pydirect-console-unlock", detail: { password: "TknWDyKhj" } },
      { type: "pydirect-connect-again", detail: { id: "246f285a3c01" } },
    ]);

    // Unlocked: the prompt replaces the password field.
    await show({ console: "open", entries: [{ input: "print(6*7)", output: "42\n", error: null }] });
    await handoff.locator("pydirect-device-console #line").waitFor();
    expect(await handoff.locator("pydirect-device-console #console-output").getAttribute("aria-live")).toBe("polite");
    expect(await handoff.locator("pydirect-device-console #console-output").innerText()).toMatch(
      />>> print\(6\*7\)\s+42/,
    );
    expect(site.browser.errors).toEqual([]);
  });
});
