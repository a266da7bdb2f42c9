import type { SerialPortLike } from "../port/serial-port";
import { DeviceFiles } from "../repl/device-files";
import { RawRepl, type RawReplOptions } from "../repl/raw-repl";
import { READ_IDENTITY, SCAN_WIFI } from "./device-scripts";
import { ProvisionError } from "./errors";
import { DEFAULT_HOSTNAME_PREFIX, defaultHostname, type DeviceIdentity } from "./identity";
import {
  DEFAULT_SETTINGS_PATH,
  USER_SETTINGS_PATH,
  getSetting,
  parseSettings,
  type SettingsTree,
} from "./settings-file";
import type { ScannedNetwork } from "./wifi-settings";
import { parseMicroPythonScan } from "../wifi/wifi-networks";

interface RawIdentity {
  mac: string;
  uid: string;
  machine: string;
  release: string;
  version: string | null;
  settings_module: boolean;
}

export interface BoardSettings {
  defaults: SettingsTree;
  /** null when the file does not exist. */
  user: SettingsTree | null;
  /** The user file exists but is not a JSON object (it is kept as a backup when rewritten). */
  userUnreadable: boolean;
  userText: string | null;
}

export async function readBoardSettings(
  files: DeviceFiles,
  options: { defaults?: boolean } = {},
): Promise<BoardSettings> {
  const readDefaults = (options.defaults ?? true) && (await files.exists(DEFAULT_SETTINGS_PATH));
  const defaults = readDefaults ? parseSettings(await files.readText(DEFAULT_SETTINGS_PATH)) : null;
  let user: SettingsTree | null = null;
  let userText: string | null = null;
  let userUnreadable = false;
  if (await files.exists(USER_SETTINGS_PATH)) {
    userText = await files.readText(USER_SETTINGS_PATH);
    user = parseSettings(userText);
    userUnreadable = user === null;
  }
  return { defaults: defaults ?? {}, user, userUnreadable, userText };
}

function formatMac(hex: string): string {
  return (hex.toLowerCase().match(/../g) ?? []).join(":");
}

/** Read who the board is. Throws `device-not-pydirect` for MicroPython without pyDirect's settings. */
export async function readDeviceIdentity(repl: RawRepl, settings?: BoardSettings): Promise<DeviceIdentity> {
  const raw = await repl.execJson<RawIdentity>(READ_IDENTITY);
  const files = new DeviceFiles(repl);
  const s = settings ?? (await readBoardSettings(files));
  if (!raw.settings_module && Object.keys(s.defaults).length === 0) {
    throw new ProvisionError(
      "device-not-pydirect",
      "This board runs MicroPython but not pyDirect (no settings module). Flash pyDirect first, then provision it.",
    );
  }
  const pick = (key: string): unknown => (s.user ? getSetting(s.user, key) : undefined) ?? getSetting(s.defaults, key);
  const prefix = pick("wifi.hostname_prefix");
  const hostname = pick("device.hostname");
  return {
    mac: formatMac(raw.mac),
    uniqueId: raw.uid.toLowerCase(),
    chip: raw.machine,
    micropythonVersion: raw.release,
    firmwareVersion: raw.version,
    hostnamePrefix: typeof prefix === "string" && prefix.length > 0 ? prefix : DEFAULT_HOSTNAME_PREFIX,
    hostname: typeof hostname === "string" && hostname.length > 0 ? hostname : null,
  };
}

/** Networks the board sees, strongest first, one row per SSID; hidden networks are left to manual entry. */
export async function scanNetworks(repl: RawRepl, timeoutMs = 20_000): Promise<ScannedNetwork[]> {
  const networks = parseMicroPythonScan(await repl.execJson<unknown>(SCAN_WIFI, { timeoutMs }));
  return networks.map((n) => ({
    ssid: n.ssid,
    rssi: n.rssi,
    bars: n.bars,
    security: n.security ?? "unknown",
    channel: n.channel ?? 0,
    needsPassword: n.secured,
  }));
}

/** Open the board's REPL, scan, and release the port: what the Wi-Fi picker calls. */
export async function scanWifiNetworks(port: SerialPortLike, options: RawReplOptions = {}): Promise<ScannedNetwork[]> {
  const repl = await RawRepl.open(port, { interruptAtBoot: true, ...options });
  try {
    return await scanNetworks(repl);
  } finally {
    await repl.close();
  }
}

export interface DeviceInspection {
  identity: DeviceIdentity;
  /** The board's own `device.hostname`, else prefix + last three MAC bytes: the form's default. */
  suggestedHostname: string;
  /** Empty when `scan` is false. */
  networks: ScannedNetwork[];
}

/**
 * One REPL session for what the provisioning form needs before the user types anything: who the
 * board is, the hostname to suggest, and (optionally) the networks it sees.
 */
export async function inspectDevice(
  port: SerialPortLike,
  options: RawReplOptions & { scan?: boolean } = {},
): Promise<DeviceInspection> {
  const repl = await RawRepl.open(port, { interruptAtBoot: true, ...options });
  try {
    const identity = await readDeviceIdentity(repl);
    const suggestedHostname = identity.hostname ?? defaultHostname(identity.mac, identity.hostnamePrefix);
    const networks = options.scan === false ? [] : await scanNetworks(repl);
    return { identity, suggestedHostname, networks };
  } finally {
    await repl.close();
  }
}
