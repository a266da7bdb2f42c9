/**
 * Test fixture: a virtual ESP32-S3 whose image carries device scripts in pyDirect upstream's
 * shape (test/fixtures/upstream-device: settings, Wi-Fi module and HTTPS signaling, no status
 * lines, no serial signaling helper) instead of the portal's firmware/device, with the `webrtc`
 * module and the board's HTTPS server.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";
import { demoParts } from "../../../scripts/lib/demo-firmware";
import { generateDeviceCertificate } from "../../../src/core/provision/certificate";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { VirtualBoard } from "../../../src/virtual-board";
import { httpServerModuleHook } from "../../../src/virtual-board/httpserver";
import { type VirtualAccessPoint } from "../../../src/virtual-board/micropython";
import { createUpstreamPyDirectApp, type IdfLogOptions } from "../../../src/virtual-board/upstream";
import type { PeerHostLink } from "../../../src/virtual-board/webrtc/peer-host-client";

const FIXTURE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../fixtures/upstream-device");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The upstream-shaped scripts as the image would carry them (path on the board → text). */
export function upstreamDeviceFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of walk(FIXTURE_DIR).filter((p) => /\.(py|json)$/.test(p))) {
    files["/" + relative(FIXTURE_DIR, path).split(sep).join("/")] = readFileSync(path, "utf8");
  }
  return files;
}

export const WORKSHOP = { ssid: "Workshop", password: "correct horse battery" };
export const ACCESS_POINTS: VirtualAccessPoint[] = [
  { ssid: WORKSHOP.ssid, passphrase: WORKSHOP.password, security: "wpa2-psk", rssi: -52, channel: 6 },
  { ssid: "Guest", security: "open", rssi: -75, channel: 1 },
];

/** A board booted into the given scripts (upstream's shape by default; `{}` is plain MicroPython). */
export async function upstreamBoard(
  options: {
    frozenFiles?: Record<string, string>;
    accessPoints?: VirtualAccessPoint[];
    connectDelayMs?: number;
    idfLog?: IdfLogOptions;
    /** The webrtc stack reports no candidates through on_ice (the made-up host candidates path). */
    silentCandidates?: boolean;
    /** Installed as /settings/user_settings.json at first boot (as if provisioned earlier). */
    userSettings?: Record<string, unknown>;
    /** More files on the board at first boot (path → text), e.g. /certs/*.pem. */
    files?: Record<string, string>;
    /** Open the port before power-on and keep everything the board prints (`term`). */
    openConsole?: boolean;
    /** The webrtc peers on another thread, as esp_peer's task on the chip (WebrtcHookOptions.peerHost). */
    peerHost?: PeerHostLink;
    /**
     * The fixture's /webrtc/offer handler waits for the answer as upstream's does: a plain function
     * blocking in time.sleep between process_queue() calls (upstream's
     * device-scripts/lib/sys/webrtc_signaling.py:301-318). Needs `peerHost`, as that wait needs
     * esp_peer's own task on a chip. Sets the fixture-only default `fixture.blocking_offer_wait`.
     */
    blockingOfferWait?: boolean;
  } = {},
) {
  const frozenFiles = { ...(options.frozenFiles ?? upstreamDeviceFiles()) };
  if (options.blockingOfferWait) {
    const path = "/settings/default_settings.json";
    const defaults = JSON.parse(frozenFiles[path] ?? "{}") as Record<string, unknown>;
    frozenFiles[path] = JSON.stringify({ ...defaults, fixture: { blocking_offer_wait: true } });
  }
  Object.assign(frozenFiles, options.files ?? {});
  if (options.userSettings) frozenFiles["/settings/user_settings.json"] = JSON.stringify(options.userSettings);
  const logTo: { log?: (level: 1 | 2 | 3, text: string, inline?: boolean) => void } = {};
  const https = httpServerModuleHook({ log: (level, text, inline) => logTo.log?.(level, text, inline) });
  const app = createUpstreamPyDirectApp({
    accessPoints: options.accessPoints ?? ACCESS_POINTS,
    connectDelayMs: options.connectDelayMs,
    frozenFiles,
    idfLog: options.idfLog,
    webrtc: { backend: weriftPeerBackend, silentCandidates: options.silentCandidates, peerHost: options.peerHost },
    modules: [https],
  });
  logTo.log = (level, text, inline) =>
    inline ? app.idfLog.logInline(level, "HTTPSERVER", text) : app.idfLog.log(level, "HTTPSERVER", text);
  const statusLines: unknown[] = [];
  app.onStatus((e) => statusLines.push(e));
  const board = new VirtualBoard({ chip: "ESP32-S3", app });
  let consoleText = "";
  board.onConsole((text) => (consoleText += text));
  const term = options.openConsole ? await openConsole(board) : null;
  for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
  await board.waitForMode("app", 10_000);
  // Upstream's main.py never returns to a prompt: wait for the prompt only where one comes.
  await Promise.race([app.whenReady(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  /** Everything the board printed since power-on. */
  const console = () => consoleText;
  return { board, app, https, statusLines, console, term };
}

/** The port of the HTTPS server the board's current boot started (an earlier boot's never listens). */
export async function servingPort(https: { listening(): Promise<number> }, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const port = await Promise.race([https.listening(), new Promise<null>((r) => setTimeout(() => r(null), 250))]);
    if (port) return port;
  }
  throw new Error("the board's HTTPS server did not start");
}

/** SHA-256 fingerprint ("AB:CD:…") of the certificate a TLS server on 127.0.0.1 presents. */
export function presentedCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on("error", reject);
  });
}

/** The board's console as a terminal sees it: everything read from the open port, and a way to type. */
export interface OpenConsole {
  text(): string;
  /** Resolves with the text once `match` is in what was read (from `from` on). */
  waitFor(match: string | RegExp, timeoutMs?: number, from?: number): Promise<string>;
  write(text: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export async function openConsole(board: VirtualBoard): Promise<OpenConsole> {
  const port = board.port;
  await port.open({ baudRate: 115200 });
  const reader = port.readable!.getReader();
  const writer = port.writable!.getWriter();
  const decoder = new TextDecoder();
  let text = "";
  const waiters = new Set<() => void>();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      if (value) text += decoder.decode(value, { stream: true });
      waiters.forEach((w) => w());
    }
  })();
  const found = (match: string | RegExp, from: number) => {
    const tail = text.slice(from);
    return typeof match === "string" ? tail.includes(match) : match.test(tail);
  };
  return {
    text: () => text,
    waitFor: (match, timeoutMs = 15_000, from = 0) =>
      new Promise((resolve, reject) => {
        if (found(match, from)) {
          resolve(text);
          return;
        }
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`console never showed ${String(match)}; it showed:\n${text.slice(-2000)}`));
        }, timeoutMs);
        const check = () => {
          if (!found(match, from)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(text);
        };
        waiters.add(check);
      }),
    write: (data) => writer.write(typeof data === "string" ? new TextEncoder().encode(data) : data),
    close: async () => {
      reader.releaseLock();
      writer.releaseLock();
      await port.close();
    },
  };
}

/** A board certificate and key as provisioning installs them (/certs/servercert.pem, /certs/prvtkey.pem). */
export async function certificateFiles(hostname = "pydirect-3c01"): Promise<Record<string, string>> {
  const cert = await generateDeviceCertificate({ hostname });
  return { "/certs/servercert.pem": cert.certificatePem, "/certs/prvtkey.pem": cert.privateKeyPem.reveal() };
}

/** user_settings.json of a board provisioned for the Workshop network (setup mode as given). */
export function provisionedSettings(setupMode: boolean, password = "s3cret-pw"): Record<string, unknown> {
  return {
    setup_mode: setupMode,
    wifi: { ssid: WORKSHOP.ssid, password: WORKSHOP.password },
    device: { hostname: "pydirect-3c01" },
    server: { https_enabled: true, webrepl_password: password },
  };
}
