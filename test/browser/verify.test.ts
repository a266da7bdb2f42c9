/**
 * Verification in headless Chromium: the portal's real RTCPeerConnection (browserPeerBackend) ↔ the
 * virtual board in Node (device scripts on MicroPython, the `webrtc` module on werift), the way a
 * browser meets the ESP32's non-browser stack. Signaling goes page → Node bridge → the board's own
 * HTTPS endpoint with the pinned certificate; the page is served by Vite's dev server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type ViteDevServer } from "vite";
import { createPinnedHttpsTransport } from "../../src/core/signaling/https-pinned-node";
import type { SignalingTransport } from "../../src/core/signaling/transport";
import type { VerifyReport } from "../../src/core/verify/report";
import type { PeerBackend } from "../../src/core/signaling/peer";
import { slowGatheringBackend } from "../core/verify/backends";
import { provisionedIdentity, type Provisioned } from "../core/verify/fixtures";
import { startMicroPythonDevice, type MicroPythonDevice } from "../virtual-board/webrtc/micropython-device";
import { devServerCacheDir, launchBrowser, ROOT, type LaunchedBrowser } from "./harness";

let vite: ViteDevServer;
let browser: LaunchedBrowser;
let base: string;
let device: MicroPythonDevice | null = null;
let transport: SignalingTransport | null = null;

beforeAll(async () => {
  vite = await createServer({
    configFile: false,
    root: ROOT,
    cacheDir: devServerCacheDir("verify"),
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
  await browser.context.route(`${base}verify-blank.html`, (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><title>verify</title>" }),
  );
  await browser.page.exposeFunction("__deviceRequest", (method: "GET" | "POST", path: string, body: unknown) =>
    transport!.request(method, path, body),
  );
  await browser.page.goto(`${base}verify-blank.html`);
});

afterAll(async () => {
  await (device as typeof device | undefined)?.stop();
  await (browser as typeof browser | undefined)?.close();
  await (vite as typeof vite | undefined)?.close();
});

async function boardWith(identity: Provisioned, backend?: PeerBackend): Promise<void> {
  await (device as typeof device | undefined)?.stop();
  device = await startMicroPythonDevice({ certPem: identity.certPem, keyPem: identity.keyPem, https: true, backend });
  const port = await device.https!.listening;
  transport = createPinnedHttpsTransport(`https://127.0.0.1:${port}`, { fingerprint: identity.fingerprint });
}

/** Runs verifyDevice inside the page (source text: the test runner must not rewrite its imports). */
function verifyInPage(certificatePem: string, shape: string): Promise<VerifyReport> {
  return browser.page.evaluate<VerifyReport>(
    `(async () => {
      const verify = await import("/src/core/verify/index.ts");
      const signaling = await import("/src/core/signaling/index.ts");
      const transport = { kind: "https", endpoint: "https://board", request: (m, p, b) => window.__deviceRequest(m, p, b) };
      const { report } = await verify.verifyDevice({
        transport, backend: signaling.browserPeerBackend, certificatePem: ${JSON.stringify(certificatePem)},
        shape: ${JSON.stringify(shape)}, echoCount: 5, openTimeoutMs: 20000,
      });
      return report;
    })()`,
  );
}

describe("verification from a real browser to the virtual board", () => {
  for (const shape of ["portal-offers", "device-offers"] as const) {
    it(`passes with ${shape} signaling`, async () => {
      const id = await provisionedIdentity();
      await boardWith(id);
      const report = await verifyInPage(id.certPem, shape);
      expect(report.checks.filter((c) => !c.passed)).toEqual([]);
      expect(report.passed).toBe(true);
      expect(report.proof).toBe("dtls-certificate");
      expect(report.rtt!.count).toBe(5);
      expect(report.firmware!.hostname).toBe(id.hostname);
    });
  }

  it("takes the board's trickled candidates (device-offers) from a board that gathers slowly", async () => {
    const id = await provisionedIdentity();
    await boardWith(id, slowGatheringBackend(500));
    const report = await verifyInPage(id.certPem, "device-offers");
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    // The board's offer went before its gathering finished; the rest came by `candidates` polls.
    expect(report.negotiation).toMatchObject({ shape: "device-offers", trickle: true, deviceTrickle: true });
  });

  it("fails the key check in the browser when the board holds a left-over key", async () => {
    const provisioned = await provisionedIdentity();
    const leftOver = await provisionedIdentity();
    await boardWith(leftOver);
    const report = await verifyInPage(provisioned.certPem, "portal-offers");
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("key");
    expect(report.proof).toBe("nonce-signature");
  });
});

/** Provision a virtual board in the page over its serial port, then verify over serial signaling there. */
function provisionAndVerifyInPage(password: string, shape = "portal-offers"): Promise<VerifyReport> {
  return browser.page.evaluate<VerifyReport>(
    `(async () => {
      const { VirtualBoard } = await import("/src/virtual-board/index.ts");
      const { createMicroPythonApp } = await import("/src/virtual-board/micropython/index.ts");
      const { webrtcModuleHook } = await import("/src/virtual-board/webrtc/index.ts");
      const { demoParts } = await import("/scripts/lib/demo-firmware.ts");
      const { provisionDevice } = await import("/src/core/provision/index.ts");
      const { verifyOverSerial } = await import("/src/core/verify/index.ts");
      const { browserPeerBackend } = await import("/src/core/signaling/index.ts");
      const app = createMicroPythonApp({
        accessPoints: [{ ssid: "Workshop", passphrase: "correct horse battery", security: "wpa2-psk", rssi: -50, channel: 6 }],
        modules: [webrtcModuleHook()],
      });
      const board = new VirtualBoard({ chip: "ESP32-S3", app });
      for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
      await board.waitForMode("app", 10000);
      await app.whenReady();
      try {
        const provisioned = await provisionDevice(board.port, { wifi: { ssid: "Workshop", password: ${JSON.stringify(password)} }, wifiTimeoutMs: 20000 });
        const { report } = await verifyOverSerial(board.port, {
          backend: browserPeerBackend, certificatePem: provisioned.certificatePem, shape: ${JSON.stringify(shape)},
          expect: { hostname: provisioned.hostname }, echoCount: 5,
        });
        return report;
      } finally {
        board.unplug();
      }
    })()`,
  );
}

describe("the virtual board in the page, its webrtc module on the page's RTCPeerConnection", () => {
  it("provisions over the virtual serial port and verifies with serial signaling, browser stack on both ends", async () => {
    const report = await provisionAndVerifyInPage("correct horse battery");
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    // A browser stack makes its own DTLS certificate: the key is proven by the signed nonce.
    expect(report.proof).toBe("nonce-signature");
    expect(report.diagnostics.transport).toBe("serial");
  });

  it("trickles both ways over serial signaling where both ends are browser stacks (device-offers)", async () => {
    const report = await provisionAndVerifyInPage("correct horse battery", "device-offers");
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    // A browser's offer exists before its candidates do, so the board answers at once and trickles.
    expect(report.negotiation).toMatchObject({ trickle: true, deviceTrickle: true });
  });

  it("reports a board that never joined Wi-Fi as a failure with the reason", async () => {
    const report = await provisionAndVerifyInPage("not the password");
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("signaling");
    expect(report.checks.at(-1)!.detail).toMatch(/not connected to Wi-Fi/);
  });
});
