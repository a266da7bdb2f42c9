/**
 * Test fixture: a MicroPython WebAssembly interpreter holding the real device scripts from
 * firmware/device/, the virtual `webrtc` module on werift and (optionally) the virtual HTTPS
 * server, with the provisioned certificate and key in /certs. `exec` runs code as a raw-REPL call
 * would (stdout and stderr apart); the serial-link test drives the same scripts through the
 * virtual board's UART instead.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadMicroPythonInstance } from "../../../src/virtual-board/micropython/load-wasm";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import {
  createVirtualHttpsServer,
  type VirtualHttpsServer,
} from "../../../src/virtual-board/httpserver/https-server-node";
import { installWebrtcModule } from "../../../src/virtual-board/webrtc/micropython-module";
import type { VirtualPeer } from "../../../src/virtual-board/webrtc/virtual-peer";
import type { PeerBackend } from "../../../src/core/signaling/peer";

const DEVICE_DIR = join(import.meta.dirname, "../../../firmware/device");
const DEVICE_FILES = ["lib/sys/webrtc_signaling.py", "lib/sys/verify_service.py"];

export interface DeviceOptions {
  certPem: string;
  keyPem: string;
  version?: string;
  hostname?: string;
  /** Simulate the Wi-Fi state the scripts see through `network`. */
  wifiConnected?: boolean;
  https?: boolean;
  backend?: PeerBackend;
  /** The board's WebREPL password (server.webrepl_password), which unlocks the console over the network. */
  consolePassword?: string;
}

export interface MicroPythonDevice {
  exec(code: string): Promise<{ stdout: string; stderr: string }>;
  console: string[];
  https: VirtualHttpsServer | null;
  peers: Set<VirtualPeer>;
  stop(): Promise<void>;
}

export async function startMicroPythonDevice(options: DeviceOptions): Promise<MicroPythonDevice> {
  let stdout = "";
  const consoleLines: string[] = [];
  const decoder = new TextDecoder();
  let pending = "";
  const mp = await loadMicroPythonInstance({
    output: (bytes) => {
      const text = decoder.decode(bytes, { stream: true });
      stdout += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      consoleLines.push(...lines);
    },
  });
  for (const dir of ["/lib", "/lib/sys", "/certs"]) mp.FS.mkdir(dir);
  mp.FS.writeFile("/lib/__init__.py", "");
  mp.FS.writeFile("/lib/sys/__init__.py", "");
  for (const file of DEVICE_FILES) mp.FS.writeFile(`/${file}`, readFileSync(join(DEVICE_DIR, file), "utf8"));
  mp.FS.writeFile("/certs/servercert.pem", options.certPem);
  mp.FS.writeFile("/certs/prvtkey.pem", options.keyPem);
  const peers = new Set<VirtualPeer>();
  installWebrtcModule(mp, {
    backend: options.backend ?? weriftPeerBackend,
    peers,
    reportError: (t) => consoleLines.push(t),
  });
  const wifi = { connected: options.wifiConnected ?? true };
  mp.registerJsModule("network", {
    STA_IF: 0,
    WLAN: () => ({
      isconnected: () => wifi.connected,
      ifconfig: () => ["127.0.0.1", "255.0.0.0", "127.0.0.1", "127.0.0.1"],
    }),
  });
  let https: VirtualHttpsServer | null = null;
  if (options.https) {
    https = createVirtualHttpsServer({ reportError: (t) => consoleLines.push(t) });
    mp.registerJsModule("httpserver", https.module);
  }
  mp.runPython(
    `import sys\nsys.path.insert(0, '/')\nfrom lib.sys import webrtc_signaling\n` +
      `webrtc_signaling.start(version=${JSON.stringify(options.version ?? "0.1.0")}, hostname=${JSON.stringify(options.hostname ?? "pyDirect-5a3c01")}, console_password=${options.consolePassword ? JSON.stringify(options.consolePassword) : "None"})` +
      (options.https ? `\nimport httpserver\nwebrtc_signaling.serve(httpserver)` : ""),
  );
  // Like a raw-REPL call: stdout of this call only, the exception text as stderr.
  const exec = async (code: string) => {
    stdout = "";
    let stderr = "";
    try {
      mp.runPython(code);
    } catch (err) {
      stderr = String((err as Partial<Error>).message);
    }
    return { stdout, stderr };
  };
  return {
    exec,
    console: consoleLines,
    https,
    peers,
    async stop() {
      for (const p of peers) p.close();
      await https?.close();
    },
  };
}
