/**
 * What the first screen needs to know about the virtual board before one is made: which boards
 * it can simulate and the demo networks it sees. Kept apart from virtual-port.ts so the page can
 * list them without downloading the simulator (which loads on "Try without hardware").
 */
import { VIRTUAL_BOARD_MODELS, type VirtualBoardModel } from "../virtual-board/board-models";

/**
 * Networks the virtual board's simulated Wi-Fi can see. Demo data, shown to the user as such.
 * "Workshop" is a mesh with two access points (one row in the picker, the stronger one).
 */
export const DEMO_ACCESS_POINTS = [
  { ssid: "pyDirect-Demo", password: "demo-pass-123", rssi: -48, channel: 6 },
  { ssid: "Workshop", password: "solder-and-flux", rssi: -63, channel: 1 },
  { ssid: "Workshop", password: "solder-and-flux", rssi: -81, channel: 11 },
  { ssid: "Cafe Guest", password: "", rssi: -74, channel: 11 },
] as const;

/** The demo networks once per SSID, as the page shows them in its demo-data note. */
export const DEMO_NETWORK_NOTE = DEMO_ACCESS_POINTS.filter(
  (ap, i, all) => all.findIndex((o) => o.ssid === ap.ssid) === i,
).map((ap) => ({ ssid: ap.ssid, password: ap.password }));

/**
 * The boards the Connect step offers, read from the virtual board's own list (so a board added
 * there shows up here); its first, the ESP32-S3 with 8 MB, is the default.
 */
export function virtualBoardModels(): readonly VirtualBoardModel[] {
  return VIRTUAL_BOARD_MODELS;
}

/** The virtual board for a model id (unknown ids: the default model). */
export function virtualModel(id: string | undefined): VirtualBoardModel {
  return VIRTUAL_BOARD_MODELS.find((m) => m.id === id) ?? VIRTUAL_BOARD_MODELS[0];
}
