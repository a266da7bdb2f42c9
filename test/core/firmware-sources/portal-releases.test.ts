// The portal's own releases: build-images.py --dry-run writes releases and index.json into a
// temporary site, a 127.0.0.1 server serves it, and the core lists and loads them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPortalReleaseIndex, portalReleaseFirmware } from "../../../src/core/firmware-sources";
import { planInstall } from "../../../src/core/install";
import { startFixtureServer, type FixtureServer } from "./fixture-server";

const root = resolve(__dirname, "../../..");
let work: string;
let server: FixtureServer;

function build(version: string, boards: string[] = []): void {
  const r = spawnSync(
    "python3",
    [
      join(root, "firmware/build/build-images.py"),
      "--dry-run",
      "--out",
      join(work, "firmware", version),
      "--version",
      version,
      "--demo-dir",
      join(work, "demo"),
      ...boards.flatMap((b) => ["--board", b]),
    ],
    { encoding: "utf8" },
  );
  expect(r.status, r.stderr).toBe(0);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "portal-releases-"));
  const gen = spawnSync(
    join(root, "node_modules/.bin/tsx"),
    [join(root, "scripts/make-demo-firmware.ts"), join(work, "demo")],
    { encoding: "utf8" },
  );
  expect(gen.status, gen.stderr).toBe(0);
  build("1.2.0");
  build("1.3.0-beta.1", ["PYDIRECT_ESP32S3"]);
  server = await startFixtureServer();
  // Serves the temporary site; anything else gets a single-page-app fallback or a 404.
  const serve = (req: { url?: string }) => {
    const path = normalize(decodeURIComponent((req.url ?? "/").split("?")[0])).replace(/^\/site\//, "");
    const full = join(work, path);
    if (!full.startsWith(work) || !existsSync(full)) return { status: 404, body: "Not Found" };
    return {
      headers: { "content-type": full.endsWith(".json") ? "application/json" : "application/octet-stream" },
      body: new Uint8Array(readFileSync(full)),
    };
  };
  for (const p of [
    "firmware/index.json",
    "firmware/1.2.0/manifest.json",
    "firmware/1.3.0-beta.1/manifest.json",
    "firmware/1.3.0-beta.1/esp32s3/bootloader.bin",
    "firmware/1.3.0-beta.1/esp32s3/partition-table.bin",
    "firmware/1.3.0-beta.1/esp32s3/pydirect.bin",
  ]) {
    server.route(`/site/${p}`, serve);
  }
  server.route("/bad/index.json", {
    headers: { "content-type": "application/json" },
    body: '{"versions": [{"manifest": "1.0.0/manifest.json"}]}',
  });
  server.route("/spa/firmware/index.json", {
    headers: { "content-type": "text/html" },
    body: "<!doctype html><title>app</title>",
  });
});

afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

describe("loadPortalReleaseIndex", () => {
  it("lists the versions build-images.py wrote, with manifests resolved against the index", async () => {
    const index = await loadPortalReleaseIndex(`${server.origin}/site/firmware/index.json`);
    expect(index!.versions).toEqual([
      {
        version: "1.3.0-beta.1",
        channel: "beta",
        manifest: "1.3.0-beta.1/manifest.json",
        chips: ["ESP32-S3"],
        manifestUrl: `${server.origin}/site/firmware/1.3.0-beta.1/manifest.json`,
      },
      {
        version: "1.2.0",
        channel: "stable",
        manifest: "1.2.0/manifest.json",
        chips: ["ESP32-S3", "ESP32", "ESP32-C3"],
        manifestUrl: `${server.origin}/site/firmware/1.2.0/manifest.json`,
      },
    ]);
  });

  it("is null where there is no index: a 404, or a site's fallback page", async () => {
    await expect(loadPortalReleaseIndex(`${server.origin}/nothing/index.json`)).resolves.toBeNull();
    await expect(loadPortalReleaseIndex(`${server.origin}/spa/firmware/index.json`)).resolves.toBeNull();
  });

  it("says an index is damaged rather than listing nonsense", async () => {
    await expect(loadPortalReleaseIndex(`${server.origin}/bad/index.json`)).rejects.toMatchObject({
      code: "source-failed",
      message: expect.stringContaining("versions[0] has no version"),
    });
  });

  it("loads a listed version as an install source that passes the install checks", async () => {
    const index = (await loadPortalReleaseIndex(`${server.origin}/site/firmware/index.json`))!;
    const beta = index.versions[0];
    const loaded = await portalReleaseFirmware(index, beta);
    expect(loaded.origin).toEqual({
      kind: "portal-release",
      indexUrl: `${server.origin}/site/firmware/index.json`,
      version: "1.3.0-beta.1",
    });
    const plan = await planInstall(
      loaded,
      { family: "ESP32-S3", revision: 2, flashSize: 8 * 1048576, usbSerialJtag: true },
      { choice: { channel: "beta" } },
    );
    expect(plan.choice.version).toBe("1.3.0-beta.1");
    expect(plan.parts.map((p) => p.offset)).toEqual([0x0, 0x8000, 0x10000]);
  });
});
