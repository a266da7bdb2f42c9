/**
 * Where the production-line grid's intents become line calls: the firmware and Wi-Fi come from
 * the portal's session (what the steps above chose), ports from Web Serial or new virtual boards.
 */
import type { PortalError } from "../core/errors";
import { LineError } from "../core/line/line-errors";
import type { LinePort, ProductionLine } from "../core/line/production-line";
import type { LineSettings } from "../core/line/line-types";
import type { PortalJobs } from "../core/session/jobs";
import type { PortalSession } from "../core/session/portal-session";
import type { DeviceRegistry } from "../core/registry/device-record";
import { pickSerialPort } from "../core/session/port-picker";
import type { AppFactoryMaker } from "../demo/virtual-port";
import type { PydirectLineGrid } from "./pydirect-line-grid";
import { SessionError, asPortalError } from "../core/session/session-errors";
import { listenToIntents, type IntentHandler } from "./intent-listeners";
import { textOf } from "../core/text";

export interface LineIntentDeps {
  line: ProductionLine;
  session: PortalSession;
  jobs: PortalJobs;
  /** The browser's port picker (one port per pick, as Web Serial gives them). */
  pickSerial(): Promise<LinePort>;
  /** A new virtual board with its own MAC. */
  makeVirtual(): LinePort;
  /** Show (or clear, with null) why the last intent could not be done. */
  onError(error: PortalError | null): void;
}

export function bindLineIntents(host: HTMLElement, deps: LineIntentDeps): () => void {
  const { line } = deps;
  const attempt = async (body: () => unknown): Promise<void> => {
    deps.onError(null);
    try {
      await body();
    } catch (err) {
      deps.onError(asPortalError(err));
    }
  };
  const handlers: Record<string, IntentHandler> = {
    "pydirect-line-add-port": () => attempt(async () => line.addPort(await deps.pickSerial())),
    "pydirect-line-add-virtual": (d) =>
      attempt(() => {
        const count = Math.max(1, Math.floor(Number(d["count"]) || 1));
        const room = line.maxBoards - line.state.boards.length;
        if (room <= 0) throw LineError.full(line.maxBoards);
        for (let i = 0; i < Math.min(count, room); i++) line.addPort(deps.makeVirtual());
      }),
    "pydirect-line-start": (d) => attempt(async () => line.start(await lineSettings(deps, d))),
    "pydirect-line-stop": () => line.stop(),
    "pydirect-line-clear": () => attempt(() => line.clearFinished()),
    "pydirect-line-remove": (d) => attempt(() => line.removeBoard(textOf(d["id"]))),
  };
  return listenToIntents(host, handlers);
}

/** The firmware the steps above chose (or the picker's first), and the Wi-Fi from the form or the session. */
async function lineSettings(deps: LineIntentDeps, d: Record<string, unknown>): Promise<LineSettings> {
  const { session, jobs } = deps;
  const s = session.state;
  let offer = s.firmware.result;
  if (!offer) {
    const url = s.firmware.selected;
    if (!url)
      throw new SessionError("step-not-ready", "Choose the firmware on the Install tab first.", { action: "none" });
    [offer = null] = await jobs.loadFirmware(url, new AbortController().signal);
    if (!offer)
      throw new SessionError("unexpected", "The manifest offers no firmware to install. Choose another firmware.", {
        action: "none",
      });
  }
  const erase = s.erase?.reason === "user-choice" ? { erase: s.erase.erase } : {};
  if (d["flashOnly"] === true) return { offer, wifi: null, ...erase };
  const ssid = textOf(d["ssid"]).trim();
  if (!ssid) throw LineError.noWifi();
  let password = textOf(d["password"]);
  const kept = session.lineWifi();
  // An empty password box with the session's network means "as for the boards before".
  if (password === "" && kept?.ssid === ssid) password = kept.password;
  return { offer, wifi: { ssid, password }, ...erase };
}

/**
 * The portal's production-line tab: the line, its grid (rendered by `show`) and the grid's intents
 * bound to the line. The line, its grid and the simulator load here, when the tab is first opened.
 */
export async function openProductionLine(o: {
  jobs: PortalJobs;
  session: PortalSession;
  registry: DeviceRegistry | null;
  makeApp: () => AppFactoryMaker | undefined;
  show: (line: ProductionLine) => Promise<PydirectLineGrid | null>;
  onError: (error: PortalError | null) => void;
}): Promise<(() => void) | null> {
  const [{ ProductionLine }, { createVirtualChoice }] = await Promise.all([
    import("../core/line/production-line"),
    import("../demo/virtual-port"),
    import("./pydirect-line-grid"),
  ]);
  const line = new ProductionLine({ jobs: o.jobs, ...(o.registry ? { registry: o.registry } : {}) });
  const grid = await o.show(line);
  if (!grid) return null;
  return bindLineIntents(grid, {
    line,
    session: o.session,
    jobs: o.jobs,
    pickSerial: () => pickSerialPort(),
    // Each a new simulated ESP32-S3 with its own MAC; its console stays out of the session log.
    makeVirtual: () => createVirtualChoice({ makeApp: o.makeApp() }),
    onError: o.onError,
  });
}
