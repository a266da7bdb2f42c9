import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConsoleConnector } from "../../../src/core/manifest/types";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { PortalSession } from "../../../src/core/session/portal-session";
import type { SessionState } from "../../../src/core/session/session-types";
import { createVirtualChoice, type VirtualChoice } from "../../../src/demo/virtual-port";
import { virtualPortProvider } from "../../../src/demo/virtual-port-provider";
import { virtualBoardModel } from "../../../src/virtual-board/board-models";
import { demoParts } from "../../../scripts/lib/demo-firmware";

// Issue 18 through the session with the real cores: each way a board attaches, from Connect to
// provisioning (and to "Verified" for the board that re-enumerates), without starting over.

const ROOT = resolve(import.meta.dirname, "../../..");
const ORIGIN = "http://portal.test/";
const MANIFEST = `${ORIGIN}firmware/demo/manifest.json`;

/** public/ as if served from ORIGIN; the demo manifest's builds get `console` when given. */
function publicFetch(console?: ConsoleConnector[]): typeof fetch {
  return async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const path = join(ROOT, "public", decodeURIComponent(url.pathname));
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = new Uint8Array(await readFile(path));
    } catch {
      return new Response("not found", { status: 404 });
    }
    if (console && url.pathname.endsWith("demo/manifest.json")) {
      const manifest = JSON.parse(new TextDecoder().decode(body)) as { builds: Record<string, unknown>[] };
      for (const b of manifest.builds) b["console"] = console;
      body = new TextEncoder().encode(JSON.stringify(manifest));
    }
    return new Response(body, { status: 200 });
  };
}

interface Rig {
  session: PortalSession;
  choice: VirtualChoice;
  provider: ReturnType<typeof virtualPortProvider>;
}

interface RigOptions {
  console?: ConsoleConnector[];
  grantAll?: boolean;
  /** false: the board runs no app runtime (tests that end before provisioning boot faster). */
  app?: false;
  /** The session can verify over WebRTC (werift in Node). */
  verify?: boolean;
}

async function rig(modelId: string, options: RigOptions = {}): Promise<Rig> {
  const model = virtualBoardModel(modelId);
  if (!model) throw new Error(`no model ${modelId}`);
  const choice = createVirtualChoice({
    model,
    random: () => 0.4,
    ...(options.app === false ? { makeApp: () => undefined } : {}),
  });
  const provider = virtualPortProvider(choice.board, { grantAll: options.grantAll ?? true });
  const registry = new MemoryDeviceRegistry();
  const session = new PortalSession({
    jobs: createPortalJobs({
      fetch: publicFetch(options.console),
      registry,
      ...(options.verify
        ? { peerBackend: (await import("../../../src/core/signaling/werift-peer-node")).weriftPeerBackend }
        : {}),
    }),
    sources: [{ label: "Demo", manifestUrl: MANIFEST }],
    registry,
    ports: provider,
    followWaitMs: 1500,
  });
  return { session, choice, provider };
}

function until(session: PortalSession, test: (s: SessionState) => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error("state never came")), timeoutMs);
    const off = session.subscribe((s) => {
      if (test(s)) {
        clearTimeout(timer);
        queueMicrotask(() => off());
        resolvePromise();
      }
    });
  });
}

async function provision(session: PortalSession): Promise<void> {
  session.setWifi({ ssid: "Workshop", password: "solder-and-flux" });
  if (!(await session.provision())) throw session.state.provision.error ?? new Error("provisioning failed");
}

/** The install again after an interruption: it succeeds, and what already checks out on the board is skipped. */
async function finishesSkippingWhatIsVerified(session: PortalSession): Promise<void> {
  session.show("flash");
  expect(await session.flash()).toBe(true);
  expect(session.state.flash.result!.bytesSkipped).toBeGreaterThan(0);
  expect(session.state.flash.parts.some((p) => p.status === "skipped")).toBe(true);
}

/** From wherever the session stands after connecting: install (when offered), provision, verify. */
async function toVerified(session: PortalSession): Promise<void> {
  if (session.state.step === "firmware" || session.state.step === "flash") {
    session.show("flash");
    if (!(await session.flash())) throw session.state.flash.error ?? new Error("install failed");
  }
  await until(session, (s) => !s.portFollow && s.port !== null, 30_000);
  await provision(session);
  if (!(await session.verify())) throw session.state.verify.error ?? new Error("verify failed without an error");
  expect(session.state.verify.result?.ok).toBe(true);
}

const ids = (label: string | undefined) => /\((\w{4}:\w{4})\)/.exec(label ?? "")?.[1];

beforeAll(() => {
  execFileSync("npx", ["tsx", "scripts/make-demo-firmware.ts"], { cwd: ROOT, stdio: "ignore" });
}, 120_000);

describe("a board that comes back as another USB device (TinyUSB CDC app)", () => {
  it("connects from the app's CDC port, follows it into the loader and back, and installs", async () => {
    const { session, choice } = await rig("esp32s3-tinyusb", { console: ["usb-cdc", "uart"], app: false });
    const board = choice.board;
    // The board already runs our image: its port is the app's CDC device.
    for (const p of demoParts("ESP32-S3")) board.flash.set(p.data, p.offset);
    board.reset("normal");
    await board.waitForMode("app");
    await new Promise((r) => setTimeout(r, 300));
    expect(board.port.getInfo()).toEqual({ usbVendorId: 0x303a, usbProductId: 0x4001 });

    expect(await session.connect({ ...choice, port: board.port })).toBe(true);
    expect(session.state.connect.result?.chip).toBe("ESP32-S3");
    expect(session.log.toText()).toMatch(/left its port/);
    // Before installing: it says the console comes back as another device on this connector.
    await until(session, (s) => s.consolePlan?.kind === "re-enumerates" && !s.portFollow, 30_000);
    session.show("flash");
    const flashed = await session.flash();
    expect(flashed).toBe(true);
    await until(session, (s) => ids(s.port?.label) === "303a:4001" && !s.portFollow);
    // The app's console answers on the CDC port the session followed it to.
    expect(choice.board.mode).toBe("app");
  }, 120_000);

  it("provisions across the restart's re-enumeration and verifies on the port the board came back on", async () => {
    const { session, choice } = await rig("esp32s3-tinyusb", { console: ["usb-cdc", "uart"], verify: true });
    const board = choice.board;
    for (const p of demoParts("ESP32-S3")) board.flash.set(p.data, p.offset);
    board.reset("normal");
    await board.waitForMode("app");
    await new Promise((r) => setTimeout(r, 300));
    expect(await session.connect({ ...choice, port: board.port })).toBe(true);
    await until(session, (s) => !s.portFollow && ids(s.port?.label) === "303a:4001", 30_000);
    const before = board.port;
    await provision(session);
    // Provisioning's restart took the CDC device off the bus: the Wi-Fi report came on its new port.
    expect(session.log.toText()).toMatch(/left its port after a reset/);
    expect(session.state.provision.result?.address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(ids(session.state.port?.label)).toBe("303a:4001");
    expect(board.port).not.toBe(before);
    expect(board.mode).toBe("app");
    const verified = await session.verify();
    if (!verified) throw session.state.verify.error ?? new Error("verify failed without an error");
    expect(session.state.verify.result?.ok).toBe(true);
  }, 120_000);
});

describe("console on the other connector (upstream pyDirect builds: REPL on UART0, USB host)", () => {
  it("says so before installing, then carries on by itself on the granted bridge port (two cables)", async () => {
    const { session, choice } = await rig("esp32s3-dual", { console: ["uart"], verify: true });
    expect(choice.port.getInfo()).toEqual({ usbVendorId: 0x303a, usbProductId: 0x1001 });
    expect(await session.connect(choice)).toBe(true);
    await session.selectFirmware(MANIFEST);
    expect(session.state.consolePlan).toMatchObject({ kind: "other-connector" });
    expect(session.state.consolePlan?.sentence).toMatch(
      /console is on its UART connector.*this cable is on the native USB/,
    );
    session.show("flash");
    expect(await session.flash()).toBe(true);
    await until(session, (s) => ids(s.port?.label) === "10c4:ea60" && !s.portFollow);
    await provision(session);
    expect(session.state.provision.result?.hostname).toMatch(/^pyDirect-/);
    expect(await session.verify()).toBe(true);
  }, 60_000);

  it("with one cable and the bridge not granted: one click, once the cable is in the UART connector", async () => {
    const { session, choice } = await rig("esp32s3-native-host", { console: ["uart"], grantAll: false, verify: true });
    expect(await session.connect(choice)).toBe(true);
    await session.selectFirmware(MANIFEST);
    session.show("flash");
    expect(await session.flash()).toBe(true);
    await until(session, (s) => s.portFollow?.status === "needs-click");
    expect(session.state.portFollow?.sentence).toMatch(/UART connector/);
    // Not there yet: the picker finds nothing, and the session says so and keeps waiting.
    expect(await session.pickFollowedPort()).toBe(false);
    expect(session.state.portFollow?.status).toBe("needs-click");
    expect(session.state.portFollow?.status === "needs-click" && session.state.portFollow.problem).toMatch(/No port/);
    choice.board.connectors.plugCable("uart");
    await new Promise((r) => setTimeout(r, 200));
    expect(await session.pickFollowedPort()).toBe(true);
    await until(session, (s) => ids(s.port?.label) === "10c4:ea60" && !s.portFollow);
    await provision(session);
    expect(await session.verify()).toBe(true);
  }, 60_000);
});

describe("native USB that keeps its port, and the ROM over USB-OTG", () => {
  it("esp32c3-usj (console stays on USB-Serial-JTAG): connect, install, provision, verify", async () => {
    const { session, choice } = await rig("esp32c3-usj", { verify: true });
    expect(await session.connect(choice)).toBe(true);
    await toVerified(session);
    // The app's console is USB-Serial-JTAG too: the same port from Connect to Verified.
    expect(choice.board.port).toBe(choice.port);
  }, 60_000);

  it("esp32s3-otg: from the app's CDC port into the ROM's USB-OTG loader, watchdog reset, back, verify", async () => {
    const { session, choice } = await rig("esp32s3-otg", { console: ["usb-cdc", "uart"], verify: true });
    const board = choice.board;
    // A blank chip whose ROM talks USB-OTG shows no USB device until it runs an app or is put in
    // its loader by hand: start, as a user usually does, from a board that already runs one.
    for (const p of demoParts("ESP32-S3")) board.flash.set(p.data, p.offset);
    board.reset("normal");
    await board.waitForMode("app");
    await new Promise((r) => setTimeout(r, 300));
    expect(await session.connect({ ...choice, port: board.port })).toBe(true);
    expect(session.log.toText()).toMatch(/left its port/);
    await until(session, (s) => !s.portFollow && ids(s.port?.label) === "303a:4001", 30_000);
    session.show("flash");
    await toVerified(session);
    expect(session.state.flash.result?.parts).toBeGreaterThan(0);
    expect(ids(session.state.port?.label)).toBe("303a:4001");
  }, 60_000);
});

describe("no auto-reset, a busy port, an interrupted install", () => {
  it("shows the by-hand way into the loader and carries on by itself once the ROM answers", async () => {
    const { session, choice } = await rig("esp32-no-autoreset", { verify: true });
    const connecting = session.connect(choice);
    await until(session, (s) => s.manualBoot?.steps.length === 3, 30_000);
    expect(session.state.manualBoot).toMatchObject({ resetLabel: "EN", connector: "uart" });
    choice.board.reset("download"); // BOOT held while EN is tapped
    expect(await connecting).toBe(true);
    expect(session.state.manualBoot).toBeNull();
    expect(session.state.connect.result?.chip).toBe("ESP32");
    // The install's reset cannot reach the chip either: the same guidance, and on once the ROM answers.
    session.show("flash");
    const installing = session.flash();
    await until(session, (s) => s.manualBoot?.steps.length === 3, 30_000);
    choice.board.reset("download");
    expect(await installing).toBe(true);
    // Nor can the reset that starts the new app: the user taps EN, as the guidance says.
    expect(session.state.manualBoot?.stage).toBe("start-app");
    expect(session.state.manualBoot?.steps.join(" ")).toMatch(/EN button once/);
    choice.board.reset("normal");
    await toVerified(session);
    expect(session.state.manualBoot).toBeNull();
  }, 60_000);

  it("names what usually holds a busy port, and connects once it is free", async () => {
    const { session, choice } = await rig("esp32s3-busy", { verify: true });
    expect(await session.connect(choice)).toBe(false);
    expect(session.state.connect.error).toMatchObject({ code: "port-busy", action: "close-other-app" });
    expect(session.state.connect.error?.message).toMatch(/Arduino IDE's Serial Monitor.*idf\.py monitor.*ModemManager/);
    choice.board.connectors.holdElsewhere(false);
    expect(await session.connect(choice)).toBe(true);
    await toVerified(session);
  }, 60_000);

  it("resumes an interrupted install: what is already verified on the board is not written again", async () => {
    const { session, choice } = await rig("esp32s3", { app: false });
    expect(await session.connect(choice)).toBe(true);
    session.show("flash");
    // The cable is pulled 200 KB into the install.
    choice.board.injectFaults({ disconnectAfterBytes: 200_000 });
    expect(await session.flash()).toBe(false);
    expect(session.state.flash.error?.code).toBe("disconnected");
    expect(session.state.flash.error?.message).toMatch(/kept|already written/);
    const port = choice.board.plug();
    expect(await session.connect({ ...choice, port })).toBe(true);
    // The half-written app's header is on flash: not "already installed", but an install to finish.
    expect(session.state.step).toBe("firmware");
    expect(session.log.toText()).toMatch(/interrupted: installing again writes only what is missing/);
    await finishesSkippingWhatIsVerified(session);
  }, 60_000);
});

describe("a permission revoked mid-flow (SerialPort.forget(), or removed in the site settings)", () => {
  it("says so (not an unplug), one click allows the port again, and the install resumes from what is verified", async () => {
    const { session, choice, provider } = await rig("esp32s3", { app: false });
    expect(await session.connect(choice)).toBe(true);
    session.show("flash");
    // The port the session holds (the board's port at connect: a VirtualSerialPort).
    const held = choice.board.port;
    expect(held).toBe(choice.port);
    let disconnects = 0;
    held.addEventListener("disconnect", () => disconnects++);
    // The permission goes once 200 KB are on the board.
    let revokedAt = 0;
    const off = session.subscribe((s) => {
      const written = s.flash.parts.reduce((n, p) => n + p.written, 0);
      if (!revokedAt && written >= 200_000) {
        revokedAt = written;
        void held.forget();
      }
    });
    const flashed = await session.flash();
    off();
    expect(revokedAt).toBeGreaterThan(0);
    expect(flashed).toBe(false);
    expect(disconnects).toBe(0);
    expect(session.state.flash.error).toMatchObject({ code: "permission-revoked", action: "allow-port-again" });
    expect(session.state.flash.error?.message).toMatch(/no longer allowed to use the board's port/);
    expect(session.log.toText()).not.toMatch(/unplugged/);
    // What Web Serial then reports: the port object is gone from getPorts() and will not open.
    expect(await provider.granted()).not.toContain(held);
    await expect(held.open({ baudRate: 115_200 })).rejects.toMatchObject({ name: "InvalidStateError" });

    // The one click: the browser's chooser, narrowed to this USB device; then the board is read again.
    expect(await session.allowPortAgain()).toBe(true);
    expect(session.log.toText()).toMatch(/interrupted: installing again writes only what is missing/);
    expect(await provider.granted()).toHaveLength(1);
    expect((await provider.granted())[0]).not.toBe(held);
    await finishesSkippingWhatIsVerified(session);
  }, 60_000);

  it("an unplugged board is still an unplug: the disconnect event, no revoked-permission sentence", async () => {
    const { session, choice } = await rig("esp32s3", { app: false });
    expect(await session.connect(choice)).toBe(true);
    session.show("flash");
    choice.board.injectFaults({ disconnectAfterBytes: 100_000 });
    expect(await session.flash()).toBe(false);
    expect(session.state.flash.error?.code).toBe("disconnected");
    expect(session.state.flash.error?.message).not.toMatch(/no longer allowed/);
  }, 60_000);
});

describe("a blank ESP32-S3 on its native USB", () => {
  it("ROM on USB-Serial-JTAG (the default PHY): connects on 303a:1001, installs, follows the app's TinyUSB CDC, provisions", async () => {
    const { session, choice } = await rig("esp32s3-tinyusb", { console: ["usb-cdc", "uart"], verify: true });
    // Blank: no app, the ROM loops on "invalid header", but the USB-Serial-JTAG device is on the bus.
    expect(choice.board.mode).not.toBe("app");
    expect(choice.port.getInfo()).toEqual({ usbVendorId: 0x303a, usbProductId: 0x1001 });
    expect(await session.connect(choice)).toBe(true);
    expect(session.state.connect.result?.firmware).toBeNull();
    await session.selectFirmware(MANIFEST);
    expect(session.state.consolePlan).toMatchObject({ kind: "re-enumerates" });
    await toVerified(session);
    expect(ids(session.state.port?.label)).toBe("303a:4001");
  }, 90_000);

  it("ROM on USB-OTG (USB_PHY_SEL): no port until BOOT and RESET by hand, then its loader's port, install, CDC, provision", async () => {
    const { session, choice } = await rig("esp32s3-otg", { console: ["usb-cdc", "uart"], verify: true });
    // Nothing on the bus: the port the user had is dead, and no granted port is listed.
    expect(choice.board.connectors.ports).toHaveLength(0);
    const connecting = session.connect(choice);
    await until(session, (s) => Boolean(s.manualBoot && s.portFollow), 30_000);
    expect(session.state.manualBoot).toMatchObject({ connector: "native", resetLabel: "RST", reason: "no-port" });
    expect(session.state.portFollow?.sentence).toMatch(/shows no port until it runs firmware or is put in its loader/);
    choice.board.reset("download"); // BOOT held while RST is tapped
    expect(await connecting).toBe(true);
    expect(session.state.manualBoot).toBeNull();
    // esptool: the ROM's USB-OTG device is 303a:<IMAGE_CHIP_ID>, 9 on the ESP32-S3.
    expect(ids(session.state.port?.label)).toBe("303a:0009");
    expect(session.state.connect.result?.chip).toBe("ESP32-S3");
    await toVerified(session);
    expect(ids(session.state.port?.label)).toBe("303a:4001");
  }, 90_000);
});
