import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryFirmwareChoiceMemory } from "../../../src/core/firmware-sources";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { PortalSession, type PortChoice } from "../../../src/core/session/portal-session";
import type { FirmwareSourceInput } from "../../../src/core/session/session-types";
import { VirtualBoard } from "../../../src/virtual-board";
import { json, startFixtureServer, type FixtureServer } from "../firmware-sources/fixture-server";
import { githubRelease, mergedS3Image, rateLimitedAnswer } from "../firmware-sources/github-fixtures";
import { demoParts } from "../../../scripts/lib/demo-firmware";

// Issue 12 in the session, with the real cores against the virtual board: the firmware sources in
// one list, the demo image kept to the virtual board (deliverable 2), and what is on the board
// picking the default (deliverable 5). Releases come from a 127.0.0.1 fixture in GitHub's shape.

const ROOT = resolve(import.meta.dirname, "../../..");
const ORIGIN = "http://portal.test/";
const DEMO = `${ORIGIN}firmware/demo/manifest.json`;
const REPO = "jetpax/pyDirect";
const stableImage = mergedS3Image("1.26.1");
const betaImage = mergedS3Image("1.27.0-preview");

let api: FixtureServer;
let mirror: FixtureServer;

/** public/ as if served from ORIGIN; everything else (the 127.0.0.1 fixtures) over the network. */
const portalFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.origin !== new URL(ORIGIN).origin) return fetch(input, init);
  try {
    // The demo manifest as generated: it carries "virtual_board_only": true.
    const body = new Uint8Array(await readFile(join(ROOT, "public", decodeURIComponent(url.pathname))));
    return new Response(body, { status: 200, headers: { "content-length": String(body.length) } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}) as typeof fetch;

function sources(): FirmwareSourceInput[] {
  return [
    { label: "pyDirect demo firmware (virtual board only)", manifestUrl: DEMO, virtualBoardOnly: true },
    { kind: "portal-releases", label: "This portal's releases", indexUrl: `${ORIGIN}firmware/index.json` },
    {
      kind: "pydirect-releases",
      label: "pyDirect releases",
      repo: REPO,
      apiBase: api.origin,
      mirrorBase: `${mirror.origin}/firmware/`,
    },
    { kind: "local-files", label: "Files from this computer" },
    { kind: "typed-url", label: "A manifest URL" },
  ];
}

/** A board behind a USB-UART bridge: to the session a real port (it only knows the flag). */
function realPort(board: VirtualBoard): PortChoice {
  return { port: board.port, label: "Silicon Labs CP210x (10c4:ea60)", virtual: false };
}

beforeAll(async () => {
  api = await startFixtureServer();
  mirror = await startFixtureServer();
  api.route(
    `/repos/${REPO}/releases`,
    json([
      githubRelease(
        REPO,
        {
          tag: "pyDirect-v1.27.0-preview",
          prerelease: true,
          assets: [{ name: "pyDirect-ESP32_S3-merged.bin", data: betaImage }],
        },
        api.origin,
      ),
      githubRelease(
        REPO,
        {
          tag: "pyDirect-v1.26.1",
          assets: [
            { name: "pyDirect-ESP32_S3-merged.bin", data: stableImage },
            { name: "pyDirect-ESP32_P4-merged.bin", size: 2_600_000, digest: false },
          ],
        },
        api.origin,
      ),
    ]),
  );
  api.route("/repos/someone/limited/releases", rateLimitedAnswer(Math.floor(Date.now() / 1000) + 1800));
  const cors = { "access-control-allow-origin": "*", "content-type": "application/octet-stream" };
  mirror.route("/firmware/pyDirect-ESP32_S3-merged.bin", (req) => ({
    headers: cors,
    body: req.url?.includes("preview") ? betaImage : stableImage,
  }));
}, 120_000);

afterAll(async () => {
  // Unset when beforeAll failed before starting them.
  await (api as FixtureServer | undefined)?.close();
  await (mirror as FixtureServer | undefined)?.close();
});

describe("firmware sources in the session (issue 12)", () => {
  it("a real port: the demo is not listed, pyDirect's newest stable release for the board's product is the default, it flashes, and the choice is remembered", async () => {
    const memory = new MemoryFirmwareChoiceMemory();
    const session = new PortalSession({ jobs: createPortalJobs({ fetch: portalFetch }), sources: sources(), memory });
    // Before a port is picked the list has the demo (it may yet be the virtual board).
    expect(session.state.firmware.sources.map((s) => s.kind)).toContain("manifest-url");
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    expect(await session.connect(realPort(board))).toBe(true);
    const fw = session.state.firmware;
    // No index.json on this portal: its releases are not listed; the demo is not offered.
    expect(fw.sources.map((s) => s.id)).toEqual(["pydirect-releases", "local-files", "typed-url"]);
    expect(fw.selected).toBe("pydirect-releases");
    expect(fw.status).toBe("done");
    expect(fw.releases?.versions.map((v) => [v.version, v.channel])).toEqual([["1.26.1", "stable"]]);
    expect(fw.releases?.product).toBe("ESP32_S3");
    expect(fw.releases?.versions[0]?.products.map((p) => [p.product, p.fits])).toEqual([
      ["ESP32_S3", true],
      ["ESP32_P4", false],
    ]);
    expect(fw.result).toMatchObject({ version: "1.26.1", chipFamilies: ["ESP32-S3"], virtualBoardOnly: false });
    // A blank board: a new install, asking whether to erase (the release manifest says new_install_prompt_erase).
    expect(session.state.erase?.reason).toBe("new-install-ask");

    expect(await session.flash()).toBe(true);
    expect(board.flash.subarray(0, stableImage.length)).toEqual(stableImage);
    expect(mirror.requests.some((r) => r.path === "/firmware/pyDirect-ESP32_S3-merged.bin")).toBe(true);
    // A default the portal picked is not remembered; a choice the user makes is (below).
    expect(memory.load()).toBeNull();

    // Deliverable 5. The same version on the board: "already installed", straight on to provisioning.
    session.nextBoard();
    expect(await session.connect(realPort(board))).toBe(true);
    expect(session.state.connect.result?.firmware).toEqual({ name: "pyDirect", version: "1.26.1" });
    expect(session.state.erase).toMatchObject({ reason: "already-installed", erase: false });
    expect(session.state.step).toBe("provision");

    // A newer release (the beta channel) over an older pyDirect: an update that keeps settings.
    session.show("firmware");
    await session.setIncludeBeta(true);
    expect(session.state.firmware.releases?.versions.map((v) => v.version)).toEqual(["1.27.0-preview", "1.26.1"]);
    expect(await session.selectRelease("1.27.0-preview")).toBe(true);
    expect(session.state.firmware.result?.channel).toBe("beta");
    expect(session.state.erase).toMatchObject({ reason: "update-same-firmware", erase: false });
    expect(memory.load()).toEqual({
      sourceKind: "pydirect-release",
      sourceKey: "pydirect-releases",
      version: "1.27.0-preview",
    });
    // Remembered per browser: a new session starts from that source and version.
    const next = new PortalSession({ jobs: createPortalJobs({ fetch: portalFetch }), sources: sources(), memory });
    expect(next.state.firmware.selected).toBe("pydirect-releases");
    expect(await next.connect(realPort(board))).toBe(true);
    expect(next.state.firmware.releases?.version).toBe("1.27.0-preview");
    expect(next.state.firmware.includeBeta).toBe(true);
    // Hiding the beta channel while the beta is picked goes back to the newest stable.
    expect(await next.setIncludeBeta(false)).toBe(true);
    expect(next.state.firmware.releases?.version).toBe("1.26.1");
    expect(next.state.firmware.result?.version).toBe("1.26.1");
  }, 120_000);

  it("a remembered choice comes back in a new session, and a rate-limited API says when to try again", async () => {
    const memory = new MemoryFirmwareChoiceMemory();
    memory.save({ sourceKind: "manifest-url", sourceKey: `${ORIGIN}firmware/demo/manifest.json?typed`, version: null });
    const typed = new PortalSession({ jobs: createPortalJobs({ fetch: portalFetch }), sources: sources(), memory });
    expect(typed.state.firmware.selected).toBe("typed-url");
    expect(typed.state.firmware.sources.find((s) => s.kind === "typed-url")?.manifestUrl).toBe(
      `${ORIGIN}firmware/demo/manifest.json?typed`,
    );

    const limited = new PortalSession({
      jobs: createPortalJobs({ fetch: portalFetch }),
      sources: [
        {
          kind: "pydirect-releases",
          label: "pyDirect releases",
          repo: "someone/limited",
          apiBase: api.origin,
          mirrorBase: `${mirror.origin}/firmware/`,
        },
      ],
    });
    expect(await limited.connect(realPort(new VirtualBoard({ chip: "ESP32-S3" })))).toBe(true);
    expect(limited.state.firmware.error?.code).toBe("rate-limited");
    expect(limited.state.firmware.error?.message).toMatch(/UTC|minute/);
  }, 60_000);

  it("the demo stays on the virtual board: never offered for a real port, refused when forced, also by the jobs", async () => {
    const jobs = createPortalJobs({ fetch: portalFetch });
    const session = new PortalSession({ jobs, sources: sources() });
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    expect(await session.connect(realPort(board))).toBe(true);
    expect(session.state.firmware.sources.some((s) => s.manifestUrl === DEMO)).toBe(false);
    // Forced (a link, a typed URL): refused with a sentence naming what to choose instead.
    expect(await session.selectFirmware(DEMO)).toBe(false);
    const error = session.state.firmware.error!;
    expect(error.code).toBe("virtual-board-only");
    expect(error.message).toContain("real ESP32-S3");
    expect(error.message).toContain("a pyDirect release");
    expect(error.message).toContain("a firmware file from your computer");

    // The embed: its one manifest is the demo; nothing else to offer, so the sentence says so.
    const embed = new PortalSession({ jobs, sources: [{ label: "Firmware", manifestUrl: DEMO }] });
    expect(await embed.connect(realPort(board))).toBe(true);
    expect(embed.state.firmware.error?.code).toBe("virtual-board-only");
    expect(embed.state.firmware.error?.message).toMatch(/virtual board in the Connect step/);
    expect(await embed.flash()).toBe(false);

    // Even straight through the jobs, a real port never gets the demo; not a byte is written.
    const [demoOffer] = await jobs.loadFirmware(DEMO, AbortSignal.timeout(10_000));
    expect(demoOffer.virtualBoardOnly).toBe(true);
    const fresh = new VirtualBoard({ chip: "ESP32-S3" });
    const board0 = {
      chip: "ESP32-S3",
      description: "",
      mac: "",
      flashSize: 8 << 20,
      usbSerialJtag: false,
      firmware: null,
    };
    await expect(
      jobs.install(
        fresh.port,
        { offer: demoOffer, board: board0, erase: false, virtualPort: false, signal: AbortSignal.timeout(10_000) },
        () => undefined,
      ),
    ).rejects.toMatchObject({
      code: "virtual-board-only",
    });
    expect(fresh.flash.subarray(0, 0x20000).every((b) => b === 0xff)).toBe(true);

    // On the virtual board the demo is listed and is the default.
    const onVirtual = new PortalSession({ jobs, sources: sources() });
    expect(
      await onVirtual.connect({
        port: new VirtualBoard({ chip: "ESP32-S3" }).port,
        label: "Virtual ESP32-S3",
        virtual: true,
      }),
    ).toBe(true);
    expect(onVirtual.state.firmware.selected).toBe(DEMO);
    expect(onVirtual.state.firmware.result?.virtualBoardOnly).toBe(true);
    expect(await onVirtual.flash()).toBe(true);
  }, 120_000);

  it("local files: one merged .bin is recognised (chip, app, version, offset 0x0), offsets can be edited, it installs; nothing of it is remembered", async () => {
    const memory = new MemoryFirmwareChoiceMemory();
    const session = new PortalSession({ jobs: createPortalJobs({ fetch: portalFetch }), sources: sources(), memory });
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    expect(await session.connect(realPort(board))).toBe(true);
    const image = mergedS3Image("0.3.0");
    expect(await session.addLocalFiles([{ name: "my-build.bin", data: image }])).toBe(true);
    const local = session.state.firmware.local!;
    expect(session.state.firmware.selected).toBe("local-files");
    expect(local.analysis).toMatchObject({ shape: "merged", chipFamily: "ESP32-S3", appVersion: "0.3.0" });
    expect(local.offsets).toEqual({ "my-build.bin": 0 });
    expect(session.state.firmware.result?.origin).toEqual({ kind: "local-files", names: ["my-build.bin"] });

    // An offset that is not a number is refused with a sentence; the files stay.
    expect(await session.setLocalOffset("my-build.bin", Number.NaN)).toBe(false);
    expect(session.state.firmware.error?.action).toBe("fix-input");
    expect(session.state.firmware.local?.names).toEqual(["my-build.bin"]);
    expect(await session.setLocalOffset("my-build.bin", 0)).toBe(true);

    expect(await session.flash()).toBe(true);
    expect(board.flash.subarray(0, image.length)).toEqual(image);
    const remembered = JSON.stringify(memory.load());
    expect(remembered).toBe(JSON.stringify({ sourceKind: "local-files", sourceKey: "local-files", version: null }));
    expect(remembered).not.toContain("my-build");
  }, 120_000);

  it("local split .bin files: offsets proposed from what each file is; an edited offset still goes through every image check", async () => {
    const session = new PortalSession({ jobs: createPortalJobs({ fetch: portalFetch }), sources: sources() });
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    expect(await session.connect(realPort(board))).toBe(true);
    const files = demoParts("ESP32-S3").map((p) => ({ name: p.path.split("/").pop()!, data: p.data }));
    expect(await session.addLocalFiles(files)).toBe(true);
    const local = session.state.firmware.local!;
    expect(local.analysis.shape).toBe("split");
    expect(local.offsets).toEqual({ "bootloader.bin": 0x0, "partition-table.bin": 0x8000, "pydirect.bin": 0x10000 });
    // The app moved away from the partition the table gives it: the install refuses before writing.
    expect(await session.setLocalOffset("pydirect.bin", 0x20000)).toBe(true);
    expect(session.state.firmware.local?.offsets["pydirect.bin"]).toBe(0x20000);
    expect(await session.flash()).toBe(false);
    expect(session.state.flash.error?.code).toBe("wrong-offset");
    expect(session.state.flash.error?.message).toContain("0x20000");
    expect(board.flash.subarray(0, 0x30000).every((b) => b === 0xff)).toBe(true);
    // Put back, it installs.
    expect(await session.setLocalOffset("pydirect.bin", 0x10000)).toBe(true);
    expect(await session.flash()).toBe(true);
    expect(session.state.flash.parts.map((p) => p.status)).toEqual(["done", "done", "done"]);
  }, 120_000);

  it("a typed URL that answers with a web page is named as such, not as broken JSON", async () => {
    const session = new PortalSession({ jobs: createPortalJobs({ fetch: portalFetch }), sources: sources() });
    expect(await session.connect(realPort(new VirtualBoard({ chip: "ESP32-S3" })))).toBe(true);
    mirror.route("/app/", {
      headers: { "content-type": "text/html; charset=utf-8", "access-control-allow-origin": "*" },
      body: "<!doctype html><html><body>My app</body></html>",
    });
    expect(await session.enterManifestUrl(`${mirror.origin}/app/`)).toBe(false);
    expect(session.state.firmware.error?.code).toBe("html-not-manifest");
    expect(session.state.firmware.selected).toBe("typed-url");
    // Not an address at all: said so, nothing fetched.
    expect(await session.enterManifestUrl("firmware please")).toBe(false);
    expect(session.state.firmware.error?.message).toMatch(/not a web address/);
  }, 60_000);
});
