/**
 * The hook that gives the virtual board's MicroPython the modules upstream pyDirect's image has
 * beside `webrtc` and `httpserver`: `esp` (osdebug and ESP-IDF's log level), `esp32`,
 * `machine.Pin`, `neopixel`, `_thread`, `socket`, `ssl`, `wsserver`, `usbmodem` (no modem on the
 * USB host port) and `webrepl_binary` (WBP over the DataChannel). Browser-safe.
 */
import { installPythonModule } from "../micropython/install-python-module";
import { IdfLog, type IdfLogLevel } from "./idf-log";
import {
  ESP32_PY,
  ESP_PY,
  NEOPIXEL_PY,
  PIN_PY,
  SOCKET_PY,
  SSL_PY,
  THREAD_PY,
  USBMODEM_PY,
  WSSERVER_PY,
} from "./upstream-shims.py";
import { logFrame, progress, resultFrame, WbpSession } from "./wbp-session";
import { encodeCbor } from "./cbor";
import { WEBREPL_BINARY_PY } from "./webrepl-binary.py";

interface MicroPythonLike {
  registerJsModule(name: string, module: object): void;
  runPython(code: string): unknown;
  globals: { set(key: string, value: unknown): void };
}

interface HookContext {
  write(bytes: Uint8Array): void;
  board: { flashSize?: number };
}

export interface UpstreamModulesHook {
  (mp: MicroPythonLike, ctx: HookContext): () => void;
  /** ESP-IDF's log on this board's console (level, forced lines, every line printed). */
  readonly idfLog: IdfLog;
  /** The WBP state of the current boot (null before the first). */
  readonly wbp: WbpSession | null;
}

const toBase64 = (bytes: Uint8Array): string => {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export function upstreamModulesHook(idfLog: IdfLog = new IdfLog()): UpstreamModulesHook {
  const booted = new WeakSet<object>();
  let wbp: WbpSession | null = null;
  const hook = (mp: MicroPythonLike, ctx: HookContext) => {
    const sink = (bytes: Uint8Array) => ctx.write(bytes);
    // A new AppContext is a chip boot; the same one again is MicroPython's soft reset, after
    // which esp_log_level_set's setting still holds.
    if (booted.has(ctx)) idfLog.attach(sink);
    else {
      booted.add(ctx);
      idfLog.chipBoot(sink);
    }
    const session = new WbpSession({
      log: (level, text) => idfLog.log(level, "WEBREPL", text),
      // mp_sched_keyboard_interrupt has no counterpart for code run from process_queue here.
      interrupt: () => undefined,
    });
    wbp = session;
    const startedAt = Date.now();
    mp.registerJsModule("_upstream_js", {
      log: (level: number, tag: string, text: string) => idfLog.log(level as IdfLogLevel, tag, text),
      osdebug: (uartIsNone: boolean, level: number) => {
        if (uartIsNone) idfLog.setLevel(1);
        else idfLog.setLevel(level < 0 ? idfLog.maximumLevel : level);
      },
      flash_size: () => ctx.board.flashSize ?? 8 * 1024 * 1024,
      wbp_start: (password: string) => session.start(password),
      wbp_start_rtc: () => session.startRtc() ?? "",
      wbp_channel: (open: boolean) => session.updateChannelState(open),
      wbp_stop: () => session.stop(),
      wbp_running: () => session.running(),
      wbp_can_send: () => session.canSend(),
      wbp_on_data: (b64: string) => JSON.stringify(session.onData(fromBase64(b64)).map(toBase64)),
      wbp_next: () => {
        const next = session.nextExec();
        return next ? JSON.stringify(next) : "";
      },
      wbp_result: (channel: number, text: string, id: string) => toBase64(resultFrame(channel, text, id || null)),
      wbp_progress: (channel: number, status: number, error: string, id: string) =>
        toBase64(progress(channel, status, error || null, id || null)),
      wbp_info: (json: string) => toBase64(encodeCbor([0, 3, json])),
      wbp_log: (level: number, message: string, source: string) =>
        toBase64(logFrame(level, message, Math.floor((Date.now() - startedAt) / 1000), source || null)),
    });
    installPythonModule(mp, "esp", ESP_PY);
    installPythonModule(mp, "esp32", ESP32_PY);
    installPythonModule(mp, "neopixel", NEOPIXEL_PY);
    installPythonModule(mp, "_thread", THREAD_PY);
    installPythonModule(mp, "socket", SOCKET_PY);
    installPythonModule(mp, "ssl", SSL_PY);
    installPythonModule(mp, "wsserver", WSSERVER_PY);
    installPythonModule(mp, "usbmodem", USBMODEM_PY);
    installPythonModule(mp, "webrepl_binary", WEBREPL_BINARY_PY);
    mp.globals.set("__vb_pin_src", PIN_PY);
    mp.runPython(
      [
        "import sys",
        "__vb_ns = {}",
        "exec(__vb_pin_src, __vb_ns)",
        "sys.modules['machine'].Pin = __vb_ns['Pin']",
        "sys.modules['usocket'] = sys.modules['socket']",
        "del __vb_ns, __vb_pin_src",
      ].join("\n"),
    );
    return () => {
      session.stop();
      idfLog.detach();
    };
  };
  Object.defineProperty(hook, "wbp", { get: () => wbp, enumerable: true });
  return Object.assign(hook, { idfLog }) as UpstreamModulesHook;
}
