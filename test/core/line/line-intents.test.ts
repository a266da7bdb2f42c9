/**
 * The grid's intents as line calls (src/ui/line-intents.ts has no DOM beyond events, so it runs
 * here): the settings the line gets from the form and the session, and the refusals.
 */
import { describe, expect, it } from "vitest";
import type { PortalError } from "../../../src/core/errors";
import { ProductionLine, type LineSettings } from "../../../src/core/line";
import type { PortalJobs } from "../../../src/core/session/jobs";
import { pickSerialPort } from "../../../src/core/session/port-picker";
import { PortalSession } from "../../../src/core/session/portal-session";
import type { FirmwareOffer } from "../../../src/core/session/session-types";
import { bindLineIntents } from "../../../src/ui/line-intents";

const OFFER: FirmwareOffer = {
  manifestUrl: "http://portal.test/m.json",
  name: "pyDirect",
  version: "2.0.0",
  channel: "stable",
  releaseNotes: null,
  chipFamilies: ["ESP32-S3"],
  promptErase: false,
  skipErase: false,
};

function setup() {
  const jobs = { loadFirmware: async () => [OFFER] } as unknown as PortalJobs;
  const session = new PortalSession({ jobs, sources: [{ label: "Demo", manifestUrl: OFFER.manifestUrl }] });
  const line = new ProductionLine({ jobs });
  const started: LineSettings[] = [];
  line.start = async (settings) => {
    started.push(settings);
    return { passed: 0, failed: 0, stopped: 0, elapsedMs: 0 };
  };
  const errors: (PortalError | null)[] = [];
  const host = new EventTarget() as unknown as HTMLElement;
  let made = 0;
  const makePort = () => ({
    port: Object.assign(new EventTarget(), { n: ++made }) as never,
    label: `Virtual #${made}`,
    virtual: true,
  });
  bindLineIntents(host, {
    line,
    session,
    jobs,
    // The browser's picker, closed without a choice.
    pickSerial: () =>
      pickSerialPort({
        requestPort: async () => {
          throw Object.assign(new Error("No port selected by the user."), { name: "NotFoundError" });
        },
      }),
    makeVirtual: makePort,
    onError: (e) => errors.push(e),
  });
  const send = async (type: string, detail: Record<string, unknown> = {}) => {
    host.dispatchEvent(new CustomEvent(type, { detail }));
    await new Promise((r) => setTimeout(r, 0));
  };
  return { session, line, started, errors, send };
}

describe("line intents", () => {
  it("starts with the manifest's firmware and the form's Wi-Fi, or the session's password when the box is empty", async () => {
    const { session, started, send } = setup();
    await send("pydirect-line-start", { ssid: " Workshop ", password: "typed-pass-1", flashOnly: false });
    expect(started[0]).toEqual({ offer: OFFER, wifi: { ssid: "Workshop", password: "typed-pass-1" } });

    session.setWifi({ ssid: "Workshop", password: "session-pass-1" });
    await send("pydirect-line-start", { ssid: "Workshop", password: "", flashOnly: false });
    expect(started[1]?.wifi).toEqual({ ssid: "Workshop", password: "session-pass-1" });
    // Another network with an empty box really means an open network.
    await send("pydirect-line-start", { ssid: "Cafe Guest", password: "", flashOnly: false });
    expect(started[2]?.wifi).toEqual({ ssid: "Cafe Guest", password: "" });

    session.setErase(true);
    await send("pydirect-line-start", { ssid: "", password: "", flashOnly: true });
    expect(started[3]).toEqual({ offer: OFFER, wifi: null, erase: true });
  });

  it("refuses to start without a network, and says why a port could not be added", async () => {
    const { started, errors, send, line } = setup();
    await send("pydirect-line-start", { ssid: "  ", password: "x", flashOnly: false });
    expect(started).toHaveLength(0);
    expect(errors.at(-1)).toMatchObject({ code: "no-wifi", action: "fix-input" });

    await send("pydirect-line-add-port");
    expect(errors.at(-1)).toMatchObject({ code: "no-port-picked" });

    await send("pydirect-line-add-virtual", { count: 6 });
    expect(errors.at(-1)).toBeNull();
    await send("pydirect-line-add-virtual", { count: 6 });
    // Only as many as fit: 8 in all.
    expect(line.state.boards).toHaveLength(8);
    await send("pydirect-line-add-virtual", { count: 1 });
    expect(errors.at(-1)).toMatchObject({ code: "line-full" });
    await send("pydirect-line-remove", { id: "board-2" });
    expect(line.state.boards.map((b) => b.number)).not.toContain(2);
  });
});
