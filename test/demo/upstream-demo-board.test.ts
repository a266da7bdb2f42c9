/**
 * The demo's upstream pyDirect look-alike as the portal page meets it, minus the DOM: the picker's
 * "flashed with upstream pyDirect" model comes with the demo image from the site in its flash, the
 * board runs our upstream-shaped scripts with upstream's httpserver core (in this thread here; in a
 * worker in the browser), and the portal's jobs reach its HTTPS signaling over the page's simulated
 * LAN through their `httpsTransport` seam, with the board's certificate checked.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryDeviceRegistry } from "../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../src/core/session/default-jobs";
import { PortalSession } from "../../src/core/session/portal-session";
import { weriftPeerBackend } from "../../src/core/signaling/werift-peer-node";
import { preinstalledImage } from "../../src/demo/preinstalled-image";
import { httpsTransportVia, virtualLanFetch, virtualLanTransport } from "../../src/demo/virtual-lan";
import { createVirtualChoice, DEMO_UPSTREAM_PROJECT, type VirtualChoice } from "../../src/demo/virtual-port";
import { virtualBoardModel } from "../../src/virtual-board/board-models";

const ROOT = resolve(import.meta.dirname, "../..");
const ORIGIN = "http://portal.test/";

async function publicFetch(input: RequestInfo | URL): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  try {
    return new Response(new Uint8Array(await readFile(join(ROOT, "public", decodeURIComponent(url.pathname)))));
  } catch {
    return new Response("not found", { status: 404 });
  }
}

let choice: VirtualChoice | null = null;
let session: PortalSession | null = null;
afterEach(() => {
  session?.closeConsole();
  choice?.board.unplug();
  choice = session = null;
});

async function upstreamChoice(): Promise<VirtualChoice> {
  const model = virtualBoardModel("esp32s3-upstream")!;
  expect(model.label).toMatch(/upstream pyDirect/);
  const flash = await preinstalledImage(model, ORIGIN, publicFetch);
  expect(flash.map((p) => p.offset)).toEqual([0, 0x8000, 0x10000]);
  choice = createVirtualChoice({ model, flash });
  return choice;
}

describe("the demo's upstream pyDirect look-alike board", () => {
  it("connects already flashed, provisions out of setup mode, and verifies over its HTTPS signaling on the page's LAN", async () => {
    const c = await upstreamChoice();
    const registry = new MemoryDeviceRegistry();
    const urls: string[] = [];
    const jobs = createPortalJobs({
      fetch: publicFetch,
      registry,
      peerBackend: weriftPeerBackend,
      wifiTimeoutMs: 20_000,
      httpsTransport: (url, record) => {
        urls.push(url);
        return httpsTransportVia(url, record);
      },
    });
    const s = new PortalSession({ jobs, sources: [], registry });
    session = s;
    if (!(await s.connect(c))) throw s.state.connect.error ?? new Error("connect failed without an error");
    expect(s.state.connect.result?.firmware?.name).toBe(DEMO_UPSTREAM_PROJECT);
    s.skipFlash();
    s.setWifi({ ssid: "Workshop", password: "solder-and-flux" });
    if (!(await s.provision())) throw s.state.provision.error ?? new Error("provision failed without an error");
    const prov = s.state.provision.result!;
    expect(prov.deviceScripts).toEqual({ kind: "pydirect-upstream", serialSignaling: false });
    // The LAN transport checks the certificate itself: no trust step for a tab the board cannot have.
    expect(s.state.verify.trust).toBeNull();
    if (!(await s.verify())) throw s.state.verify.error ?? new Error("verify failed without an error");
    expect(urls).toEqual(["https://192.168.4.23"]);
    expect(s.state.verify.result?.detail).toMatch(/^REPL over WebRTC works/);
    expect(s.state.verify.result?.detail).toContain("https signaling");

    // Its mDNS responder answers for the hostname it joined with (any ASCII case); a name no
    // board answers for is not resolved, after the resolver's wait.
    const named = `https://${prov.hostname.toUpperCase()}.local`;
    expect((await virtualLanFetch(`${named}/webrtc/status`)).ok).toBe(true);
    const asked = Date.now();
    await expect(virtualLanFetch("https://nobody-here.local/webrtc/status")).rejects.toThrow(TypeError);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(4900);

    // Connect again from the device list: read back over serial (certificate, not address), the
    // board restarted into its app, then verified at its .local name once it is back on Wi-Fi.
    const record = (await registry.get(prov.deviceId))!;
    expect(record.deviceScripts).toBe("pydirect-upstream");
    if (!(await s.connectAgain(record)))
      throw s.state.verify.error ?? new Error("connect again failed without an error");
    expect(urls.at(-1)).toBe(`https://${prov.hostname.toLowerCase()}.local`);
    expect(s.state.provision.result?.address).toBeNull();
    expect(s.state.verify.result?.detail).toContain("https signaling");
    expect(s.state.handoff?.serialReason).toMatch(/mDNS responder/);
    expect(s.state.handoff?.deviceUrl).toBe(`https://${prov.hostname.toLowerCase()}.local`);
  }, 180_000);

  it("after installing the image, asks its REPL at once: the app description says micropython, whatever the manifest calls it", async () => {
    const c = await upstreamChoice();
    const jobs = createPortalJobs({ fetch: publicFetch, registry: new MemoryDeviceRegistry(), wifiTimeoutMs: 20_000 });
    const wifi = jobs.wifi!;
    const asked: (string | null)[] = [];
    const detect = wifi.detectProvisioning.bind(wifi);
    wifi.detectProvisioning = (port, request) => {
      asked.push(request.appName);
      return detect(port, request);
    };
    const manifestUrl = `${ORIGIN}firmware/demo/upstream/manifest.json`;
    const s = new PortalSession({
      jobs,
      sources: [{ label: "Firmware", manifestUrl }],
      registry: new MemoryDeviceRegistry(),
    });
    session = s;
    if (!(await s.connect(c))) throw s.state.connect.error ?? new Error("connect failed without an error");
    expect(s.state.firmware.result?.name).toBe("Upstream pyDirect look-alike (demo)");
    if (!(await s.flash())) throw s.state.flash.error ?? new Error("install failed without an error");
    await s.asideSettled();
    // The project name from the installed image's app description: no Improv wait for it.
    expect(asked).toEqual([DEMO_UPSTREAM_PROJECT]);
    expect(s.log.toText()).not.toMatch(/Improv Wi-Fi:/);
    expect(s.state.wifiSetup.choice?.kind).toBe("pydirect");
  }, 180_000);

  it("answers as a browser's fetch would: CORS replies, ESP-IDF's 404 a network error, another certificate refused", async () => {
    const c = await upstreamChoice();
    const wait = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
    };
    // Straight out of the box the board is in setup mode, with no Wi-Fi to join: no station holds
    // the address, so the request fails once ARP gives up, not at once.
    const asked = Date.now();
    await expect(virtualLanFetch("https://192.168.4.23/webrtc/status")).rejects.toThrow(TypeError);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(2900);
    // Provisioned by hand (settings, certificate) it serves; a wrong pin is refused before sending.
    const { certificateFiles, provisionedSettings } = await import("../core/upstream/upstream-board");
    const files = await certificateFiles();
    const { DeviceFiles, RawRepl } = await import("../../src/core/repl");
    const repl = await RawRepl.open(c.board.port, { interruptAtBoot: true });
    const fs = new DeviceFiles(repl);
    const put = (path: string, text: string) => fs.writeFileAtomic(path, new TextEncoder().encode(text));
    await fs.mkdir("/certs").catch(() => undefined);
    for (const [path, text] of Object.entries(files)) await put(path, text);
    const settings = { ...provisionedSettings(false), wifi: { ssid: "Workshop", password: "solder-and-flux" } };
    await put("/settings/user_settings.json", JSON.stringify(settings));
    await repl.close();
    c.board.reset("normal");
    await wait(
      async () => (await virtualLanFetch("https://192.168.4.23/webrtc/status").catch(() => null))?.ok === true,
    );
    const status = await virtualLanFetch("https://192.168.4.23/webrtc/status");
    expect(status.headers.get("access-control-allow-origin")).toBe("*");
    expect(await status.json()).toHaveProperty("status");
    // No route: ESP-IDF's plain 404 without CORS is a network error to a page, but answers no-cors.
    await expect(virtualLanFetch("https://192.168.4.23/nowhere")).rejects.toThrow(TypeError);
    expect((await virtualLanFetch("https://192.168.4.23/nowhere", { mode: "no-cors" })).status).toBe(200);
    // A JSON content type is preflighted; the route's OPTIONS allows POST.
    const posted = await virtualLanFetch("https://192.168.4.23/webrtc/status", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    }).catch((e: unknown) => e);
    expect(posted).toBeInstanceOf(TypeError); // 405 without CORS after a good preflight
    const wrongPin = virtualLanTransport("https://192.168.4.23", {
      mac: "24:6f:28:00:00:00",
      certFingerprint: "AB:CD",
    });
    await expect(wrongPin.request("GET", "/webrtc/status")).rejects.toMatchObject({ code: "certificate-mismatch" });
  }, 120_000);
});
