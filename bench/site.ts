/**
 * Site figures: how much a page that embeds the install button downloads before the click, and
 * how much JS the portal page needs before it can render, each gzip-compressed, beside the same
 * figure for ESP Web Tools' published button.
 *
 *   site.embed_gzip_bytes            dist/embed/pydirect-install-button.js plus anything it imports statically
 *   site.ewt_embed_gzip_bytes        esp-web-tools 10.4.0 dist/web/install-button.js (npm pack; 1,279 documented)
 *   site.portal_initial_gzip_bytes   index.html's module script and its static imports
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const EWT_VERSION = "10.4.0";
/** anchors.md: install-button.js of esp-web-tools 10.4.0, 2,815 bytes, 1,279 gzip. */
const EWT_DOCUMENTED_GZIP = 1279;

const gzipBytes = (data: Uint8Array): number => gzipSync(data, { level: 9 }).length;

function build(): void {
  execFileSync("npx", ["tsx", "scripts/make-demo-firmware.ts"], { cwd: ROOT, stdio: "ignore" });
  execFileSync("npx", ["vite", "build", "--logLevel", "error"], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, NODE_ENV: "production" },
  });
}

/** A JS file and every module it imports statically (not the lazy `import()` ones), each once. */
export function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    // Static imports only: `import … from "./x.js"` and bare `import "./x.js"`; never `import("./x.js")`.
    for (const m of text.matchAll(
      /(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["'`](\.{1,2}\/[^"'`]+)["'`]/g,
    )) {
      visit(resolve(dirname(file), m[1]));
    }
  };
  visit(entry);
  return [...seen];
}

function portalInitialFiles(): string[] {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)].map((m) => join(DIST, m[1]));
  const preloads = [...html.matchAll(/<link[^>]+rel="(?:modulepreload|stylesheet)"[^>]+href="([^"]+)"/g)].map((m) =>
    join(DIST, m[1]),
  );
  return [...new Set([...scripts.flatMap(staticClosure), ...preloads])];
}

function ewtButtonGzip(): { bytes: number; measured: boolean } {
  const dir = join(tmpdir(), `pydirect-bench-esp-web-tools-${EWT_VERSION}`);
  const file = join(dir, "package/dist/web/install-button.js");
  try {
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      execFileSync("npm", ["pack", `esp-web-tools@${EWT_VERSION}`, "--silent"], {
        cwd: dir,
        stdio: "ignore",
        timeout: 120_000,
      });
      execFileSync("tar", ["xzf", `esp-web-tools-${EWT_VERSION}.tgz`], { cwd: dir, stdio: "ignore" });
    }
    return { bytes: gzipBytes(readFileSync(file)), measured: true };
  } catch {
    return { bytes: EWT_DOCUMENTED_GZIP, measured: false };
  }
}

export default {
  name: "site",
  goals: {
    // Issue 19: ESP Web Tools' install button as npm packs it today (1,254 B), and a first paint under 50 KB.
    "site.embed_gzip_bytes": { max: 1254 },
    "site.portal_initial_gzip_bytes": { max: 50_000 },
  },
  async run(): Promise<Record<string, number>> {
    build();
    const embed = staticClosure(join(DIST, "embed/pydirect-install-button.js"));
    const embedGzip = embed.reduce((n, f) => n + gzipBytes(readFileSync(f)), 0);
    const portal = portalInitialFiles();
    const portalGzip = portal.reduce((n, f) => n + gzipBytes(readFileSync(f)), 0);
    const ewt = ewtButtonGzip();
    console.log(
      `site: embed entry ${embedGzip} B gzip (${embed.length} file) vs esp-web-tools ${EWT_VERSION} install-button.js ${ewt.bytes} B gzip` +
        (ewt.measured ? " (measured from npm pack)" : " (documented figure: npm pack failed)") +
        `; portal initial JS ${portalGzip} B gzip in ${portal.length} files`,
    );
    return {
      "site.embed_gzip_bytes": embedGzip,
      "site.ewt_embed_gzip_bytes": ewt.bytes,
      "site.portal_initial_gzip_bytes": portalGzip,
    };
  },
};
