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
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { VirtualBoard } from "../../../src/virtual-board";
import { httpServerModuleHook } from "../../../src/virtual-board/httpserver";
import { createMicroPythonApp, type VirtualAccessPoint } from "../../../src/virtual-board/micropython";
import { webrtcModuleHook } from "../../../src/virtual-board/webrtc";

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
  options: { frozenFiles?: Record<string, string>; accessPoints?: VirtualAccessPoint[] } = {},
) {
  const https = httpServerModuleHook();
  const app = createMicroPythonApp({
    accessPoints: options.accessPoints ?? ACCESS_POINTS,
    frozenFiles: options.frozenFiles ?? upstreamDeviceFiles(),
    modules: [webrtcModuleHook({ backend: weriftPeerBackend }), https],
  });
  const statusLines: unknown[] = [];
  app.onStatus((e) => statusLines.push(e));
  const board = new VirtualBoard({ chip: "ESP32-S3", app });
  for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
  await board.waitForMode("app", 10_000);
  // Upstream's main.py never returns to a prompt: wait for the prompt only where one comes.
  await Promise.race([app.whenReady(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  return { board, app, https, statusLines };
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
