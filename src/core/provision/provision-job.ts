import { detectDeviceKind, type ReplDeviceKind } from "../device-kind/detect-device-kind";
import { isPortalError } from "../errors";
import { PortError } from "../port/port-errors";
import type { SerialPortLike } from "../port/serial-port";
import type { DeviceRecord, DeviceRegistry } from "../registry/device-record";
import { DeviceFiles } from "../repl/device-files";
import { ReplError } from "../repl/errors";
import { RawRepl, type RawReplOptions } from "../repl/raw-repl";
import { generateDeviceCertificate, validateIpAddress, validateValidityDays } from "./certificate";
import { readBoardSettings, readDeviceIdentity } from "./device-queries";
import { ProvisionError } from "./errors";
import { checkHostnameAvailable, defaultHostname, validateHostname, type DeviceIdentity } from "./identity";
import type { SecretText } from "./secret";
import { freshWebreplPassword, validateWebreplPassword } from "./webrepl-password";
import {
  CERT_PATH,
  KEY_PATH,
  USER_SETTINGS_PATH,
  mergeSettings,
  serializeSettings,
  type SettingsPatch,
} from "./settings-file";
import { awaitWifiOverRepl } from "./repl-wifi";
import { awaitWifiOutcome, resetBoard, type NextPort, type WifiOutcome } from "./wifi-outcome";
import { validateWifiCredentials, type WifiCredentials } from "./wifi-settings";
import {
  USER_SETTINGS_BACKUP_PATH,
  installFiles,
  removeStagingFiles,
  throwIfCancelled,
  type StagedFile,
  type StagingEvent,
  type WrittenFile,
} from "./staged-files";

export type { WrittenFile } from "./staged-files";

export interface ProvisionRequest {
  wifi: WifiCredentials;
  /** Editable; defaults to the board's `device.hostname`, else prefix + last three MAC bytes. */
  hostname?: string;
  /** Certificate validity in days, at most 397. */
  validityDays?: number;
  /** The board's address, when known (re-provision): added to the certificate's SAN. */
  ipAddress?: string;
  /**
   * The board's WebREPL password (upstream's clients, such as ScriptO Studio, log in with it), when
   * the user chose one; otherwise the job makes a fresh one. Goes only to the board.
   */
  webreplPassword?: SecretText;
  /** Checked for hostname clashes and given the new record when the files are in place. */
  registry?: DeviceRegistry;
  /** How long to wait for the board to report its Wi-Fi outcome after the reset; default 30 s. */
  wifiTimeoutMs?: number;
  repl?: RawReplOptions;
  signal?: AbortSignal;
  /** Where the board's console went when its port left during the restart (TinyUSB CDC re-enumerates). */
  nextPort?: NextPort;
}

export interface ProvisionResult {
  identity: DeviceIdentity;
  hostname: string;
  certificatePem: string;
  certFingerprint: string;
  certNotAfter: Date;
  /** Fresh per board; shown to the user once, stored nowhere by the portal. */
  webreplPassword: SecretText;
  files: WrittenFile[];
  record: DeviceRecord;
  wifi: WifiOutcome;
  /** What the board runs: decides how the Wi-Fi outcome was read and how verification signals. */
  deviceKind: ReplDeviceKind;
}

/** What the UI renders. Carries no password and no key material. */
export type ProvisionEvent =
  | { state: "connecting" }
  | { state: "identified"; identity: DeviceIdentity; hostname: string }
  | { state: "generating-certificate" }
  | { state: "certificate-ready"; fingerprint: string; notAfter: Date }
  | StagingEvent
  | { state: "kept-backup"; file: string }
  | { state: "resetting" }
  | { state: "waiting-for-wifi"; ssid: string }
  | { state: "wifi-connecting"; ssid: string }
  | { state: "wifi-result"; outcome: WifiOutcome }
  | { state: "done"; result: ProvisionResult }
  | { state: "error"; error: ProvisionError | ReplError | PortError };

export type ProvisionEventListener = (event: ProvisionEvent) => void;

/** Keys this job owns in user_settings.json; every other key stays as the user left it. */
function wifiKeys(wifi: Required<WifiCredentials>): SettingsPatch {
  return { "wifi.ssid": wifi.ssid, "wifi.password": wifi.password };
}

function asJobError(err: unknown): ProvisionError | ReplError | PortError {
  // A port that would not open (busy, lost, revoked, not allowed) keeps its own sentence and recovery.
  if (err instanceof PortError) return err;
  if (err instanceof ProvisionError || err instanceof ReplError) {
    if (err instanceof ReplError && err.code === "disconnected") {
      return new ProvisionError(
        "disconnected",
        "The board was disconnected while provisioning. Its previous settings are intact; plug it back in and start again.",
        { cause: err },
      );
    }
    if (err instanceof ReplError && err.code === "file-mismatch") {
      return new ProvisionError("verify-mismatch", err.message, { cause: err });
    }
    return err;
  }
  if (isPortalError(err)) return new ProvisionError("write-failed", err.message, { cause: err });
  return new ProvisionError(
    "write-failed",
    `Provisioning failed: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}

/**
 * The provisioning job: identity, key and certificate, Wi-Fi and HTTPS settings written where
 * pyDirect reads them (each verified by hash), a reset, and the board's own report of how its
 * Wi-Fi went. Input is checked before the board is touched.
 */
export async function provisionDevice(
  port: SerialPortLike,
  request: ProvisionRequest,
  onEvent: ProvisionEventListener = () => undefined,
): Promise<ProvisionResult> {
  const emit = onEvent;
  const validate = () => {
    const wifi = validateWifiCredentials(request.wifi);
    if (request.hostname !== undefined) validateHostname(request.hostname);
    if (request.validityDays !== undefined) validateValidityDays(request.validityDays);
    if (request.ipAddress !== undefined) validateIpAddress(request.ipAddress);
    if (request.webreplPassword !== undefined) validateWebreplPassword(request.webreplPassword);
    throwIfCancelled(request.signal);
    return wifi;
  };
  return runOnBoard(port, request.repl, emit, validate, async (repl, wifi) => {
    const files = new DeviceFiles(repl);
    await removeStagingFiles(files);
    const settings = await readBoardSettings(files);
    const identity = await readDeviceIdentity(repl, settings);
    const hostname = request.hostname ?? identity.hostname ?? defaultHostname(identity.mac, identity.hostnamePrefix);
    validateHostname(hostname);
    const deviceId = identity.uniqueId || identity.mac.replace(/:/g, "");
    if (request.registry) await checkHostnameAvailable(request.registry, hostname, deviceId);
    emit({ state: "identified", identity, hostname });

    emit({ state: "generating-certificate" });
    const cert = await generateDeviceCertificate({
      hostname,
      ...(request.validityDays !== undefined ? { validityDays: request.validityDays } : {}),
      ...(request.ipAddress !== undefined ? { ipAddress: request.ipAddress } : {}),
    });
    emit({ state: "certificate-ready", fingerprint: cert.fingerprint, notAfter: cert.notAfter });

    const webreplPassword = request.webreplPassword ?? freshWebreplPassword();
    const staged: StagedFile[] = [];
    if (settings.userUnreadable && settings.userText !== null) {
      // Lose nothing: a hand-edited file that no longer parses is kept beside the new one.
      staged.push({ path: USER_SETTINGS_BACKUP_PATH, data: new TextEncoder().encode(settings.userText) });
      emit({ state: "kept-backup", file: USER_SETTINGS_BACKUP_PATH });
    }
    const userSettings = mergeSettings(settings.user ?? {}, {
      ...wifiKeys(wifi),
      "wifi.hostname_prefix": identity.hostnamePrefix,
      "device.hostname": hostname,
      "server.https_enabled": true,
      "server.https_cert_file": CERT_PATH,
      "server.https_key_file": KEY_PATH,
      "server.webrepl_password": webreplPassword.reveal(),
      // Upstream's images ship "setup_mode": true: main.py then runs only lib/sys/setup_server.py,
      // whose unauthenticated POST /set-password would let anyone on the LAN replace the password
      // just set, and /webrtc/offer is never served. The password is set now, so setup is over;
      // our own scripts do not read the key.
      setup_mode: false,
    });
    staged.push(
      { path: CERT_PATH, data: new TextEncoder().encode(cert.certificatePem) },
      { path: KEY_PATH, data: new TextEncoder().encode(cert.privateKeyPem.reveal()) },
      { path: USER_SETTINGS_PATH, data: serializeSettings(userSettings) },
    );
    const written = await installFiles(files, staged, emit, request.signal);
    // Which scripts the board runs decides how its Wi-Fi outcome is read (asked only now, so the
    // exchanges before the files are staged stay as short as they can be).
    const deviceKind = await detectDeviceKind(repl);

    const record: DeviceRecord = {
      id: deviceId,
      hostname,
      chip: identity.chip,
      mac: identity.mac,
      firmwareVersion: identity.firmwareVersion,
      certFingerprint: cert.fingerprint,
      provisionedAt: new Date().toISOString(),
      certificatePem: cert.certificatePem,
      deviceScripts: deviceKind.kind === "pydirect-upstream" ? "pydirect-upstream" : "pydirect",
    };
    await request.registry?.put(record);

    const outcome = await restartAndAwaitWifi(repl, wifi.ssid, request, emit, deviceKind);
    const result: ProvisionResult = {
      identity,
      hostname,
      certificatePem: cert.certificatePem,
      certFingerprint: cert.fingerprint,
      certNotAfter: cert.notAfter,
      webreplPassword,
      files: written,
      record,
      wifi: outcome,
      deviceKind,
    };
    emit({ state: "done", result });
    return result;
  });
}

/**
 * What both jobs share: input checked before the port is touched, one raw REPL session, every
 * failure reported once as a typed job error, the port released however it ends.
 */
async function runOnBoard<Input, Result>(
  port: SerialPortLike,
  replOptions: RawReplOptions | undefined,
  emit: ProvisionEventListener,
  validate: () => Input,
  body: (repl: RawRepl, input: Input) => Promise<Result>,
): Promise<Result> {
  let repl: RawRepl | undefined;
  try {
    const input = validate();
    emit({ state: "connecting" });
    // Boards with pyDirect upstream's image only offer their REPL when boot.py is interrupted.
    repl = await RawRepl.open(port, { interruptAtBoot: true, ...replOptions });
    return await body(repl, input);
  } catch (err) {
    const error = asJobError(err);
    emit({ state: "error", error });
    throw error;
  } finally {
    await repl?.close().catch(() => undefined);
  }
}

/**
 * Restart the board's Wi-Fi with the new settings and report how it went. Our scripts report it in
 * status lines after a reset. Scripts without status lines (pyDirect upstream's image) join over
 * the REPL and the station's state is polled there; the reset comes afterwards, so the firmware
 * starts its own services (the HTTPS server with the new certificate) as it does on every boot.
 */
async function restartAndAwaitWifi(
  repl: RawRepl,
  ssid: string,
  request: { wifiTimeoutMs?: number; signal?: AbortSignal; nextPort?: NextPort },
  emit: ProvisionEventListener,
  kind: ReplDeviceKind,
): Promise<WifiOutcome> {
  const timeoutMs = request.wifiTimeoutMs ?? 30_000;
  const onConnecting = () => emit({ state: "wifi-connecting", ssid });
  const signal = request.signal ? { signal: request.signal } : {};
  let outcome: WifiOutcome;
  if (kind.kind === "pydirect") {
    emit({ state: "resetting" });
    // Filled in by resetBoard's callback, which the compiler does not follow into.
    const wait: { outcome?: Promise<WifiOutcome> } = {};
    await resetBoard(repl, () => {
      wait.outcome = awaitWifiOutcome(repl.connection, {
        timeoutMs,
        onConnecting,
        ...signal,
        ...(request.nextPort ? { nextPort: request.nextPort } : {}),
      });
    });
    emit({ state: "waiting-for-wifi", ssid });
    if (!wait.outcome) throw new Error("resetBoard returned without starting the wait for Wi-Fi");
    outcome = await wait.outcome;
  } else {
    emit({ state: "waiting-for-wifi", ssid });
    outcome = await awaitWifiOverRepl(repl, ssid, { timeoutMs, onConnecting, ...signal });
    if (!request.signal?.aborted) {
      emit({ state: "resetting" });
      await resetBoard(repl);
    }
  }
  if (request.signal?.aborted) {
    // Not a Wi-Fi verdict: the user stopped watching. The files are in place by now.
    throw new ProvisionError(
      "cancelled",
      "Stopped waiting for the board's Wi-Fi report. Its new settings are already installed; it joins the network on its own.",
    );
  }
  emit({ state: "wifi-result", outcome });
  return outcome;
}

/**
 * Validate Wi-Fi credentials and write them into the board's user settings (merged, verified,
 * atomic), leaving every other key alone. The write path of `retryWifi`, usable on an open session.
 */
export async function writeWifiSettings(
  files: DeviceFiles,
  credentials: WifiCredentials,
  onEvent: ProvisionEventListener = () => undefined,
  signal?: AbortSignal,
): Promise<WrittenFile> {
  const wifi = validateWifiCredentials(credentials);
  const settings = await readBoardSettings(files, { defaults: false });
  if (settings.user === null) {
    throw new ProvisionError(
      "device-not-pydirect",
      "This board has no pyDirect user settings yet; run the full provisioning first.",
    );
  }
  const data = serializeSettings(mergeSettings(settings.user, wifiKeys(wifi)));
  await removeStagingFiles(files);
  const [written] = await installFiles(files, [{ path: USER_SETTINGS_PATH, data }], onEvent, signal);
  return written;
}

export interface RetryWifiRequest {
  wifi: WifiCredentials;
  wifiTimeoutMs?: number;
  repl?: RawReplOptions;
  signal?: AbortSignal;
  /** Where the board's console went when its port left during the restart (TinyUSB CDC re-enumerates). */
  nextPort?: NextPort;
}

/**
 * Correct the Wi-Fi settings of an already provisioned board and try again: rewrites only
 * `wifi.ssid` and `wifi.password` (verified, atomically), resets and reports the outcome. No
 * flashing, no new certificate.
 */
export async function retryWifi(
  port: SerialPortLike,
  request: RetryWifiRequest,
  onEvent: ProvisionEventListener = () => undefined,
): Promise<WifiOutcome> {
  const validate = () => {
    const wifi = validateWifiCredentials(request.wifi);
    throwIfCancelled(request.signal);
    return wifi;
  };
  return runOnBoard(port, request.repl, onEvent, validate, async (repl, wifi) => {
    await writeWifiSettings(new DeviceFiles(repl), wifi, onEvent, request.signal);
    const deviceKind = await detectDeviceKind(repl);
    return restartAndAwaitWifi(repl, wifi.ssid, request, onEvent, deviceKind);
  });
}
