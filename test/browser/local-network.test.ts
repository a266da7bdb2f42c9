/**
 * "Connect again" from the hosted portal under Chrome's Local Network Access. Chromium is told
 * (--ip-address-space-overrides) that the portal's server is public and the board's HTTPS server
 * is local, so the board's address needs the user's "local network" permission, as a board at
 * https://192.168.x.y does for a portal on the internet. The board is the device scripts on
 * MicroPython with the `webrtc` module and its own HTTPS server (Node); its mDNS name maps to that
 * server (--host-resolver-rules), and its self-signed certificate is accepted through DevTools in
 * place of the one-time trust step a user does by hand.
 *
 * The permission is set with DevTools' Browser.setPermission: Chromium 156 knows `local-network`,
 * `loopback-network` and `local-network-access` there; Playwright's grantPermissions knows only the
 * last, which does not cover a `local` target in this Chromium (measured while writing this test).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CDPSession, Page } from "playwright-core";
import type { DeviceRecord } from "../../src/core/registry/device-record";
import type { SessionState } from "../../src/core/session/session-types";
import { provisionedIdentity, type Provisioned } from "../core/verify/fixtures";
import { startMicroPythonDevice, type MicroPythonDevice } from "../virtual-board/webrtc/micropython-device";
import {
  DIST,
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  serveDir,
  type LaunchedBrowser,
  type StaticServer,
} from "./harness";

const HOSTNAME = "pyDirect-lna";
const BOARD_NAME = "pydirect-lna.local";

let portal: StaticServer;
let device: MicroPythonDevice;
let identity: Provisioned;
let browser: LaunchedBrowser;
let cdp: CDPSession;
let boardRequests = 0;

beforeAll(async () => {
  identity = await provisionedIdentity(HOSTNAME);
  device = await startMicroPythonDevice({
    certPem: identity.certPem,
    keyPem: identity.keyPem,
    https: true,
    hostname: HOSTNAME,
  });
  const boardPort = await device.https!.listening;
  portal = await serveDir(DIST);
  const portalPort = new URL(portal.url).port;
  browser = await launchBrowser({
    ignoreHTTPSErrors: true,
    args: [
      `--ip-address-space-overrides=127.0.0.1:${portalPort}=public,127.0.0.1:${boardPort}=local`,
      `--host-resolver-rules=MAP ${BOARD_NAME} 127.0.0.1:${boardPort}`,
    ],
  });
  cdp = await browser.context.newCDPSession(browser.page);
  browser.page.on("request", (r) => {
    if (new URL(r.url()).hostname === BOARD_NAME) boardRequests += 1;
  });
});

afterAll(async () => {
  await (browser as typeof browser | undefined)?.close();
  await (portal as typeof portal | undefined)?.close();
  await (device as typeof device | undefined)?.stop();
});

function setLocalNetwork(setting: "granted" | "denied" | "prompt"): Promise<unknown> {
  return cdp.send("Browser.setPermission", {
    permission: { name: "local-network" },
    setting,
    origin: portal.url.replace(/\/$/, ""),
  });
}

function state(page: Page): Promise<SessionState> {
  return page.evaluate(
    () =>
      JSON.parse(
        JSON.stringify(
          (document.querySelector("pydirect-portal") as unknown as { currentSession: { state: unknown } })
            .currentSession.state,
        ),
      ) as SessionState,
  );
}

describe("connect again under Local Network Access (portal public, board local)", () => {
  it("explains before Chrome asks, says how to allow a denial, and connects once allowed", async () => {
    const { page } = browser;
    await page.goto(portal.url);
    await page.locator("pydirect-connect-step h2").waitFor();
    const record: DeviceRecord = {
      id: "246f28aabbcc",
      hostname: HOSTNAME,
      chip: "ESP32-S3",
      mac: "24:6f:28:aa:bb:cc",
      firmwareVersion: "0.1.0",
      certFingerprint: identity.fingerprint,
      provisionedAt: new Date().toISOString(),
      certificatePem: identity.certPem,
    };
    await page.evaluate(async (r) => {
      const portalEl = document.querySelector("pydirect-portal") as unknown as {
        registry: { put(r: unknown): Promise<void> };
        shadowRoot: ShadowRoot;
      };
      await portalEl.registry.put(r);
      await (
        portalEl.shadowRoot.querySelector("pydirect-device-list") as unknown as { refresh(): Promise<void> }
      ).refresh();
    }, record);
    const connectAgain = page.locator("pydirect-device-list button[data-action=connect-again]");
    await connectAgain.waitFor();
    expect(
      await page.evaluate(() =>
        navigator.permissions.query({ name: "local-network" as PermissionName }).then((p) => p.state),
      ),
    ).toBe("prompt");

    // First press: the permission has not been asked yet, so the portal explains and sends nothing.
    await connectAgain.click();
    const note = page.locator("pydirect-device-handoff #local-network-note");
    await note.waitFor();
    expect(await note.innerText()).toMatch(
      /local network.*Choose Allow.*pyDirect-lna at https:\/\/pydirect-lna\.local/s,
    );
    expect((await state(page)).verify.status).toBe("idle");
    expect(boardRequests).toBe(0);
    await screenshot(page, "lna-01-explained");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Denied: nothing is sent, and the page says where to allow it.
    await setLocalNetwork("denied");
    await connectAgain.click();
    await expect
      .poll(async () => (await state(page)).verify.error?.code, { timeout: 30_000 })
      .toBe("local-network-denied");
    const denied = page.locator("pydirect-device-handoff #local-network-denied");
    await denied.waitFor();
    expect(await denied.innerText()).toMatch(/allow it in the site settings/);
    expect(await page.locator("pydirect-verify-step pydirect-error-notice [role=alert]").innerText()).toMatch(
      /site-settings icon.*"Local network access" to Allow/s,
    );
    // The board was never asked: the device list keeps no failed check for it.
    expect(
      await page.evaluate(
        async () =>
          (
            await (
              document.querySelector("pydirect-portal") as unknown as {
                registry: { get(id: string): Promise<{ lastVerification?: unknown }> };
              }
            ).registry.get("246f28aabbcc")
          ).lastVerification ?? null,
      ),
    ).toBeNull();
    expect(boardRequests).toBe(0);
    await screenshot(page, "lna-02-denied");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Chrome itself blocks the request when denied (the portal's check is not what stops it).
    const blocked = await page.evaluate(
      (url) =>
        fetch(url, { targetAddressSpace: "local" } as RequestInit).then(
          () => "reached",
          (e: unknown) => (e as Error).name,
        ),
      `https://${BOARD_NAME}/webrtc/status`,
    );
    expect(blocked).toBe("TypeError");
    browser.errors.length = 0; // Chromium logs the blocked fetch above as a console error.

    // Granted: signaling over HTTPS to the board, a DataChannel, the key proof; console locked.
    await setLocalNetwork("granted");
    await connectAgain.click();
    await expect.poll(async () => (await state(page)).verify.status, { timeout: 120_000 }).toBe("done");
    const handoff = (await state(page)).handoff!;
    expect(handoff).toMatchObject({
      transport: "https",
      deviceUrl: `https://${BOARD_NAME}`,
      console: "locked",
      localNetwork: "granted",
    });
    expect(boardRequests).toBeGreaterThan(0);
    expect(await page.locator("pydirect-device-handoff #local-network-note").count()).toBe(0);
    await screenshot(page, "lna-03-connected");
    expect(browser.errors).toEqual([]);
  });
});
