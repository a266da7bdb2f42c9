import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  loadManifestUrl,
  listPydirectReleases,
  pydirectReleaseFirmware,
  FirmwareSourceError,
} from "../../../src/core/firmware-sources";
import { resolvePartUrl } from "../../../src/core/manifest";
import { demoManifest } from "../../../scripts/lib/demo-firmware";
import { json, startFixtureServer, type FixtureServer } from "./fixture-server";
import { githubRelease, mergedS3Image } from "./github-fixtures";

let site: FixtureServer;
const manifest = demoManifest();

beforeAll(async () => {
  site = await startFixtureServer({
    "/fw/manifest.json": json(manifest, { "access-control-allow-origin": "*" }),
    "/old/manifest.json": { status: 301, headers: { location: "/fw/manifest.json" } },
    "/spa/manifest.json": {
      headers: { "content-type": "text/html; charset=utf-8" },
      body: "<!doctype html><html><body><div id=app></div></body></html>",
    },
    "/sniff/manifest.json": {
      headers: { "content-type": "application/octet-stream" },
      body: "\n  <!DOCTYPE html>\n<html lang=en><title>Page not found</title></html>",
    },
    "/broken/manifest.json": { headers: { "content-type": "application/json" }, body: '{"name": "x", "builds": [' },
    "/nocors/manifest.json": json(manifest),
    "/error/manifest.json": { status: 500, body: "oops" },
  });
});

afterAll(() => site.close());

describe("loadManifestUrl", () => {
  it("loads and parses a manifest; parts resolve against the URL it was finally served from", async () => {
    const loaded = await loadManifestUrl(`${site.origin}/old/manifest.json`);
    expect(loaded.origin).toEqual({ kind: "manifest-url", url: `${site.origin}/old/manifest.json` });
    expect(loaded.manifestUrl).toBe(`${site.origin}/fw/manifest.json`);
    expect(loaded.manifest.builds.map((b) => b.chipFamily)).toEqual(["ESP32", "ESP32-S3", "ESP32-C3", "ESP32-P4"]);
    expect(resolvePartUrl(loaded.manifest.builds[1].parts[0].path, loaded.manifestUrl)).toBe(
      `${site.origin}/fw/esp32s3/bootloader.bin`,
    );
  });

  it("names an HTML answer as a web page, by content type or by its first bytes, not as broken JSON", async () => {
    for (const path of ["/spa/manifest.json", "/sniff/manifest.json"]) {
      const err = (await loadManifestUrl(site.origin + path).catch((e: unknown) => e)) as FirmwareSourceError;
      expect(err).toBeInstanceOf(FirmwareSourceError);
      expect(err.code).toBe("html-not-manifest");
      expect(err.message).toContain(
        "returns a web page (perhaps a 404 page or a site's fallback page), not a manifest",
      );
    }
  });

  it("leaves broken JSON to the manifest parser, and says 404 and other statuses plainly", async () => {
    await expect(loadManifestUrl(`${site.origin}/broken/manifest.json`)).rejects.toMatchObject({
      code: "manifest-not-json",
    });
    await expect(loadManifestUrl(`${site.origin}/missing/manifest.json`)).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringContaining("404"),
    });
    await expect(loadManifestUrl(`${site.origin}/error/manifest.json`)).rejects.toMatchObject({
      code: "source-failed",
      message: expect.stringContaining("500"),
    });
    await expect(loadManifestUrl("not a url")).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringContaining("not a web address"),
    });
  });

  it("explains a cross-origin manifest without CORS headers (checked by hand in Node when the page origin is given)", async () => {
    const err = (await loadManifestUrl(`${site.origin}/nocors/manifest.json`, {
      pageOrigin: "https://portal.example",
    }).catch((e: unknown) => e)) as FirmwareSourceError;
    expect(err.code).toBe("manifest-cors");
    expect(err.message).toContain("CORS headers (Access-Control-Allow-Origin)");
    // Same origin, or with the header: fine.
    await expect(
      loadManifestUrl(`${site.origin}/nocors/manifest.json`, { pageOrigin: site.origin }),
    ).resolves.toBeTruthy();
    await expect(
      loadManifestUrl(`${site.origin}/fw/manifest.json`, { pageOrigin: "https://portal.example" }),
    ).resolves.toBeTruthy();
  });

  it("says the page allows https only for a plain http:// manifest on another site (the CSP's connect-src)", async () => {
    const err = (await loadManifestUrl(`${site.origin}/fw/manifest.json`, {
      pageOrigin: "https://portal.example",
      httpsOnly: true,
    }).catch((e: unknown) => e)) as FirmwareSourceError;
    expect(err.code).toBe("manifest-insecure");
    expect(err.message).toContain("This page allows https only");
    expect(err.message).not.toContain("CORS");
    // The page's own origin over http (a dev server) is still fine.
    await expect(
      loadManifestUrl(`${site.origin}/fw/manifest.json`, { pageOrigin: site.origin, httpsOnly: true }),
    ).resolves.toBeTruthy();
  });

  it("says offline when the server cannot be reached from Node", async () => {
    const gone = await startFixtureServer();
    const url = `${gone.origin}/manifest.json`;
    await gone.close();
    await expect(loadManifestUrl(url)).rejects.toMatchObject({ code: "offline" });
  });
});

describe("in a browser, where fetch throws a bare TypeError", () => {
  const typeError = (() => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch;

  it("maps it to a CORS explanation while online, and to offline when navigator says so", async () => {
    vi.stubGlobal("document", { baseURI: "https://portal.example/" });
    vi.stubGlobal("navigator", { onLine: true });
    try {
      await expect(
        loadManifestUrl("https://elsewhere.example/manifest.json", { fetch: typeError }),
      ).rejects.toMatchObject({ code: "manifest-cors" });
      // A relative address resolves against the page.
      const seen: string[] = [];
      const recording = ((input: RequestInfo | URL) => (
        seen.push(input instanceof Request ? input.url : String(input)),
        Promise.reject(new TypeError("Failed to fetch"))
      )) as typeof fetch;
      await loadManifestUrl("firmware/manifest.json", { fetch: recording }).catch(() => undefined);
      expect(seen).toEqual(["https://portal.example/firmware/manifest.json"]);
      vi.stubGlobal("navigator", { onLine: false });
      await expect(
        loadManifestUrl("https://elsewhere.example/manifest.json", { fetch: typeError }),
      ).rejects.toMatchObject({ code: "offline" });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("maps a mirror fetch failure to no-cors-mirror while online (the browser hides the missing header)", async () => {
    const api = await startFixtureServer();
    const image = mergedS3Image();
    api.route(
      "/repos/jetpax/pyDirect/releases",
      json([
        githubRelease(
          "jetpax/pyDirect",
          { tag: "v1.0.0", assets: [{ name: "pyDirect-ESP32_S3-merged.bin", data: image }] },
          api.origin,
        ),
      ]),
    );
    const [release] = await listPydirectReleases({ apiBase: api.origin, mirrorBase: "https://mirror.example/fw/" });
    await api.close();
    vi.stubGlobal("document", { baseURI: "https://portal.example/" });
    vi.stubGlobal("navigator", { onLine: true });
    try {
      await expect(pydirectReleaseFirmware(release, release.products[0], { fetch: typeError })).rejects.toMatchObject({
        code: "no-cors-mirror",
        releasePageUrl: release.pageUrl,
      });
      vi.stubGlobal("navigator", { onLine: false });
      await expect(pydirectReleaseFirmware(release, release.products[0], { fetch: typeError })).rejects.toMatchObject({
        code: "offline",
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("reading the page's policy for plain http", () => {
  it("finds the portal's connect-src https-only, and lets other policies (or none) through", async () => {
    const { policyAllowsPlainHttp } = await import("../../../src/core/firmware-sources/manifest-url");
    // index.html's policy: 'self' and https: only.
    expect(
      policyAllowsPlainHttp(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' https://api.github.com https:; img-src 'self'",
      ),
    ).toBe(false);
    // default-src applies when connect-src is absent.
    expect(policyAllowsPlainHttp("default-src 'self' https:")).toBe(false);
    expect(policyAllowsPlainHttp("connect-src 'self' http:")).toBe(true);
    expect(policyAllowsPlainHttp("connect-src *")).toBe(true);
    expect(policyAllowsPlainHttp("connect-src http://192.168.1.10:8080")).toBe(true);
    // A host page without a policy, or one that says nothing about connections.
    expect(policyAllowsPlainHttp("")).toBe(true);
    expect(policyAllowsPlainHttp("script-src 'self'")).toBe(true);
  });
});
