/**
 * Shared harness for the browser suite: serve the built site (dist/, built once by
 * global-setup.ts) from a tiny static server on port 0, and drive the system Chromium through
 * playwright-core: one per test worker with a fresh profile, and a fresh context in it for each
 * file. Never downloads a browser.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { ISOLATION_HEADERS } from "../../vite.config";

export const ROOT = resolve(import.meta.dirname, "../..");
export const DIST = join(ROOT, "dist");
export const SCREENSHOTS = join(ROOT, "test-results", "screenshots");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".bin": "application/octet-stream",
  ".map": "application/json",
  ".py": "text/plain; charset=utf-8",
};

/**
 * A Vite dev server's own dependency cache for one test file. Vite pre-bundles dependencies into
 * its cacheDir and re-bundles them there when a server's dependency list differs; two files' dev
 * servers side by side on the shared node_modules/.vite overwrote each other's bundles mid-test
 * (seen: "Failed to fetch dynamically imported module" in upstream-verify while embed-dev started).
 */
export function devServerCacheDir(file: string): string {
  return join(ROOT, "node_modules", ".vite-test", file);
}

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface StaticServer {
  /** Base URL ending in "/", e.g. http://127.0.0.1:40123/ */
  url: string;
  /** Extra handlers tried before the files (serve a broken manifest, count requests). */
  routes: Route[];
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Send Access-Control-Allow-Origin: * (the firmware/embed server another site loads from). */
  cors?: boolean;
  /** "localhost" gives a second origin next to 127.0.0.1; a LAN address gives an insecure (http, non-local) origin. */
  host?: string;
  /** Send the cross-origin isolation headers the portal is deployed with (default true). */
  isolated?: boolean;
}

/** Serve `dir` on a free port. */
export async function serveDir(dir: string, options: ServeOptions = {}): Promise<StaticServer> {
  const routes: Route[] = [];
  const requests: string[] = [];
  const root = resolve(dir);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(path);
    if (options.isolated !== false)
      for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    if (options.cors) {
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.setHeader("Access-Control-Allow-Headers", "*");
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    for (const route of routes) if (await route(req, res)) return;
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": body.length,
        "cache-control": "no-cache",
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((ok) => server.listen(0, host === "localhost" ? "127.0.0.1" : host, ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    routes,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /**
   * The profile directory this browser's processes were started with, which browserCpuSeconds finds
   * them by: only for a Chromium of its own (ownProcess); null for a context in the worker's one.
   */
  profile: string | null;
  page: Page;
  /** Console errors and uncaught exceptions seen on any page. */
  errors: string[];
  /**
   * Content-Security-Policy violations reported on any page (the portal's meta policy, or a page's
   * own); every test fails on one (useBuiltSite checks after each test, close() at the end).
   */
  cspViolations: string[];
  close(): Promise<void>;
}

/**
 * Runs in every page before its own scripts: report each CSP violation to the test. The event is
 * composed and bubbles, so violations inside shadow roots reach the document too.
 */
const REPORT_CSP_VIOLATIONS = `document.addEventListener("securitypolicyviolation", (e) => {
  window.__pydirectCspViolation?.(\`\${e.effectiveDirective} blocked \${e.blockedURI || "inline"} at \${e.sourceFile || location.href}:\${e.lineNumber}\`);
}, true);`;

export interface LaunchOptions {
  /** Extra Chromium switches, added to the suite's own (e.g. --ip-address-space-overrides=); implies ownProcess. */
  args?: string[];
  /** Accept self-signed certificates (a board's own), through DevTools rather than a switch. */
  ignoreHTTPSErrors?: boolean;
  /**
   * A Chromium of its own with a persistent profile, instead of a new context in the worker's
   * shared one: for a test that measures the browser's processes (browserCpuSeconds).
   */
  ownProcess?: boolean;
}

/** The switches every Chromium of the suite starts with (the brief's list). */
function chromiumSwitches(extra: string[] = []): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    ...extra,
  ];
}

const EXECUTABLE = process.env.CHROME_PATH ?? "/usr/bin/chromium";
const VIEWPORT = { width: 1100, height: 900 };

/**
 * One Chromium per test worker, started on first use with a fresh temporary profile (Playwright
 * makes one for every launch) and left to Playwright to end when the worker exits. Each
 * launchBrowser() is a new context in it, with storage of its own (service workers, IndexedDB,
 * Cache Storage, cookies, permissions), so a file still starts from nothing. What it saves is a
 * browser start per file: measured here, about 1.9 CPU-seconds of Chromium's browser, GPU and
 * utility processes per start, in a browser suite that keeps both cores busy.
 */
let sharedChromium: Promise<Browser> | undefined;

function workerChromium(): Promise<Browser> {
  sharedChromium ??= chromium
    .launch({ executablePath: EXECUTABLE, headless: true, args: chromiumSwitches() })
    .then((browser) => {
      browser.on("disconnected", () => (sharedChromium = undefined));
      return browser;
    });
  return sharedChromium;
}

/**
 * A fresh browser context (service workers, IndexedDB, Cache Storage all empty) in the worker's
 * Chromium, or a Chromium of its own with a fresh temporary profile when the options ask for one.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const ignoreHTTPSErrors = options.ignoreHTTPSErrors ?? false;
  let context: BrowserContext;
  let profile: string | null = null;
  let release: () => Promise<void>;
  if (options.ownProcess || options.args?.length) {
    profile = await mkdtemp(join(tmpdir(), "pydirect-chromium-"));
    const own = profile;
    context = await chromium.launchPersistentContext(own, {
      executablePath: EXECUTABLE,
      headless: true,
      args: chromiumSwitches(options.args),
      ignoreHTTPSErrors,
      viewport: VIEWPORT,
    });
    release = async () => {
      await context.close().catch(() => undefined);
      await rm(own, { recursive: true, force: true }).catch(() => undefined);
    };
  } else {
    context = await (await workerChromium()).newContext({ ignoreHTTPSErrors, viewport: VIEWPORT });
    release = () => context.close().catch(() => undefined);
  }
  const errors: string[] = [];
  const cspViolations: string[] = [];
  await context.exposeBinding("__pydirectCspViolation", ({ page }, text: string) => {
    cspViolations.push(`${page.url()}: ${text}`);
    errors.push(`csp: ${text}`);
  });
  await context.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  const watch = (page: Page) => {
    page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
    });
  };
  // A persistent context opens with a page of its own; a new context's first page comes through "page".
  const existing = context.pages().at(0);
  if (existing) watch(existing);
  context.on("page", watch);
  const page = existing ?? (await context.newPage());
  return {
    context,
    profile,
    page,
    errors,
    cspViolations,
    close: async () => {
      await release();
      if (cspViolations.length) throw new Error(`Content-Security-Policy violations:\n${cspViolations.join("\n")}`);
    },
  };
}

/** Save a screenshot under test-results/screenshots/ (gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** Run axe-core (injected from node_modules) on the page; return serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
  // Evaluated through DevTools rather than added as an inline <script>: the portal's
  // Content-Security-Policy blocks inline scripts, and the test must not need a hole in it.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(source);
  const result = (await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  })) as AxeViolation[];
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** The built site on a static server and a fresh browser context, for the tests of one file; closed after them. */
export interface BuiltSite {
  readonly server: StaticServer;
  readonly browser: LaunchedBrowser;
}

export function useBuiltSite(options: LaunchOptions = {}): BuiltSite {
  let server: StaticServer | undefined;
  let browser: LaunchedBrowser | undefined;
  beforeAll(async () => {
    server = await serveDir(DIST);
    browser = await launchBrowser(options);
  });
  afterEach(() => {
    expect(browser?.cspViolations ?? []).toEqual([]);
  });
  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });
  return {
    get server() {
      if (!server) throw new Error("useBuiltSite: the server is only there inside the tests");
      return server;
    },
    get browser() {
      if (!browser) throw new Error("useBuiltSite: the browser is only there inside the tests");
      return browser;
    },
  };
}

/**
 * The embed as other sites use it: the built site as the portal (CORS, on 127.0.0.1) and again as
 * somebody else's page on a second origin (localhost, not cross-origin isolated), with a fresh
 * Chromium, for the tests of one file; closed after them.
 */
export interface EmbeddingSite {
  readonly portal: StaticServer;
  readonly site: StaticServer;
  readonly browser: LaunchedBrowser;
}

export function useEmbeddingSite(): EmbeddingSite {
  let portal: StaticServer | undefined;
  let site: StaticServer | undefined;
  let browser: LaunchedBrowser | undefined;
  beforeAll(async () => {
    portal = await serveDir(DIST, { cors: true, host: "127.0.0.1" });
    site = await serveDir(DIST, { host: "localhost", isolated: false });
    browser = await launchBrowser();
  });
  afterEach(() => {
    expect(browser?.cspViolations ?? []).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await portal?.close();
  });
  const there = <T>(name: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`useEmbeddingSite: the ${name} is only there inside the tests`);
    return value;
  };
  return {
    get portal() {
      return there("portal", portal);
    },
    get site() {
      return there("site", site);
    },
    get browser() {
      return there("browser", browser);
    },
  };
}

/**
 * CPU time (s) used so far by this browser's processes: the one started with its profile and all
 * their descendants (renderers, GPU, utilities). Linux /proc; clock ticks at 100 Hz.
 */
export async function browserCpuSeconds(profile: string): Promise<number> {
  const procs = new Map<number, { ppid: number; ticks: number; cmdline: string }>();
  for (const name of await readdir("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
      procs.set(pid, { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), cmdline });
    } catch {
      // The process ended while we looked.
    }
  }
  const ours = new Set([...procs].filter(([, p]) => p.cmdline.includes(profile)).map(([pid]) => pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!ours.has(pid) && ours.has(p.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of ours) ticks += procs.get(pid)!.ticks;
  return ticks / 100;
}
