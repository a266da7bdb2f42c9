/**
 * The Wi-Fi outcome of a board whose scripts print no status lines (pyDirect upstream's image),
 * read over the raw REPL: join the network the settings file now names, the way upstream's Wi-Fi
 * module does it (station active, hostname, connect with the stored credentials), then poll the
 * `network` module's own state. The credentials never cross the link again: the board reads them
 * from its settings file.
 */
import { printAnswer, type RawRepl } from "../repl/raw-repl";
import { wifiFailure, type WifiOutcome } from "./wifi-outcome";

/** Start joining with the stored settings; prints whether an SSID is configured. */
export const START_WIFI_FROM_SETTINGS = `
import network, json
from lib.sys import settings
try:
    settings.reload()
except Exception:
    pass
_w = network.WLAN(network.STA_IF)
_w.active(True)
try:
    _w.disconnect()
except OSError:
    pass
_h = settings.get('device.hostname')
if _h:
    try:
        _w.config(hostname=_h)
    except Exception:
        try:
            network.hostname(_h)
        except Exception:
            pass
_s = settings.get('wifi.ssid')
if _s:
    _w.connect(_s, settings.get('wifi.password') or '')
${printAnswer("{'configured': bool(_s)}")}`;

/**
 * The station's state, the STAT_* names this port defines (their numbers differ between ports and
 * MicroPython versions, so the host maps names, not numbers), the address and the hostname the
 * settings file gives the board.
 */
export const POLL_WIFI = `
import network, json
_w = network.WLAN(network.STA_IF)
_c = _w.isconnected()
_r = {'status': _w.status(), 'connected': _c, 'ip': _w.ifconfig()[0] if _c else None, 'hostname': None, 'codes': {}}
for _n in ('STAT_IDLE', 'STAT_CONNECTING', 'STAT_GOT_IP', 'STAT_WRONG_PASSWORD', 'STAT_NO_AP_FOUND', 'STAT_CONNECT_FAIL',
           'STAT_BEACON_TIMEOUT', 'STAT_ASSOC_FAIL', 'STAT_HANDSHAKE_TIMEOUT'):
    if hasattr(network, _n):
        _r['codes'][_n] = getattr(network, _n)
if _c:
    try:
        from lib.sys import settings
        _r['hostname'] = settings.get('device.hostname')
    except Exception:
        pass
    if not _r['hostname']:
        try:
            _r['hostname'] = network.hostname()
        except Exception:
            pass
${printAnswer("_r")}`;

export interface WifiPoll {
  status: number;
  connected: boolean;
  ip: string | null;
  hostname: string | null;
  /** STAT_* name → number on this board. */
  codes: Record<string, number>;
}

/** One poll read as an outcome, or "pending" while the station is still joining. */
export function outcomeFromPoll(poll: WifiPoll, ssid: string): WifiOutcome | "pending" {
  if (poll.connected && poll.ip && poll.ip !== "0.0.0.0")
    return { state: "connected", ip: poll.ip, hostname: poll.hostname ?? "" };
  const name = Object.entries(poll.codes).find(([, code]) => code === poll.status)?.[0];
  switch (name) {
    case "STAT_WRONG_PASSWORD":
      return wifiFailure("wrong-password", true);
    case "STAT_HANDSHAKE_TIMEOUT":
      // The ESP32 port's name for a WPA handshake the access point never completed: a wrong key.
      return wifiFailure(
        "wrong-password",
        true,
        `The board found ${ssid} but the WPA handshake did not complete, which almost always means a wrong password. Correct the password and try again.`,
      );
    case "STAT_NO_AP_FOUND":
      return wifiFailure("network-not-found", true);
    case "STAT_CONNECT_FAIL":
    case "STAT_ASSOC_FAIL":
    case "STAT_BEACON_TIMEOUT":
      return wifiFailure(
        "timeout",
        true,
        `The board could not join ${ssid}: the access point refused or dropped the connection (MicroPython ${name}). Check the network's settings (MAC filtering, client limit) and try again.`,
      );
    default:
      return "pending";
  }
}

export interface ReplWifiOptions {
  timeoutMs: number;
  /** Between polls; default 250 ms (each poll is one short raw-REPL exchange). */
  pollIntervalMs?: number;
  onConnecting?: () => void;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Join the configured network over the REPL and wait for the station's verdict. */
export async function awaitWifiOverRepl(repl: RawRepl, ssid: string, options: ReplWifiOptions): Promise<WifiOutcome> {
  const started = await repl.execJson<{ configured: boolean }>(START_WIFI_FROM_SETTINGS);
  if (!started.configured) return wifiFailure("not-configured", true);
  options.onConnecting?.();
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal?.aborted) return wifiFailure("timeout", true);
    const outcome = outcomeFromPoll(await repl.execJson<WifiPoll>(POLL_WIFI), ssid);
    if (outcome !== "pending") return outcome;
    if (Date.now() >= deadline) return wifiFailure("timeout", true);
    await sleep(options.pollIntervalMs ?? 250);
  }
}
