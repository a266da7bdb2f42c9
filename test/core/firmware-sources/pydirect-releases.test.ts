import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listPydirectReleases,
  pydirectProductFacts,
  pydirectReleaseFirmware,
  FirmwareSourceError,
  type PydirectRelease,
} from "../../../src/core/firmware-sources";
import { mirrorUrlFor } from "../../../src/core/firmware-sources/pydirect-releases";
import { MemoryPartCache } from "../../../src/core/download";
import { sha256Hex } from "../../../src/core/image";
import { json, startFixtureServer, type FixtureServer } from "./fixture-server";
import { githubRelease, mergedS3Image, rateLimitedAnswer } from "./github-fixtures";

const REPO = "jetpax/pyDirect";
const MB = 1048576;
const image = mergedS3Image("1.26.1");
const betaImage = mergedS3Image("1.27.0-preview");

let api: FixtureServer;
let mirror: FixtureServer;
let options: { apiBase: string; mirrorBase: string; repo: string };

beforeAll(async () => {
  api = await startFixtureServer();
  mirror = await startFixtureServer();
  options = { apiBase: api.origin, mirrorBase: `${mirror.origin}/firmware/`, repo: REPO };
  api.route(
    `/repos/${REPO}/releases`,
    json(
      [
        githubRelease(
          REPO,
          { tag: "pyDirect-v1.28.0", draft: true, assets: [{ name: "pyDirect-ESP32_S3-merged.bin", data: image }] },
          api.origin,
        ),
        githubRelease(
          REPO,
          {
            tag: "pyDirect-v1.27.0-preview",
            prerelease: true,
            body: "",
            assets: [{ name: "pyDirect-ESP32_S3-merged.bin", data: betaImage }],
          },
          api.origin,
        ),
        githubRelease(
          REPO,
          {
            tag: "pyDirect-v1.26.1",
            assets: [
              { name: "pyDirect-ESP32_S3-merged.bin", data: image },
              { name: "pyDirect-ESP32_S3_16MB-merged.bin", size: 2_400_000, digest: false },
              { name: "pyDirect-ESP32_P4-merged.bin", size: 2_600_000, digest: false },
              { name: "pyDirect-RetroVMS_Mini-merged.bin", size: 2_500_000, digest: false },
              { name: "pyDirect-ESP32_S3-v1.26.1.bin", size: 1_900_000 }, // the app alone: not offered
              { name: "pyDirect-ESP32_S3-build-info.txt", size: 700 },
            ],
          },
          api.origin,
        ),
        githubRelease(REPO, { tag: "v1.25.0", assets: [{ name: "pyDirect-ESP32_S3.tar.gz", size: 10 }] }, api.origin), // nothing installable
      ],
      { "x-ratelimit-limit": "60", "x-ratelimit-remaining": "57", "access-control-allow-origin": "*" },
    ),
  );
  mirror.route("/firmware/pyDirect-ESP32_S3-merged.bin", {
    headers: { "access-control-allow-origin": "*", "content-type": "application/octet-stream" },
    body: image,
  });
});

afterAll(async () => {
  await api.close();
  await mirror.close();
});

async function stable(): Promise<PydirectRelease> {
  return (await listPydirectReleases(options)).find((r) => r.channel === "stable")!;
}

describe("listPydirectReleases", () => {
  it("lists installable releases: prereleases as beta, drafts and asset-less releases left out", async () => {
    const releases = await listPydirectReleases(options);
    expect(releases.map((r) => [r.tag, r.version, r.channel])).toEqual([
      ["pyDirect-v1.27.0-preview", "1.27.0-preview", "beta"],
      ["pyDirect-v1.26.1", "1.26.1", "stable"],
    ]);
    expect(releases[0].notes).toBeNull();
    expect(releases[1].notes).toContain("pyDirect-v1.26.1");
    expect(releases[1].pageUrl).toBe(`https://github.com/${REPO}/releases/tag/pyDirect-v1.26.1`);
    expect(api.requests.at(-1)!.path).toBe(`/repos/${REPO}/releases?per_page=100`);
  });

  it("maps products to chip and flash size, with the SHA-256 only where GitHub gives a digest", async () => {
    const release = await stable();
    expect(
      release.products.map((p) => [p.product, p.chipFamily, p.flashSize && p.flashSize / MB, p.sha256 !== null]),
    ).toEqual([
      ["ESP32_S3", "ESP32-S3", 8, true],
      ["ESP32_S3_16MB", "ESP32-S3", 16, false],
      ["ESP32_P4", "ESP32-P4", 16, false],
      ["RetroVMS_Mini", "ESP32-S3", 16, false],
    ]);
    const s3 = release.products[0];
    expect(s3.sha256).toBe(sha256Hex(image));
    expect(s3.size).toBe(image.length);
    expect(s3.mirrorUrl).toBe(`${mirror.origin}/firmware/pyDirect-ESP32_S3-merged.bin`);
    expect(s3.releaseDownloadUrl).toBe(
      `https://github.com/${REPO}/releases/download/pyDirect-v1.26.1/pyDirect-ESP32_S3-merged.bin`,
    );
  });

  it("says when GitHub's rate limit resets (403 with the rate-limit headers)", async () => {
    const limited = await startFixtureServer();
    const reset = Math.floor(Date.now() / 1000) + 25 * 60;
    limited.route(`/repos/${REPO}/releases`, rateLimitedAnswer(reset));
    const err = await listPydirectReleases({ ...options, apiBase: limited.origin }).catch((e: unknown) => e);
    await limited.close();
    expect(err).toBeInstanceOf(FirmwareSourceError);
    expect(err).toMatchObject({ code: "rate-limited", resetAt: reset * 1000 });
    expect((err as Error).message).toContain(new Date(reset * 1000).toISOString().slice(11, 16) + " UTC");
    expect((err as Error).message).toMatch(/in 2[45] min/);
  });

  it("reads retry-after on a 429 (GitHub's secondary limit)", async () => {
    const limited = await startFixtureServer({
      [`/repos/${REPO}/releases`]: { status: 429, headers: { "retry-after": "120" }, body: "{}" },
    });
    const before = Date.now();
    const err = (await listPydirectReleases({ ...options, apiBase: limited.origin }).catch(
      (e: unknown) => e,
    )) as FirmwareSourceError;
    await limited.close();
    expect(err.code).toBe("rate-limited");
    expect(err.resetAt! - before).toBeGreaterThanOrEqual(119_000);
    expect(err.message).toContain("in 2 min");
  });

  it("tells a plain 403 (not the rate limit) apart, and names a missing repository", async () => {
    const other = await startFixtureServer({
      [`/repos/${REPO}/releases`]: { status: 403, headers: { "x-ratelimit-remaining": "40" }, body: "{}" },
    });
    await expect(listPydirectReleases({ ...options, apiBase: other.origin })).rejects.toMatchObject({
      code: "source-failed",
    });
    await expect(
      listPydirectReleases({ ...options, apiBase: other.origin, repo: "someone/nothing" }),
    ).rejects.toMatchObject({ code: "not-found", message: expect.stringContaining("someone/nothing") });
    await other.close();
    await expect(listPydirectReleases({ ...options, repo: "not a repo" })).rejects.toMatchObject({ code: "not-found" });
  });

  it("reports offline when the network cannot be reached", async () => {
    const gone = await startFixtureServer();
    const origin = gone.origin;
    await gone.close();
    const err = (await listPydirectReleases({ ...options, apiBase: origin }).catch(
      (e: unknown) => e,
    )) as FirmwareSourceError;
    expect(err.code).toBe("offline");
    expect(err.message).toContain("offline");
  });
});

describe("pydirectReleaseFirmware", () => {
  it("synthesizes a manifest: one build, one merged part at 0x0 from the mirror with SHA-256 and size", async () => {
    const release = await stable();
    const loaded = await pydirectReleaseFirmware(release, release.products[0], options);
    expect(loaded.origin).toEqual({
      kind: "pydirect-release",
      repo: REPO,
      tag: "pyDirect-v1.26.1",
      product: "ESP32_S3",
    });
    expect(loaded.manifest.version).toBe("1.26.1");
    expect(loaded.manifest.new_install_prompt_erase).toBe(true);
    expect(loaded.manifest.builds).toEqual([
      expect.objectContaining({
        chipFamily: "ESP32-S3",
        flashSize: 8 * MB,
        parts: [
          expect.objectContaining({
            path: release.products[0].mirrorUrl,
            offset: 0,
            sha256: sha256Hex(image),
            size: image.length,
          }),
        ],
      }),
    ]);
    expect(mirror.requests.at(-1)).toEqual({ method: "HEAD", path: "/firmware/pyDirect-ESP32_S3-merged.bin" });
  });

  it("refuses a mirror that sends no CORS header, offering the release page (checked by hand in Node)", async () => {
    const noCors = await startFixtureServer({
      "/firmware/pyDirect-ESP32_S3-merged.bin": {
        headers: { "content-type": "application/octet-stream" },
        body: image,
      },
    });
    const release = (await listPydirectReleases({ ...options, mirrorBase: `${noCors.origin}/firmware/` })).find(
      (r) => r.channel === "stable",
    )!;
    const err = (await pydirectReleaseFirmware(release, release.products[0], options).catch(
      (e: unknown) => e,
    )) as FirmwareSourceError;
    await noCors.close();
    expect(err).toBeInstanceOf(FirmwareSourceError);
    expect(err.code).toBe("no-cors-mirror");
    expect(err.releasePageUrl).toBe(release.pageUrl);
    expect(err.message).toContain("Access-Control-Allow-Origin");
    expect(err.message).toContain(`Download the .bin from the release page (${release.pageUrl}) and drop it here.`);
  });

  it("refuses a product the mirror does not have, and a mirror copy of another build", async () => {
    const release = await stable();
    const p4 = release.products.find((p) => p.product === "ESP32_P4")!;
    await expect(pydirectReleaseFirmware(release, p4, options)).rejects.toMatchObject({
      code: "no-cors-mirror",
      message: expect.stringContaining("does not have it"),
    });
    const beta = (await listPydirectReleases(options)).find((r) => r.channel === "beta")!;
    // The default mirror keeps only the latest files: the beta's image differs in size from what is there.
    const other = { ...beta.products[0], mirrorUrl: release.products[0].mirrorUrl, size: image.length + 4096 };
    await expect(pydirectReleaseFirmware(beta, other, options)).rejects.toMatchObject({
      code: "no-cors-mirror",
      message: expect.stringContaining("another build"),
    });
  });

  it("needs no mirror check when the image is already cached by its SHA-256 (offline installs)", async () => {
    const release = await stable();
    const cache = new MemoryPartCache();
    await cache.put(sha256Hex(image), image);
    const before = mirror.requests.length;
    const loaded = await pydirectReleaseFirmware(release, release.products[0], {
      ...options,
      cache,
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    expect(mirror.requests.length).toBe(before);
    expect(loaded.manifest.builds[0].parts[0].sha256).toBe(sha256Hex(image));
    expect(loaded.manifest.builds[0].console).toEqual(["uart"]);
  });
});

describe("offline, with an image kept from an earlier install", () => {
  it("is offered from the cache when the release gives no digest (kept by the URL it came from)", async () => {
    const release = await stable();
    const s3 = { ...release.products[0], sha256: null };
    const cache = new MemoryPartCache();
    const offline = (() => Promise.reject(new TypeError("fetch failed"))) as typeof fetch;
    await expect(pydirectReleaseFirmware(release, s3, { ...options, cache, fetch: offline })).rejects.toMatchObject({
      code: "offline",
    });
    await cache.put(sha256Hex(image), image);
    await cache.rememberUrl(s3.mirrorUrl, sha256Hex(image));
    const loaded = await pydirectReleaseFirmware(release, s3, { ...options, cache, fetch: offline });
    expect(loaded.manifest.builds[0].parts[0]).toMatchObject({ path: s3.mirrorUrl, size: image.length });
    expect(loaded.manifest.builds[0].parts[0].sha256).toBeUndefined();
    // Another file under that URL (a different size than the release's) is not taken for it.
    const other = { ...s3, size: image.length + 1 };
    await expect(pydirectReleaseFirmware(release, other, { ...options, cache, fetch: offline })).rejects.toMatchObject({
      code: "offline",
    });
  });
});

describe("product mapping", () => {
  it("knows upstream's products and reads chip and flash size from other names", () => {
    expect(pydirectProductFacts("ESP32_S3")).toEqual({
      chipFamily: "ESP32-S3",
      flashSize: 8 * MB,
      console: ["uart"],
      source: "table",
    });
    // Upstream's sdkconfig.board puts every product's REPL on UART0 and the native USB in host mode.
    expect(pydirectProductFacts("ESP32_P4").console).toEqual(["uart"]);
    expect(pydirectProductFacts("SCRIPTO_P4").console).toBeUndefined();
    expect(pydirectProductFacts("ESP32_P4")).toMatchObject({ chipFamily: "ESP32-P4", source: "table" });
    expect(pydirectProductFacts("RetroVMS_Mini")).toMatchObject({ chipFamily: "ESP32-S3", source: "table" });
    expect(pydirectProductFacts("SCRIPTO_P4")).toEqual({
      chipFamily: "ESP32-P4",
      flashSize: null,
      source: "product-name",
    });
    expect(pydirectProductFacts("ESP32_GENERIC_C6")).toMatchObject({ chipFamily: "ESP32-C6", source: "product-name" });
    expect(pydirectProductFacts("ESP32_S3_N16R8")).toEqual({
      chipFamily: "ESP32-S3",
      flashSize: 16 * MB,
      source: "product-name",
    });
    expect(pydirectProductFacts("ESP8266_4MB")).toEqual({
      chipFamily: "ESP8266",
      flashSize: 4 * MB,
      source: "product-name",
    });
    expect(pydirectProductFacts("Gizmo")).toEqual({ chipFamily: "ESP32-S3", flashSize: null, source: "assumed" });
  });

  it("puts the tag in the mirror path only when the mirror base asks for it", () => {
    expect(mirrorUrlFor("pyDirect-ESP32_S3-merged.bin", "v1", "https://pydirect.com/firmware/")).toBe(
      "https://pydirect.com/firmware/pyDirect-ESP32_S3-merged.bin",
    );
    expect(mirrorUrlFor("pyDirect-ESP32_S3-merged.bin", "pyDirect-v1.2", "https://m.example/{tag}")).toBe(
      "https://m.example/pyDirect-v1.2/pyDirect-ESP32_S3-merged.bin",
    );
  });
});
