// End to end: a pyDirect release served by a local releases-API fixture and a CORS mirror →
// LoadedFirmware → planInstall → flashParts onto a virtual ESP32-S3, which boots it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPydirectReleases, pydirectReleaseFirmware } from "../../../src/core/firmware-sources";
import { flashParts, type FlashEvent } from "../../../src/core/flash";
import { prepareInstall, type InstallPrepEvent } from "../../../src/core/install";
import { MemoryPartCache } from "../../../src/core/download";
import { sha256Hex } from "../../../src/core/image";
import { VirtualBoard } from "../../../src/virtual-board";
import { json, startFixtureServer, type FixtureServer } from "./fixture-server";
import { githubRelease, mergedS3Image } from "./github-fixtures";
import { demoProductMerged, DEMO_PRODUCTS } from "../../../scripts/lib/demo-products";

const REPO = "jetpax/pyDirect";
const image = mergedS3Image("1.26.1");
let api: FixtureServer;
let mirror: FixtureServer;

beforeAll(async () => {
  api = await startFixtureServer();
  mirror = await startFixtureServer({
    "/firmware/pyDirect-ESP32_S3-merged.bin": { headers: { "access-control-allow-origin": "*" }, body: image },
  });
  api.route(
    `/repos/${REPO}/releases`,
    json([
      githubRelease(
        REPO,
        {
          tag: "pyDirect-v1.26.1",
          assets: [
            { name: "pyDirect-ESP32_S3-merged.bin", data: image },
            { name: "pyDirect-ESP32_P4-merged.bin", size: 2_000_000, digest: false },
          ],
        },
        api.origin,
      ),
    ]),
  );
});

afterAll(async () => {
  await api.close();
  await mirror.close();
});

describe("a pyDirect release installed on a virtual ESP32-S3", () => {
  it("is listed, checked, written at 0x0, boots, and is cached by SHA-256 for the next install", async () => {
    const options = { apiBase: api.origin, mirrorBase: `${mirror.origin}/firmware/` };
    const [release] = await listPydirectReleases(options);
    const product = release.products.find((p) => p.product === "ESP32_S3")!;
    const cache = new MemoryPartCache();
    const loaded = await pydirectReleaseFirmware(release, product, { ...options, cache });

    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const prep: InstallPrepEvent[] = [];
    const events: FlashEvent[] = [];
    const report = await flashParts(
      board.port,
      { parts: prepareInstall(loaded, { cache }, (e) => prep.push(e)), eraseAll: true },
      (e) => events.push(e),
    );
    expect(report.parts.map((p) => [p.name, p.offset])).toEqual([[product.mirrorUrl, 0]]);
    expect(sha256Hex(board.flash.subarray(0, image.length))).toBe(sha256Hex(image));
    expect(prep.find((e) => e.state === "checked")).toMatchObject({
      app: { projectName: "pyDirect", version: "1.26.1" },
    });
    expect(prep.map((e) => e.state)).toContain("downloaded");
    await board.waitForMode("app", 20_000);
    expect(board.consoleText).toContain("Project name:     pyDirect");
    board.unplug();

    // Next time: the image comes from the cache, even with the mirror gone.
    await mirror.close();
    const again = await pydirectReleaseFirmware(release, product, { ...options, cache });
    const second = new VirtualBoard({ chip: "ESP32-S3" });
    const prep2: InstallPrepEvent[] = [];
    await flashParts(second.port, { parts: prepareInstall(again, { cache }, (e) => prep2.push(e)) });
    expect(prep2.map((e) => e.state)).toContain("cached");
    expect(sha256Hex(second.flash.subarray(0, image.length))).toBe(sha256Hex(image));
    second.unplug();
  });

  it("refuses the P4 product on the S3 before anything is written", async () => {
    const p4Mirror = await startFixtureServer({
      "/firmware/pyDirect-ESP32_P4-merged.bin": {
        headers: { "access-control-allow-origin": "*" },
        body: new Uint8Array(2_000_000).fill(0xff),
      },
    });
    const options = { apiBase: api.origin, mirrorBase: `${p4Mirror.origin}/firmware/` };
    const [release] = await listPydirectReleases(options);
    const p4 = release.products.find((p) => p.product === "ESP32_P4")!;
    const loaded = await pydirectReleaseFirmware(release, p4, options);
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const before = sha256Hex(board.flash);
    const events: FlashEvent[] = [];
    await expect(
      flashParts(board.port, { parts: prepareInstall(loaded, {}) }, (e) => events.push(e)),
    ).rejects.toMatchObject({ code: "manifest-no-build" });
    expect(sha256Hex(board.flash)).toBe(before);
    expect(events.map((e) => e.state)).not.toContain("writing");
    expect(p4Mirror.requests.filter((r) => r.method === "GET")).toEqual([]);
    board.unplug();
    await p4Mirror.close();
  });
});

/**
 * Every pyDirect product as a release asset (the demo builds in pyDirect's shape, one merged image
 * at 0x0 each), installed from the fixture API and mirror on a virtual board of the product's chip
 * and flash size; the P4 over its USB-Serial-JTAG with its bootloader at 0x2000.
 */
describe("every pyDirect product on a virtual board of its chip", () => {
  const REPO2 = "pydirect/products";
  const images = new Map(DEMO_PRODUCTS.map((p) => [p.product, demoProductMerged(p).data]));
  let productsApi: FixtureServer;
  let productsMirror: FixtureServer;

  beforeAll(async () => {
    productsApi = await startFixtureServer();
    productsMirror = await startFixtureServer();
    for (const [product, data] of images)
      productsMirror.route(`/fw/pyDirect-${product}-merged.bin`, {
        headers: { "access-control-allow-origin": "*" },
        body: data,
      });
    productsApi.route(
      `/repos/${REPO2}/releases`,
      json([
        githubRelease(
          REPO2,
          {
            tag: "pyDirect-v0.1.0",
            assets: [...images].map(([product, data]) => ({ name: `pyDirect-${product}-merged.bin`, data })),
          },
          productsApi.origin,
        ),
      ]),
    );
  });
  afterAll(async () => {
    await productsApi.close();
    await productsMirror.close();
  });

  it.each(DEMO_PRODUCTS.map((p) => [p.product, p] as const))("%s", async (_name, demo) => {
    const options = { repo: REPO2, apiBase: productsApi.origin, mirrorBase: `${productsMirror.origin}/fw/` };
    const [release] = await listPydirectReleases(options);
    const product = release.products.find((p) => p.product === demo.product)!;
    expect(product.chipFamily).toBe(demo.chip);
    const loaded = await pydirectReleaseFirmware(release, product, options);
    // Our table knows the flash each product is built for; a board with at least that much takes it.
    const flashSize = Math.max(demo.flashSize, product.flashSize ?? 0);
    const board = new VirtualBoard({ chip: demo.chip, flashSize, usbSerialJtag: demo.chip === "ESP32-P4" });
    const prep: InstallPrepEvent[] = [];
    await flashParts(board.port, { parts: prepareInstall(loaded, {}, (e) => prep.push(e)), eraseAll: true });
    const image = images.get(demo.product)!;
    expect(sha256Hex(board.flash.subarray(0, image.length))).toBe(sha256Hex(image));
    const checked = prep.find((e) => e.state === "checked");
    expect(checked).toMatchObject({ parts: [{ kind: "bootloader", image: { chip: demo.chip } }] });
    await board.waitForMode("app", 20_000);
    expect(board.consoleText).toContain("Project name:     pyDirect");
    board.unplug();
  });
});
