/**
 * The virtual board as a port choice ("try without hardware"). Each pick is a new simulated
 * ESP32 with its own MAC, so a production-line run over virtual boards gives each its own
 * identity, as real boards would.
 *
 * This wiring lives outside src/core on purpose: the session core only knows ports
 * (`PortChoice`); which simulated board and which demo app stand behind a port is the page's
 * business, so nothing in src/core depends on src/virtual-board.
 */
import type { PortChoice } from "../core/session/portal-session";
import type { AppRuntimeFactory } from "../virtual-board/types";
import { VIRTUAL_BOARD_MODELS, type VirtualBoardModel } from "../virtual-board/board-models";
import { DEMO_ACCESS_POINTS } from "./virtual-models";
import { VirtualBoard } from "../virtual-board/virtual-board";
import { firmwareByImage } from "../virtual-board/firmware-by-image";
import { createImprovFirmware } from "../virtual-board/improv/improv-firmware";
import { createBlinkFirmware } from "../virtual-board/plain/blink-firmware";
import type { BoardNetwork } from "../virtual-board/httpserver/worker-http";
import { demoUpstreamApp } from "./upstream-demo-app";
import { joinVirtualLan } from "./virtual-lan";

// The model list and the demo networks live in virtual-models.ts (the first screen needs them without the simulator).
export { DEMO_ACCESS_POINTS, DEMO_NETWORK_NOTE, virtualBoardModels, virtualModel } from "./virtual-models";

const demoAccessPoints = () =>
  DEMO_ACCESS_POINTS.map((ap) => ({
    ssid: ap.ssid,
    rssi: ap.rssi,
    channel: ap.channel,
    bssid: `02:00:00:00:${ap.channel.toString(16).padStart(2, "0")}:${(ap.rssi & 0xff).toString(16).padStart(2, "0")}`,
    ...(ap.password ? { passphrase: ap.password } : { security: "open" as const }),
  }));

/** Project names (app descriptions) of the other demo firmware the virtual board runs. */
export const DEMO_IMPROV_PROJECT = "improv-demo";
export const DEMO_BLINK_PROJECT = "blink";
/**
 * The demo's upstream pyDirect look-alike: named as upstream's image is (its build.sh builds
 * MicroPython's esp32 port, whose project is `micropython`: build.sh:184, 362), so the portal
 * treats it as it would a real one (a MicroPython app: the REPL is asked straight away). Its
 * version tells it from other MicroPython images, which run the portal's scripts.
 */
export const DEMO_UPSTREAM_PROJECT = "micropython";
export const DEMO_UPSTREAM_VERSION = "v1.27.0-upstream-look-alike";

/**
 * Every demo firmware, picked by the image in flash: the Improv demo (an ESPHome-like device that
 * speaks Improv Wi-Fi Serial, with the same demo networks), ESP-IDF's blink example (neither
 * pyDirect nor Improv), the upstream pyDirect look-alike (its HTTP server on the page's simulated
 * LAN through `lan`), and MicroPython with pyDirect's scripts for every other image.
 */
export function demoBoardFirmware(lan: { network: BoardNetwork | null } = { network: null }): AppRuntimeFactory {
  return firmwareByImage(
    {
      [`${DEMO_UPSTREAM_PROJECT}@${DEMO_UPSTREAM_VERSION}`]: demoUpstreamApp(demoAccessPoints(), lan),
      [DEMO_IMPROV_PROJECT]: createImprovFirmware({
        firmware: "Improv demo",
        version: "1.0.0",
        deviceName: "improv-demo",
        accessPoints: DEMO_ACCESS_POINTS.map((ap) => ({
          ssid: ap.ssid,
          rssi: ap.rssi,
          ...(ap.password ? { password: ap.password } : {}),
        })),
        // ESPHome gives up on a network after 30 s; the demo board after 5 s, so trying a wrong
        // password in the demo does not keep the user waiting half a minute.
        connectTimeoutMs: 5000,
        ipAddress: "192.168.4.61",
      }),
      [DEMO_BLINK_PROJECT]: createBlinkFirmware(),
    },
    demoMicroPythonApp(),
  );
}

/**
 * The demo board's app: real MicroPython (WebAssembly) with the pyDirect device scripts, the demo
 * networks in range and the `webrtc` module. Loaded on first boot, so pages that never pick the
 * virtual board never download it. In a browser the interpreter runs in a worker, so the board's
 * sleeps and busy code never hold up the page; without workers (Node) it runs in this thread.
 */
export function demoMicroPythonApp(): AppRuntimeFactory {
  let app: Promise<AppRuntimeFactory> | null = null;
  const inWorker = typeof Worker === "function" && typeof location !== "undefined";
  return (ctx) => {
    app ??= inWorker
      ? Promise.all([
          import("../virtual-board/micropython/worker/worker-app"),
          import("../virtual-board/micropython/worker/spawn-browser-worker"),
          import("../core/signaling/browser-peer"),
        ]).then(([{ createMicroPythonWorkerApp }, { spawnBrowserBoardWorker }, { browserPeerBackend }]) =>
          createMicroPythonWorkerApp({
            accessPoints: demoAccessPoints(),
            modules: ["webrtc"],
            spawn: spawnBrowserBoardWorker,
            peerBackend: async () => browserPeerBackend,
          }),
        )
      : Promise.all([import("../virtual-board/micropython"), import("../virtual-board/webrtc")]).then(([mp, rtc]) =>
          mp.createMicroPythonApp({ accessPoints: demoAccessPoints(), modules: [rtc.webrtcModuleHook()] }),
        );
    return app.then((factory) => factory(ctx));
  };
}

export interface VirtualChoice extends PortChoice {
  board: VirtualBoard;
}

export type AppFactoryMaker = () => VirtualBoard["appFactory"];

export interface VirtualPortOptions {
  /** Which simulated board (`VIRTUAL_BOARD_MODELS`); default the first (the ESP32-S3 with 8 MB). */
  model?: VirtualBoardModel;
  /** Makes the app runtime for each new board; default the demo MicroPython app. */
  makeApp?: AppFactoryMaker;
  /** Called with console text the board prints (for the session log). */
  onConsole?: (text: string) => void;
  random?: () => number;
  /** Images already in the board's flash when it is first powered (a board flashed before). */
  flash?: ReadonlyArray<{ offset: number; data: Uint8Array }>;
}

export function createVirtualChoice(options: VirtualPortOptions = {}): VirtualChoice {
  const random = options.random ?? Math.random;
  const mac = new Uint8Array([0x24, 0x6f, 0x28, 0, 0, 0]);
  for (let i = 3; i < 6; i++) mac[i] = Math.floor(random() * 256);
  const model = options.model ?? VIRTUAL_BOARD_MODELS[0];
  // The board's address on the page's simulated LAN, where its app serves (upstream's image does).
  const lan: { network: BoardNetwork | null } = { network: null };
  joinVirtualLan(mac, () => lan.network);
  const board = new VirtualBoard({
    chip: model.chip,
    flashSize: model.flashSize,
    usbSerialJtag: model.usbSerialJtag,
    ...(model.security ? { security: model.security } : {}),
    ...(model.connection ? { connection: model.connection } : {}),
    ...(model.autoReset !== undefined ? { autoReset: model.autoReset } : {}),
    ...(model.heldElsewhere ? { heldElsewhere: true } : {}),
    mac,
    app: options.makeApp ? options.makeApp() : demoBoardFirmware(lan),
  });
  // Written before the chip comes out of reset (the board boots on a timer).
  for (const part of options.flash ?? []) board.flash.set(part.data, part.offset);
  if (options.onConsole) board.onConsole(options.onConsole);
  return { board, port: board.port, label: `${model.label}, demo board`, virtual: true };
}
