/**
 * The virtual board's MicroPython application. Give the factory to the board:
 *
 *     const app = createMicroPythonApp({ accessPoints: [{ ssid: "Workshop", passphrase: "pw12345678" }] });
 *     const board = new VirtualBoard({ app });            // or board.appFactory = app
 *     app.onStatus((e) => …);                             // PYDIRECT status lines, parsed
 *     await app.waitForWifi("connected");                 // or app.wifi for the current state
 *
 * After a valid app image boots, the board runs real MicroPython (WebAssembly) on its console:
 * friendly/raw/raw-paste REPL, files kept in the flash `vfs` partition, the frozen pyDirect device
 * scripts (firmware/device) run at boot, a simulated `network` radio and `machine` identity.
 */
import type { AppContext, AppRuntimeFactory } from "../types";
import { FROZEN_DEVICE_FILES } from "./frozen-device.generated";
import { MicroPythonRuntime, type DeviceStatusEvent, type MicroPythonModuleHook } from "./runtime";
import {
  DEFAULT_CONNECT_DELAYS,
  type ConnectDelays,
  type VirtualAccessPoint,
  type WifiEvent,
  type WifiSnapshot,
} from "./virtual-wifi";

export type { MicroPythonInstance } from "./load-wasm";
export type { DeviceStatusEvent, MicroPythonModuleHook } from "./runtime";
export { MicroPythonRuntime } from "./runtime";
export type { ConnectDelays, VirtualAccessPoint, WifiEvent, WifiSecurity, WifiSnapshot } from "./virtual-wifi";
export { STAT as WIFI_STAT } from "./virtual-wifi";

export interface MicroPythonAppOptions {
  /** Networks in range of the board's radio. */
  accessPoints?: VirtualAccessPoint[];
  /** How long `WLAN.connect` takes to succeed or fail (ms): one figure for all outcomes, or per outcome. */
  connectDelayMs?: number | Partial<ConnectDelays>;
  /** false: behave like firmware without raw-paste mode (answers "R\x00"). Default true. */
  rawPaste?: boolean;
  /** The address DHCP hands the board. Default 192.168.4.23. */
  ip?: string;
  /** Register JS-backed modules (webrtc, httpserver…) on each interpreter before boot.py runs. */
  modules?: MicroPythonModuleHook[];
  /** Replace the frozen device scripts (path → text), e.g. to test a board without main.py. */
  frozenFiles?: Record<string, string>;
  /** How sleeps in plain functions wait; default: block the thread (see InterpreterHost.blockingWait). */
  blockingWait?: (ms: number, interruptible: boolean) => boolean;
  /**
   * With the default blockingWait (the interpreter on this thread, Node): how long Python may hold
   * the thread in blocking sleeps without one turn of the event loop before the board interrupts it
   * (see runtime.ts THREAD_HELD_LIMIT_MS). Default 20 s.
   */
  threadHeldLimitMs?: number;
  /** Told after every write of the filesystem image into the board's flash. */
  onFlashWritten?: (offset: number, length: number) => void;
}

export interface MicroPythonAppFactory extends AppRuntimeFactory {
  (ctx: AppContext): MicroPythonRuntime;
  /** The app running now (undefined while the board is off, in reset or in download mode). */
  readonly current: MicroPythonRuntime | undefined;
  /** Radio state of the running app. */
  readonly wifi: WifiSnapshot | undefined;
  /** Wi-Fi events of every boot of this app (never carries the passphrase). */
  onWifi(listener: (e: WifiEvent) => void): () => void;
  /** Status lines (`PYDIRECT {...}`) the device scripts print, parsed. */
  onStatus(listener: (e: DeviceStatusEvent) => void): () => void;
  /** Resolves with the first status line matching `match` from now on. */
  waitForStatus(match: (e: DeviceStatusEvent) => boolean, timeoutMs?: number): Promise<DeviceStatusEvent>;
  /** Resolves with the next Wi-Fi event of this state (or at once when already connected). */
  waitForWifi(state: WifiEvent["state"], timeoutMs?: number): Promise<WifiEvent>;
  /** Resolves when an app has booted and shown its first prompt. */
  whenReady(timeoutMs?: number): Promise<MicroPythonRuntime>;
}

/** Firmware-owned files are refreshed from the image at every boot; the user's are kept. */
const firmwareOwned = (path: string): boolean => path.startsWith("/lib/") || path === "/settings/default_settings.json";

export function createMicroPythonApp(options: MicroPythonAppOptions = {}): MicroPythonAppFactory {
  const delays: ConnectDelays =
    typeof options.connectDelayMs === "number"
      ? { connected: options.connectDelayMs, wrongPassword: options.connectDelayMs, noApFound: options.connectDelayMs }
      : { ...DEFAULT_CONNECT_DELAYS, ...options.connectDelayMs };
  const wifiListeners = new Set<(e: WifiEvent) => void>();
  const statusListeners = new Set<(e: DeviceStatusEvent) => void>();
  const startListeners = new Set<(r: MicroPythonRuntime) => void>();
  let current: MicroPythonRuntime | undefined;

  const factory = (ctx: AppContext): MicroPythonRuntime => {
    const runtime = new MicroPythonRuntime(
      ctx,
      {
        accessPoints: options.accessPoints ?? [],
        delays,
        rawPaste: options.rawPaste ?? true,
        ip: options.ip ?? "192.168.4.23",
        modules: options.modules ?? [],
        frozenFiles: options.frozenFiles ?? FROZEN_DEVICE_FILES,
        firmwareOwned,
        blockingWait: options.blockingWait,
        threadHeldLimitMs: options.threadHeldLimitMs,
      },
      {
        wifi: (e) => wifiListeners.forEach((l) => l(e)),
        status: (e) => statusListeners.forEach((l) => l(e)),
        flashWritten: options.onFlashWritten,
      },
    );
    current = runtime;
    ctx.signal.addEventListener("abort", () => {
      if (current === runtime) current = undefined;
    });
    startListeners.forEach((l) => l(runtime));
    return runtime;
  };

  const subscribe = <T>(set: Set<T>, listener: T): (() => void) => {
    set.add(listener);
    return () => set.delete(listener);
  };

  const waitFor = <E>(
    set: Set<(e: E) => void>,
    match: (e: E) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<E> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        set.delete(listener);
        reject(new Error(`virtual MicroPython: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (e: E): void => {
        if (!match(e)) return;
        clearTimeout(timer);
        set.delete(listener);
        resolve(e);
      };
      set.add(listener);
    });

  // Accessors need defineProperties: Object.assign would copy their value at this moment.
  Object.defineProperties(factory, {
    current: { get: () => current, enumerable: true },
    wifi: { get: () => current?.wifi, enumerable: true },
  });
  return Object.assign(factory, {
    onWifi: (l: (e: WifiEvent) => void) => subscribe(wifiListeners, l),
    onStatus: (l: (e: DeviceStatusEvent) => void) => subscribe(statusListeners, l),
    waitForStatus: (match: (e: DeviceStatusEvent) => boolean, timeoutMs = 20_000) =>
      waitFor(statusListeners, match, timeoutMs, "matching status line"),
    waitForWifi: (state: WifiEvent["state"], timeoutMs = 20_000): Promise<WifiEvent> => {
      const snap = current?.wifi;
      if (state === "connected" && snap?.ip && snap.ssid) {
        return Promise.resolve({ state: "connected", ssid: snap.ssid, ip: snap.ip, hostname: snap.hostname });
      }
      return waitFor(wifiListeners, (e) => e.state === state, timeoutMs, `Wi-Fi "${state}" event`);
    },
    whenReady: async (timeoutMs = 20_000): Promise<MicroPythonRuntime> => {
      const runtime =
        current ??
        (await new Promise<MicroPythonRuntime>((resolve, reject) => {
          const timer = setTimeout(() => {
            startListeners.delete(onStart);
            reject(new Error(`virtual MicroPython: no app booted within ${timeoutMs} ms`));
          }, timeoutMs);
          const onStart = (r: MicroPythonRuntime): void => {
            clearTimeout(timer);
            startListeners.delete(onStart);
            resolve(r);
          };
          startListeners.add(onStart);
        }));
      await runtime.ready;
      return runtime;
    },
  }) as MicroPythonAppFactory;
}
