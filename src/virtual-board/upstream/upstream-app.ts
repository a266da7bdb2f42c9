/**
 * A virtual board running an upstream pyDirect image (jetpax/pyDirect 362a8cc): MicroPython with
 * upstream's C modules in their upstream flavour (`webrtc` without end-of-candidates, `webrepl_binary`,
 * `esp.osdebug`, …) and ESP-IDF's log lines on the console at the image's level (INFO on the S3
 * image). The device scripts are the caller's (`frozenFiles`): the project carries its own
 * fixtures written to behave like upstream's, never upstream's files.
 *
 * `httpserver` is Node-only (a real TLS server); add `httpServerModuleHook()` to `modules` in Node.
 */
import { createMicroPythonApp, type MicroPythonAppFactory, type MicroPythonAppOptions } from "../micropython";
import type { VirtualAccessPoint, WifiEvent } from "../micropython/virtual-wifi";
import type { AppContext } from "../types";
import { webrtcModuleHook, type WebrtcHookOptions } from "../webrtc/module-hook";
import { IdfLog, type IdfLogOptions } from "./idf-log";
import { upstreamModulesHook, type UpstreamModulesHook } from "./module-hook";

export interface UpstreamAppOptions extends MicroPythonAppOptions {
  /** ESP-IDF log configuration of the image (default: upstream S3's INFO, colours on). */
  idfLog?: IdfLogOptions;
  /** The `webrtc` module's stack; default the platform's; false: no `webrtc` module. */
  webrtc?: WebrtcHookOptions | false;
}

export interface UpstreamAppFactory extends MicroPythonAppFactory {
  readonly idfLog: IdfLog;
  readonly modules: UpstreamModulesHook;
}

/**
 * The Wi-Fi driver's and MicroPython's lines for a Wi-Fi event, in ESP-IDF's words. Sources:
 * MicroPython ports/esp32/network_wlan.c `ESP_LOGI("network", "CONNECTED")` and
 * `ESP_LOGI("network", "GOT_IP")` (read in the reference corpus); esp_netif's
 * `sta ip: …, mask: …, gw: …` (esp_netif_handlers.c, from memory); the closed Wi-Fi library's
 * `wifi:` lines as every ESP32 station boot log shows them (state machine init → auth → assoc →
 * run, `connected with <ssid>, aid = 1, channel <n>, BW20, bssid = …`, `security: …, rssi: …`).
 * The BSSID is made up from the SSID (the virtual access points have none).
 */
export function wifiLogLines(log: IdfLog, event: WifiEvent, accessPoints: readonly VirtualAccessPoint[]): void {
  const ap = "ssid" in event ? accessPoints.find((a) => a.ssid === event.ssid) : undefined;
  const channel = ap?.channel ?? 1;
  switch (event.state) {
    case "connecting":
      log.log(
        3,
        "wifi",
        `new:<${String(channel)},0>, old:<1,0>, ap:<255,255>, sta:<${String(channel)},0>, prof:1`,
        true,
      );
      log.log(3, "wifi", "state: init -> auth (b0)", true);
      break;
    case "connected": {
      const bssid = fakeBssid(event.ssid);
      const security = ap?.security === "open" ? "OPEN" : "WPA2-PSK";
      log.log(3, "wifi", "state: auth -> assoc (0)", true);
      log.log(3, "wifi", "state: assoc -> run (10)", true);
      log.log(
        3,
        "wifi",
        `connected with ${event.ssid}, aid = 1, channel ${String(channel)}, BW20, bssid = ${bssid}`,
        true,
      );
      log.log(3, "wifi", `security: ${security}, phy: bgn, rssi: ${String(ap?.rssi ?? -60)}`, true);
      log.log(3, "wifi", "pm start, type: 1", true);
      log.log(3, "network", "CONNECTED");
      const gw = event.ip.replace(/\.\d+$/, ".1");
      log.log(3, "esp_netif_handlers", `sta ip: ${event.ip}, mask: 255.255.255.0, gw: ${gw}`);
      log.log(3, "network", "GOT_IP");
      break;
    }
    case "failed":
      // 802.11 reason codes: 15 4-way handshake timeout (wrong passphrase), 201 NO_AP_FOUND.
      log.log(3, "wifi", `state: auth -> init (${event.reason === "wrong-password" ? "200" : "0"})`, true);
      log.log(3, "wifi", `STA_DISCONNECTED, reason:${event.reason === "wrong-password" ? "15" : "201"}`);
      break;
    case "disconnected":
      log.log(3, "wifi", "state: run -> init (0)", true);
      log.log(3, "network", "DISCONNECTED");
      break;
  }
}

function fakeBssid(ssid: string): string {
  let h = 0x2f;
  const bytes = [0x02];
  for (let i = 0; i < 5; i++) {
    for (const c of ssid) h = (h * 31 + c.charCodeAt(0) + i) & 0xff;
    bytes.push(h);
  }
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

export function createUpstreamPyDirectApp(options: UpstreamAppOptions = {}): UpstreamAppFactory {
  const idfLog = new IdfLog(options.idfLog);
  const modules = upstreamModulesHook(idfLog);
  const inner = createMicroPythonApp({
    ...options,
    modules: [
      modules,
      ...(options.webrtc === false ? [] : [webrtcModuleHook(options.webrtc)]),
      ...(options.modules ?? []),
    ],
  });
  inner.onWifi((e) => wifiLogLines(idfLog, e, options.accessPoints ?? []));
  // Everything the app writes to the console passes the log's interleave hook; the factory's own
  // properties (current, wifi, onWifi…) are the inner app's, getters included.
  const app = new Proxy(inner, {
    apply: (target, _this, args: [AppContext]) => target({ ...args[0], write: idfLog.wrapConsole(args[0].write) }),
  });
  return Object.assign(app, { idfLog, modules });
}
