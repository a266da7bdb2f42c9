/**
 * Test fixture: a full virtual ESP32-S3 running the demo firmware (MicroPython with the device
 * scripts, the `webrtc` module and the board's HTTPS server), on a Wi-Fi network it can join.
 */
import { demoParts } from "../../../scripts/lib/demo-firmware";
import type { PeerBackend } from "../../../src/core/signaling/peer";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { VirtualBoard } from "../../../src/virtual-board";
import { httpServerModuleHook } from "../../../src/virtual-board/httpserver";
import { createMicroPythonApp, type DeviceStatusEvent } from "../../../src/virtual-board/micropython";
import { webrtcModuleHook } from "../../../src/virtual-board/webrtc";

export const WORKSHOP = { ssid: "Workshop", password: "correct horse battery" };

export async function pyDirectBoard(options: { backend?: PeerBackend } = {}) {
  const https = httpServerModuleHook();
  const app = createMicroPythonApp({
    accessPoints: [{ ssid: WORKSHOP.ssid, passphrase: WORKSHOP.password, security: "wpa2-psk", rssi: -50, channel: 6 }],
    modules: [webrtcModuleHook({ backend: options.backend ?? weriftPeerBackend }), https],
  });
  const status: DeviceStatusEvent[] = [];
  app.onStatus((e) => status.push(e));
  const board = new VirtualBoard({ chip: "ESP32-S3", app });
  for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
  await board.waitForMode("app", 10_000);
  await app.whenReady();
  return { board, app, https, status };
}
