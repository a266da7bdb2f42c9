/**
 * An upstream-behaviour board (test/fixtures/upstream-device on the virtual board in Node: setup
 * mode shipped, ESP-IDF log lines, a webrtc stack that reports no candidates so the signaling
 * handler makes host candidates up, WBP on the channel) provisioned by the portal, then verified
 * from headless Chromium: the page's RTCPeerConnection must find the board by peer-reflexive
 * discovery without an end of gathering, and log in over WBP with the WebREPL password. The
 * password's element shows it once with a Copy button, and it is in no storage afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type ViteDevServer } from "vite";
import { provisionDevice, type ProvisionResult } from "../../src/core/provision";
import { createPinnedHttpsTransport } from "../../src/core/signaling/https-pinned-node";
import type { SignalingTransport } from "../../src/core/signaling/transport";
import type { VerifyReport } from "../../src/core/verify/report";
import { WORKSHOP, servingPort, upstreamBoard } from "../core/upstream/upstream-board";
import { devServerCacheDir, launchBrowser, ROOT, type LaunchedBrowser } from "./harness";

let vite: ViteDevServer;
let browser: LaunchedBrowser;
let base: string;
let started: Awaited<ReturnType<typeof upstreamBoard>>;
let result: ProvisionResult;
let transport: SignalingTransport;

beforeAll(async () => {
  vite = await createServer({
    configFile: false,
    root: ROOT,
    cacheDir: devServerCacheDir("upstream-verify"),
    logLevel: "error",
    server: { port: 0, host: "127.0.0.1", hmr: false },
    optimizeDeps: {
      include: ["@peculiar/x509", "reflect-metadata", "pako", "@noble/hashes/sha2.js", "@noble/curves/nist"],
      noDiscovery: true,
    },
  });
  await vite.listen();
  base = vite.resolvedUrls!.local[0]!;
  browser = await launchBrowser();
  await browser.context.route(`${base}upstream-blank.html`, (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><title>upstream</title>" }),
  );
  await browser.page.exposeFunction("__deviceRequest", (method: "GET" | "POST", path: string, body: unknown) =>
    transport.request(method, path, body),
  );
  await browser.page.goto(`${base}upstream-blank.html`);
  started = await upstreamBoard({ silentCandidates: true });
  result = await provisionDevice(started.board.port, { wifi: WORKSHOP, wifiTimeoutMs: 20_000 });
  transport = createPinnedHttpsTransport(`https://127.0.0.1:${await servingPort(started.https)}`, {
    fingerprint: result.certFingerprint,
  });
}, 120_000);

afterAll(async () => {
  started.board.unplug();
  await browser.close();
  await vite.close();
});

/** verifyOverHttps inside the page (source text: the test runner must not rewrite its imports). */
function verifyInPage(password: string): Promise<VerifyReport> {
  return browser.page.evaluate<VerifyReport>(
    `(async () => {
      const verify = await import("/src/core/verify/index.ts");
      const signaling = await import("/src/core/signaling/index.ts");
      const transport = { kind: "https", endpoint: "https://board", request: (m, p, b) => window.__deviceRequest(m, p, b) };
      const { report } = await verify.verifyOverHttps(transport, {
        backend: signaling.browserPeerBackend, certificatePem: ${JSON.stringify(result.certificatePem)},
        channelProtocol: "wbp", webreplPassword: ${JSON.stringify(password)}, readyTimeoutMs: 20000,
      });
      return report;
    })()`,
  );
}

describe("an upstream board verified from a real browser", () => {
  it("opens the channel without any end of gathering and logs in over WBP", async () => {
    const report = await verifyInPage(result.webreplPassword.reveal());
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.find((c) => c.step === "repl")?.detail).toMatch(/^REPL over WebRTC works/);
    expect(report.negotiation?.deviceCandidates.every((c) => c.includes(" typ host"))).toBe(true);
  });

  it("reports a wrong WebREPL password with its own code", async () => {
    const report = await verifyInPage("wrong-password");
    expect(report.passed).toBe(false);
    expect(report.checks.find((c) => !c.passed)).toMatchObject({ step: "repl", code: "wrong-password" });
  });

  it("shows the password once with a Copy button, and keeps it in no storage", async () => {
    const password = result.webreplPassword.reveal();
    const shown = await browser.page.evaluate(
      `(async () => {
        await import("/src/ui/pydirect-webrepl-password.ts");
        const el = document.createElement("pydirect-webrepl-password");
        el.password = { reveal: () => ${JSON.stringify(password)} };
        el.hostname = "pyDirect-5a3c01";
        document.body.append(el);
        await el.updateComplete;
        const root = el.shadowRoot;
        root.querySelector("#copy-webrepl").click();
        await new Promise((r) => setTimeout(r, 200));
        return { code: root.querySelector("[data-field=webrepl-password]").textContent, note: root.textContent };
      })()`,
    );
    expect(shown).toMatchObject({ code: password });
    expect((shown as { note: string }).note).toMatch(/Copied\.|copy by hand/);
    expect((shown as { note: string }).note).toMatch(/Shown once/);
    const stored = await browser.page.evaluate(async () => {
      const dbs = (await indexedDB.databases()).map((d) => d.name ?? "");
      const entries = (store: Storage) =>
        Object.entries(Object.fromEntries(Object.keys(store).map((k) => [k, store.getItem(k)])));
      return JSON.stringify({ local: entries(localStorage), session: entries(sessionStorage), dbs });
    });
    expect(stored).not.toContain(password);
  });
});
