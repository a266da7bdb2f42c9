import { ProvisionError } from "./errors";

/** What the user chose for the board's Wi-Fi. `password` absent or "" means an open network. */
export interface WifiCredentials {
  ssid: string;
  password?: string;
  /** Typed by hand rather than picked from a scan (the network does not broadcast its name). */
  hidden?: boolean;
}

export const SSID_MAX_BYTES = 32;
export const PASSPHRASE_MIN = 8;
export const PASSPHRASE_MAX = 63;

const utf8 = new TextEncoder();

function invalid(field: "ssid" | "password", reason: string, message: string): ProvisionError {
  return new ProvisionError(field === "ssid" ? "invalid-ssid" : "invalid-password", message, { field, reason });
}

/**
 * Check Wi-Fi settings before anything is written to a board. Returns the credentials as they
 * will be stored (open network → empty password); throws a `ProvisionError` naming the field and
 * the reason otherwise.
 */
export function validateWifiCredentials(input: WifiCredentials): Required<WifiCredentials> {
  const { ssid } = input;
  if (typeof ssid !== "string" || ssid.length === 0) {
    throw invalid("ssid", "empty", "Enter the network name (SSID).");
  }
  if (ssid.includes("\u0000")) {
    throw invalid(
      "ssid",
      "nul-character",
      "The network name contains a NUL character, which Wi-Fi drivers cannot store.",
    );
  }
  if (!isWellFormedUnicode(ssid)) {
    throw invalid("ssid", "malformed-text", "The network name contains a broken character; type it again.");
  }
  const ssidBytes = utf8.encode(ssid).length;
  if (ssidBytes > SSID_MAX_BYTES) {
    throw invalid(
      "ssid",
      "too-long",
      `The network name is ${ssidBytes} bytes in UTF-8; Wi-Fi allows at most ${SSID_MAX_BYTES}.`,
    );
  }
  const password = input.password ?? "";
  if (password.length > 0) checkPassphrase(password);
  return { ssid, password, hidden: input.hidden ?? false };
}

function checkPassphrase(password: string): void {
  if (password.length === 64) {
    if (/^[0-9a-fA-F]{64}$/.test(password)) return;
    throw invalid(
      "password",
      "not-hex",
      "A 64-character Wi-Fi key must be 64 hexadecimal digits (a raw WPA key); a passphrase has at most 63 characters.",
    );
  }
  if (password.includes("\u0000")) {
    throw invalid(
      "password",
      "nul-character",
      "The Wi-Fi password contains a NUL character, which WPA does not allow.",
    );
  }
  if (!/^[\x20-\x7e]*$/.test(password)) {
    throw invalid(
      "password",
      "not-printable-ascii",
      "A WPA2 passphrase may only contain printable ASCII characters (letters, digits, spaces and symbols; no accents, emoji or line breaks).",
    );
  }
  if (password.length < PASSPHRASE_MIN) {
    throw invalid(
      "password",
      "too-short",
      `The Wi-Fi password has ${password.length} characters; WPA2 needs at least ${PASSPHRASE_MIN}. Leave it empty for an open network.`,
    );
  }
  if (password.length > PASSPHRASE_MAX) {
    throw invalid(
      "password",
      "too-long",
      `The Wi-Fi password has ${password.length} characters; WPA2 allows at most ${PASSPHRASE_MAX}.`,
    );
  }
}

function isWellFormedUnicode(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Security of a scanned network as the picker shows it (ESP-IDF `wifi_auth_mode_t` order). */
export type WifiSecurity =
  | "open"
  | "wep"
  | "wpa-psk"
  | "wpa2-psk"
  | "wpa-wpa2-psk"
  | "wpa2-enterprise"
  | "wpa3-psk"
  | "wpa2-wpa3-psk"
  | "wapi-psk"
  | "owe"
  | "unknown";

const AUTH_MODES: WifiSecurity[] = [
  "open",
  "wep",
  "wpa-psk",
  "wpa2-psk",
  "wpa-wpa2-psk",
  "wpa2-enterprise",
  "wpa3-psk",
  "wpa2-wpa3-psk",
  "wapi-psk",
  "owe",
];

export function securityFromAuthMode(mode: number): WifiSecurity {
  return AUTH_MODES[mode] ?? "unknown";
}

export interface ScannedNetwork {
  ssid: string;
  /** dBm, as the radio reports it. */
  rssi: number;
  /** 0–4 bars for the picker. */
  bars: number;
  security: WifiSecurity;
  channel: number;
  /** Whether the picker should ask for a password. */
  needsPassword: boolean;
}

export function signalBars(rssi: number): number {
  if (rssi >= -55) return 4;
  if (rssi >= -67) return 3;
  if (rssi >= -78) return 2;
  if (rssi >= -89) return 1;
  return 0;
}
