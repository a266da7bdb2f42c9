import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { ROOT, serveDir, useBuiltSite, type StaticServer } from "./harness";

// The portal's Content-Security-Policy (a meta tag in index.html): it is in the built page, it
// blocks what it should, and the harness sees each violation (so every other browser test, which
// fails on any violation, really would fail).

const site = useBuiltSite();

describe("content security policy", () => {
  it("the built page carries the policy, and the policy blocks eval, inline script, plugins and plain-http connections", async () => {
    const { page } = site.browser;
    let other: StaticServer | undefined;
    try {
      // A second origin over plain http: not 'self', and not https.
      other = await serveDir(join(ROOT, "test/fixtures"), { host: "localhost", cors: true });
      site.server.routes.push((req, res) => {
        if (!req.url?.startsWith("/csp-probe.js")) return false;
        res
          .writeHead(200, { "content-type": "text/javascript" })
          .end('try { eval("1 + 1"); window.__evalResult = "ran"; } catch (e) { window.__evalResult = e.name; }');
        return true;
      });
      await page.goto(site.server.url);
      await page.locator("pydirect-connect-step h2").waitFor();
      const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
      expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).toContain("base-uri 'none'");
      expect(site.browser.cspViolations).toEqual([]);

      const outcome = await page.evaluate(async (otherUrl) => {
        const results: Record<string, string> = {};
        // eval from the page's own script (DevTools' evaluate is exempt from the policy).
        const probe = document.createElement("script");
        probe.src = "./csp-probe.js";
        await new Promise((loaded) => {
          probe.onload = loaded;
          probe.onerror = loaded;
          document.body.append(probe);
        });
        results["eval"] = String((window as unknown as { __evalResult?: string }).__evalResult);
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true";
        document.body.append(script);
        results["inline"] = (window as unknown as { __inlineRan?: boolean }).__inlineRan ? "ran" : "blocked";
        try {
          await fetch(`${otherUrl}manifests/wled.json`);
          results["fetch"] = "ran";
        } catch (err) {
          results["fetch"] = (err as Error).name;
        }
        const embed = document.createElement("object");
        embed.data = `${location.origin}/icons/icon.svg`;
        document.body.append(embed);
        await new Promise((r) => setTimeout(r, 200));
        const base = document.createElement("base");
        base.href = otherUrl;
        document.head.append(base);
        results["base"] = document.baseURI.startsWith(otherUrl) ? "took effect" : "ignored";
        return results;
      }, other.url);
      expect(outcome).toEqual({ eval: "EvalError", inline: "blocked", fetch: "TypeError", base: "ignored" });
      await expect
        .poll(() => site.browser.cspViolations.map((v) => v.split(" blocked ")[0].split(": ").at(-1)).sort())
        .toEqual(["base-uri", "connect-src", "object-src", "script-src", "script-src-elem"].sort());
      expect(other.requests).toEqual([]);
    } finally {
      // Seen and checked: these were provoked on purpose.
      site.browser.cspViolations.length = 0;
      site.browser.errors.length = 0;
      await other?.close();
    }
  });
});
