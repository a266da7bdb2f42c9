/**
 * Networks a board sees, as the Wi-Fi picker lists them, whichever way they were scanned: the
 * pyDirect board's `network.WLAN.scan()` over the raw REPL, or an Improv device's RPC 4. Pure:
 * parsing, one row per SSID (the strongest access point of a mesh or a dual-band router), strongest
 * first. Hidden networks (empty SSID) are left to the "hidden network" entry.
 */
import { WifiError } from "./errors";
import { securityFromAuthMode, signalBars, type WifiSecurity } from "../provision/wifi-settings";

export interface WifiNetwork {
  ssid: string;
  /** dBm, as the radio reports it. */
  rssi: number;
  /** 0–4 bars. */
  bars: number;
  /** A password is needed to join. */
  secured: boolean;
  /** From a MicroPython scan; Improv says only "auth required" (null). */
  security: WifiSecurity | null;
  /** From a MicroPython scan; Improv does not report it (null). */
  channel: number | null;
}

/** "4 of 4 bars, strong": what the bars say, for screen readers and in the row's text. */
export function signalText(bars: number): string {
  const word = bars >= 4 ? "excellent" : bars === 3 ? "good" : bars === 2 ? "fair" : bars === 1 ? "weak" : "very weak";
  return `signal ${bars} of 4 bars, ${word}`;
}

/** One row per SSID, the strongest kept; empty SSIDs dropped; strongest first, then by name. */
export function bestPerSsid(networks: readonly WifiNetwork[]): WifiNetwork[] {
  const best = new Map<string, WifiNetwork>();
  for (const n of networks) {
    if (n.ssid.length === 0) continue;
    const seen = best.get(n.ssid);
    if (!seen || seen.rssi < n.rssi) best.set(n.ssid, n);
  }
  return [...best.values()].sort((a, b) => b.rssi - a.rssi || a.ssid.localeCompare(b.ssid));
}

const malformed = (what: string) =>
  new WifiError(
    "scan-failed",
    `The board's Wi-Fi scan came back malformed (${what}). Scan again; if it repeats, reset the board.`,
    {
      action: "retry",
    },
  );

/**
 * Rows as the portal's scan snippet prints them (`SCAN_WIFI`): `[ssid hex, channel, rssi, auth mode, hidden]`.
 * SSIDs travel as hex because they are bytes, not always UTF-8.
 */
export function parseMicroPythonScan(rows: unknown): WifiNetwork[] {
  if (!Array.isArray(rows)) throw malformed("not a list");
  const decoder = new TextDecoder();
  const out: WifiNetwork[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length < 4) throw malformed("a row is not [ssid, channel, rssi, auth]");
    const [ssidHex, channel, rssi, auth] = row as unknown[];
    if (typeof ssidHex !== "string" || !/^(?:[0-9a-fA-F]{2})*$/.test(ssidHex)) throw malformed("an SSID is not hex");
    if (![channel, rssi, auth].every((v) => typeof v === "number" && Number.isFinite(v)))
      throw malformed("a number is missing");
    const bytes = new Uint8Array((ssidHex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16)));
    const security = securityFromAuthMode(auth as number);
    out.push({
      ssid: decoder.decode(bytes),
      rssi: rssi as number,
      bars: signalBars(rssi as number),
      secured: security !== "open" && security !== "owe",
      security,
      channel: channel as number,
    });
  }
  return bestPerSsid(out);
}

/** Improv's scan results (`ssid`, `rssi`, auth required), as the Improv client collects them. */
export function fromImprovScan(results: readonly { ssid: string; rssi: number; secured: boolean }[]): WifiNetwork[] {
  return bestPerSsid(
    results.map((r) => ({
      ssid: r.ssid,
      rssi: Number.isFinite(r.rssi) ? r.rssi : -100,
      bars: signalBars(Number.isFinite(r.rssi) ? r.rssi : -100),
      secured: r.secured,
      security: null,
      channel: null,
    })),
  );
}
