import { describe, expect, it } from "vitest";
import type { SerialPortLike } from "../../../src/core/port/serial-port";
import type { PortalJobs } from "../../../src/core/session/jobs";
import { PortalSession } from "../../../src/core/session/portal-session";
import type { BoardSummary, FirmwareOffer, TerminalState } from "../../../src/core/session/session-types";
import { speaksMicroPython } from "../../../src/core/session/terminal-controller";
import { virtualPortProvider } from "../../../src/demo/virtual-port-provider";
import { VirtualBoard } from "../../../src/virtual-board";

// When the serial console has the port: it opens after an install, steps pause it and give it
// back, and it says why it cannot type when it is closed. Scripted jobs that use the port the way
// the real ones do (open it, read, close it), so a console still holding it would make them fail.

const board: BoardSummary = {
  chip: "ESP32-S3",
  description: "ESP32-S3",
  mac: "24:6f:28:5a:3c:01",
  flashSize: 8 << 20,
  usbSerialJtag: false,
  firmware: null,
};
const offer: FirmwareOffer = {
  manifestUrl: "/m.json",
  name: "pyDirect demo firmware",
  version: "0.1.0",
  channel: "stable",
  releaseNotes: null,
  chipFamilies: ["ESP32-S3"],
  promptErase: false,
  skipErase: false,
};

/** A job's use of the port: it must be free (not locked by the console). */
async function usePort(port: SerialPortLike): Promise<void> {
  await port.open({ baudRate: 115200 });
  const reader = port.readable!.getReader();
  reader.releaseLock();
  await port.close();
}

function jobs(): PortalJobs {
  return {
    inspect: async (port) => (await usePort(port), board),
    loadFirmware: async () => [offer],
    install: async (port) => usePort(port),
    provision: async (port) => {
      await usePort(port);
      return {
        deviceId: "a",
        hostname: "pyDirect-5a3c01",
        deviceName: "",
        certFingerprint: "AA",
        certificatePem: "",
        webreplPassword: null,
        address: null,
      };
    },
    verify: async (port) => (await usePort(port), { ok: true, roundTripMs: 1, detail: "ok" }),
    readProvisioned: async () => {
      throw new Error("not used");
    },
  };
}

describe("the session's serial console", () => {
  it("opens after the install, pauses for each step and comes back, and closes for the next board", async () => {
    const vb = new VirtualBoard({ chip: "ESP32-S3" });
    const session = new PortalSession({ jobs: jobs(), sources: [{ label: "x", manifestUrl: offer.manifestUrl }] });
    const seen: TerminalState["status"][] = [];
    session.subscribe((s) => seen.at(-1) !== s.terminal.status && seen.push(s.terminal.status));

    expect(await session.connect({ port: vb.port, label: "board", virtual: false })).toBe(true);
    expect(session.state.terminal.status).toBe("closed");
    expect(await session.flash()).toBe(true);
    await expect.poll(() => session.state.terminal.status).toBe("open");
    // The firmware just installed is pyDirect: pasted blocks use MicroPython's paste mode.
    expect(session.state.terminal.repl).toBe(true);
    expect(vb.port.readable?.locked).toBe(true);

    // Loading a manifest does not touch the port: the console keeps it.
    expect(await session.selectFirmware(offer.manifestUrl)).toBe(true);
    expect(session.state.terminal.status).toBe("open");
    session.setWifi({ ssid: "Workshop", password: "pw-123456" });
    expect(await session.provision()).toBe(true);
    await expect.poll(() => session.state.terminal.status).toBe("open");
    expect(seen).toEqual(["closed", "opening", "open", "paused", "opening", "open"]);
    // "Serial console open" once: coming back after a step is not news.
    expect(session.log.toText().match(/Serial console open/g)).toHaveLength(1);
    expect(await session.terminalInput("print(1)\r")).toBe(true);

    session.nextBoard();
    await expect.poll(() => session.state.terminal.status).toBe("closed");
    expect(vb.port.readable).toBeNull();
  });

  it("refuses keys while closed with a sentence, and reports a board that went away", async () => {
    const vb = new VirtualBoard({ chip: "ESP32-S3" });
    const session = new PortalSession({ jobs: jobs(), sources: [{ label: "x", manifestUrl: offer.manifestUrl }] });
    expect(await session.terminalInput("x")).toBe(false);
    expect(session.state.terminal.error?.code).toBe("console-closed");
    expect(await session.openTerminal()).toBe(false);
    expect(session.state.terminal.error?.message).toMatch(/Connect a board first/);

    await session.connect({ port: vb.port, label: "board", virtual: false });
    expect(await session.openTerminal()).toBe(true);
    expect(session.state.terminal).toMatchObject({ status: "open", error: null, repl: false });
    vb.unplug();
    await expect.poll(() => session.state.terminal.status).toBe("closed");
    expect(await session.resetBoard()).toBe(false);
    expect(session.state.terminal.error?.code).toBe("console-closed");
  });

  it("a console whose port permission is taken back says so, and one click allows the port again", async () => {
    const vb = new VirtualBoard({ chip: "ESP32-S3" });
    const session = new PortalSession({
      jobs: jobs(),
      sources: [{ label: "x", manifestUrl: offer.manifestUrl }],
      ports: virtualPortProvider(vb, { grantAll: true }),
    });
    const held = vb.port;
    await session.connect({ port: held, label: "board", virtual: false });
    expect(await session.openTerminal()).toBe(true);
    await held.forget();
    await expect.poll(() => session.state.terminal.error?.code).toBe("permission-revoked");
    expect(session.state.terminal.error?.action).toBe("allow-port-again");
    expect(session.log.toText()).not.toMatch(/unplugged/);
    expect(await session.allowPortAgain()).toBe(true);
    expect(vb.port).not.toBe(held);
    expect(await session.openTerminal()).toBe(true);
    vb.unplug();
  });

  it("knows a MicroPython board by the firmware it runs", () => {
    const at = (name: string | null) => ({
      connect: {
        status: "done" as const,
        phase: "",
        error: null,
        result: { ...board, firmware: name ? { name, version: "1" } : null },
      },
    });
    expect(speaksMicroPython(at("pyDirect"))).toBe(true);
    expect(speaksMicroPython(at("MicroPython"))).toBe(true);
    expect(speaksMicroPython(at("ESPHome"))).toBe(false);
    expect(speaksMicroPython(at(null))).toBe(false);
  });
});
