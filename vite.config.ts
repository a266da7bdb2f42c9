import { resolve } from "node:path";
import { generateSW } from "workbox-build";
import { build, defineConfig, type Plugin } from "vite";

/**
 * The embed is built on its own, in library mode, after the portal: one small ES module
 * (dist/embed/pydirect-install-button.js) with no preload helper and no shared chunks, whose
 * dialog and cores sit in dist/embed/chunks/ and load on the first click.
 */
function embedBuild(): Plugin {
  let outDir = "dist";
  let root = ".";
  return {
    name: "pydirect-embed-build",
    apply: "build",
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await build({
        configFile: false,
        root,
        logLevel: "warn",
        publicDir: false,
        // Relative, so the board worker's URL resolves against the embed's own origin.
        base: "./",
        define: { "process.env.NODE_ENV": JSON.stringify("production") },
        worker: { format: "es" },
        build: {
          target: "es2022",
          outDir: resolve(outDir, "embed"),
          emptyOutDir: false,
          sourcemap: true,
          minify: true,
          lib: {
            entry: resolve(root, "src/embed/pydirect-install-button.ts"),
            formats: ["es"],
            fileName: () => "pydirect-install-button.js",
          },
          rolldownOptions: {
            output: { chunkFileNames: "chunks/[name]-[hash].js", assetFileNames: "chunks/[name]-[hash][extname]" },
          },
        },
      });
    },
  };
}

/** Where the built site serves the embed, and the source the dev server answers with instead. */
export const EMBED_PATH = "/embed/pydirect-install-button.js";
const EMBED_SOURCE = "/src/embed/pydirect-install-button.ts";

/**
 * Under `npm start` there is no dist/embed/: answer the embed's published URL with its source,
 * which Vite compiles on the fly (its lazy dialog and cores follow as /src/… modules). So
 * public/embed-demo.html, which loads the button from that URL as any other site would, works the
 * same under the dev server and in the built site.
 */
function embedFromSource(): Plugin {
  return {
    name: "pydirect-embed-from-source",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = new URL(req.url ?? "/", "http://dev.invalid");
        if (url.pathname.endsWith(EMBED_PATH)) req.url = EMBED_SOURCE + url.search;
        next();
      });
    },
  };
}

/**
 * After the bundle is written, generate the service worker that precaches the portal (and caches
 * firmware on first use), so the portal reloads and flashes with the network off.
 */
function serviceWorker(): Plugin {
  let outDir = "dist";
  return {
    name: "pydirect-service-worker",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const { count, size, warnings } = await generateSW({
        globDirectory: outDir,
        swDest: resolve(outDir, "sw.js"),
        globPatterns: ["index.html", "assets/**/*.{js,css,wasm,svg,png}", "icons/*", "manifest.webmanifest"],
        globIgnores: ["**/*.map"],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        // A new deployment waits until the user accepts the update prompt (workbox-window).
        skipWaiting: false,
        clientsClaim: false,
        cleanupOutdatedCaches: true,
        sourcemap: false,
        mode: "production",
        navigateFallback: "index.html",
        navigateFallbackAllowlist: [/\/(index\.html)?(\?.*)?$/],
        runtimeCaching: [
          {
            // Manifests and firmware parts: fresh when online, the last copy when offline.
            urlPattern: ({ url }) => url.pathname.includes("/firmware/"),
            handler: "NetworkFirst",
            options: {
              cacheName: "pydirect-firmware",
              networkTimeoutSeconds: 4,
              expiration: { maxEntries: 200 },
              cacheableResponse: { statuses: [0, 200] },
            },
          },
        ],
      });
      for (const w of warnings) this.warn(w);
      this.info(`service worker: ${count} files precached (${size} bytes)`);
    },
  };
}

/**
 * Cross-origin isolation: the virtual board's MicroPython worker shares memory with the page, so
 * Ctrl-C from the host can end a blocking sleep on the board. public/_headers sends the same for
 * static hosts that read it; README.md (Hosting) covers the rest.
 */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "credentialless",
};

export default defineConfig({
  // Relative base: the site works from any path, and the embed's lazy chunks resolve against
  // the embed module's own URL when another origin loads it.
  base: "./",
  server: { port: 5173, strictPort: false, headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // The board worker loads the wasm build lazily, which needs code splitting in the worker.
  worker: { format: "es" },
  build: {
    target: "es2022",
    sourcemap: true,
  },
  // The embed is built before the service worker is generated, so both see the final dist/.
  plugins: [embedFromSource(), embedBuild(), serviceWorker()],
});
