/**
 * The radio side of the simulated `network` module: access points in range, the station's
 * connection attempt and its outcome. State is computed from timestamps, so Python sees the same
 * answer whether it polls with a cooperative sleep or a blocking one.
 */

export type WifiSecurity =
  "open" | "wep" | "wpa-psk" | "wpa2-psk" | "wpa-wpa2-psk" | "wpa2-enterprise" | "wpa3-psk" | "wpa2-wpa3-psk";

export interface VirtualAccessPoint {
  ssid: string;
  /** Required to join unless security is "open". */
  passphrase?: string;
  /** dBm, default -55. */
  rssi?: number;
  security?: WifiSecurity;
  channel?: number;
  /** Hidden networks do not answer scans but can be joined by name. */
  hidden?: boolean;
  /** "aa:bb:cc:dd:ee:ff"; derived from the SSID when absent. */
  bssid?: string;
}

/** How long each outcome of `WLAN.connect` takes, in ms. */
export interface ConnectDelays {
  connected: number;
  wrongPassword: number;
  noApFound: number;
}

export const DEFAULT_CONNECT_DELAYS: ConnectDelays = { connected: 1500, wrongPassword: 2200, noApFound: 2800 };

/** MicroPython's ESP32 `network.STAT_*` values. */
export const STAT = {
  IDLE: 1000,
  CONNECTING: 1001,
  GOT_IP: 1010,
  BEACON_TIMEOUT: 200,
  NO_AP_FOUND: 201,
  WRONG_PASSWORD: 202,
  ASSOC_FAIL: 203,
  HANDSHAKE_TIMEOUT: 204,
} as const;

export const AUTH: Record<WifiSecurity, number> = {
  open: 0,
  wep: 1,
  "wpa-psk": 2,
  "wpa2-psk": 3,
  "wpa-wpa2-psk": 4,
  "wpa2-enterprise": 5,
  "wpa3-psk": 6,
  "wpa2-wpa3-psk": 7,
};

/** What tests and the portal's virtual mode observe; never carries the passphrase. */
export type WifiEvent =
  | { state: "connecting"; ssid: string }
  | { state: "connected"; ssid: string; ip: string; hostname: string }
  | { state: "failed"; ssid: string; reason: "wrong-password" | "no-ap-found" }
  | { state: "disconnected" };

export interface WifiSnapshot {
  active: boolean;
  status: number;
  ssid: string | null;
  ip: string | null;
  hostname: string;
  /**
   * The name (without `.local`) the board's mDNS responder answers for, while it has an address;
   * null when it has none or no responder runs. MicroPython's esp32 port starts the responder at
   * the station's first GOT_IP with the hostname set then (`network.hostname()`), and never renames
   * it (ports/esp32/network_wlan.c, IP_EVENT_STA_GOT_IP: mdns_init, mdns_hostname_set once
   * `mdns_initialised`); MICROPY_HW_ENABLE_MDNS_RESPONDER is on by default (ports/esp32/mpconfigport.h).
   */
  mdns: string | null;
}

interface Attempt {
  ssid: string;
  startedAt: number;
  doneAt: number;
  outcome: number;
  ap: VirtualAccessPoint | undefined;
}

export interface VirtualWifiOptions {
  accessPoints: VirtualAccessPoint[];
  delays: ConnectDelays;
  ip: string;
  hostname: string;
  now?: () => number;
  /** The firmware runs mDNS responder (MicroPython's esp32 default); false for a build without. */
  mdnsResponder?: boolean;
}

export class VirtualWifi {
  active = false;
  hostname: string;
  /** The responder's name once started (first GOT_IP of this boot); it keeps it from then on. */
  private mdnsName: string | null = null;
  private attempt: Attempt | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(e: WifiEvent) => void>();
  private readonly now: () => number;

  constructor(private readonly options: VirtualWifiOptions) {
    this.hostname = options.hostname;
    this.now = options.now ?? (() => Date.now());
  }

  onEvent(listener: (e: WifiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setActive(on: boolean): void {
    if (!on) this.disconnect();
    this.active = on;
  }

  /** Access points a scan finds, strongest first, as (ssid, bssid, channel, rssi, auth, hidden). */
  scan(): Array<{ ssid: string; bssid: string; channel: number; rssi: number; auth: number; hidden: boolean }> {
    return this.options.accessPoints
      .filter((ap) => !ap.hidden)
      .map((ap) => ({
        ssid: ap.ssid,
        bssid: ap.bssid ?? bssidFor(ap.ssid),
        channel: ap.channel ?? 6,
        rssi: ap.rssi ?? -55,
        auth: AUTH[ap.security ?? "wpa2-psk"],
        hidden: false,
      }))
      .sort((a, b) => b.rssi - a.rssi);
  }

  connect(ssid: string, key: string): void {
    this.disconnect();
    const ap = this.options.accessPoints.find((a) => a.ssid === ssid);
    const { delays } = this.options;
    let outcome: number;
    let delay: number;
    if (!ap) [outcome, delay] = [STAT.NO_AP_FOUND, delays.noApFound];
    else if ((ap.security ?? "wpa2-psk") !== "open" && (ap.passphrase ?? "") !== key)
      [outcome, delay] = [STAT.WRONG_PASSWORD, delays.wrongPassword];
    else [outcome, delay] = [STAT.GOT_IP, delays.connected];
    const startedAt = this.now();
    this.attempt = { ssid, startedAt, doneAt: startedAt + delay, outcome, ap };
    this.emit({ state: "connecting", ssid });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // The event and status() must agree. Node runs a timer by its loop's cached clock, which can
      // lag Date.now() at connect() by a millisecond, so the timer may fire just before doneAt;
      // the outcome is reached when it fires.
      if (this.attempt) this.attempt.doneAt = Math.min(this.attempt.doneAt, this.now());
      if (outcome === STAT.GOT_IP) {
        if (this.options.mdnsResponder !== false) this.mdnsName ??= this.hostname;
        this.emit({ state: "connected", ssid, ip: this.options.ip, hostname: this.hostname });
      } else
        this.emit({
          state: "failed",
          ssid,
          reason: outcome === STAT.WRONG_PASSWORD ? "wrong-password" : "no-ap-found",
        });
    }, delay);
  }

  disconnect(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const had = this.attempt;
    this.attempt = undefined;
    if (had && had.outcome === STAT.GOT_IP && this.now() >= had.doneAt) this.emit({ state: "disconnected" });
  }

  status(): number {
    const a = this.attempt;
    if (!this.active || !a) return STAT.IDLE;
    return this.now() < a.doneAt ? STAT.CONNECTING : a.outcome;
  }

  isConnected(): boolean {
    return this.status() === STAT.GOT_IP;
  }

  rssi(): number {
    return this.isConnected() ? (this.attempt?.ap?.rssi ?? -55) : 0;
  }

  connectedSsid(): string | null {
    return this.isConnected() ? (this.attempt?.ssid ?? null) : null;
  }

  ifconfig(): [string, string, string, string] {
    if (!this.isConnected()) return ["0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0"];
    const ip = this.options.ip;
    const gw = ip.split(".").slice(0, 3).concat("1").join(".");
    return [ip, "255.255.255.0", gw, gw];
  }

  snapshot(): WifiSnapshot {
    const connected = this.isConnected();
    return {
      active: this.active,
      status: this.status(),
      ssid: this.connectedSsid(),
      ip: connected ? this.options.ip : null,
      hostname: this.hostname,
      mdns: connected ? this.mdnsName : null,
    };
  }

  /** Power off: no more events. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private emit(e: WifiEvent): void {
    for (const l of this.listeners) l(e);
  }
}

/** A stable, locally administered BSSID per SSID, so scans look the same every time. */
function bssidFor(ssid: string): string {
  let h = 0x811c9dc5;
  for (const ch of ssid) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const bytes = [0x02, 0x1a, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}
