import { createMicroPythonApp } from "../../../src/virtual-board/micropython";
import type { VirtualAccessPoint } from "../../../src/virtual-board/micropython/virtual-wifi";
import type { VirtualBoard } from "../../../src/virtual-board";
import { bootedBoard } from "../repl/board-fixture";

export const WORKSHOP = { ssid: "Workshop", password: "correct horse battery" };

export const ACCESS_POINTS: VirtualAccessPoint[] = [
  { ssid: WORKSHOP.ssid, passphrase: WORKSHOP.password, security: "wpa2-psk", rssi: -52, channel: 6 },
  { ssid: "Guest", security: "open", rssi: -75, channel: 1 },
];

/** A virtual ESP32-S3 running pyDirect on MicroPython (WebAssembly), with simulated Wi-Fi. */
export async function pyDirectBoard(
  options: { rawPaste?: boolean; paced?: boolean; accessPoints?: typeof ACCESS_POINTS } = {},
): Promise<VirtualBoard> {
  const app = createMicroPythonApp({
    accessPoints: options.accessPoints ?? ACCESS_POINTS,
    ...(options.rawPaste !== undefined ? { rawPaste: options.rawPaste } : {}),
  });
  return bootedBoard({ app, ...(options.paced !== undefined ? { paced: options.paced } : {}) });
}
