import { describe, expect, it } from "vitest";
import { analyzeLocalFiles } from "../../../src/core/firmware-sources";
import {
  firmwareReadiness,
  eraseNote,
  installHeadline,
  lineFirmwareLabel,
  stepMark,
} from "../../../src/core/session/first-screen";
import { initialState } from "../../../src/core/session/session-state";
import type { FirmwareOffer, FirmwareSource, SessionState } from "../../../src/core/session/session-types";
import { demoParts } from "../../../scripts/lib/demo-firmware";

// What the step row, the Firmware step and the production line say, from the session state alone.

const SOURCES: FirmwareSource[] = [
  {
    id: "demo",
    kind: "manifest-url",
    label: "pyDirect demo firmware (virtual board only)",
    manifestUrl: "https://p/demo.json",
    virtualBoardOnly: true,
  },
  { id: "pydirect-releases", kind: "pydirect-releases", label: "pyDirect releases" },
  { id: "local-files", kind: "local-files", label: "Files from this computer" },
];

function offer(patch: Partial<FirmwareOffer> = {}): FirmwareOffer {
  return {
    manifestUrl: "https://p/demo.json",
    name: "pyDirect demo firmware",
    version: "0.1.0",
    channel: "stable",
    releaseNotes: null,
    chipFamilies: ["ESP32-S3"],
    promptErase: false,
    skipErase: false,
    ...patch,
  };
}

/** Right after Connect on a virtual ESP32-S3: the default firmware loaded by itself. */
function connected(patch: Partial<FirmwareOffer> = {}, selected = "demo"): SessionState {
  const s = initialState(SOURCES, selected);
  return {
    ...s,
    step: "firmware",
    port: { label: "Virtual ESP32-S3 (8 MB), demo board", virtual: true },
    connect: {
      status: "done",
      phase: "",
      error: null,
      result: {
        chip: "ESP32-S3",
        description: "ESP32-S3",
        mac: "24:6f:28:00:00:01",
        flashSize: 8 << 20,
        usbSerialJtag: false,
        firmware: null,
      },
    },
    firmware: { ...s.firmware, status: "done", result: offer(patch), choices: [offer(patch)] },
  };
}

describe("firmware readiness and the step row", () => {
  it("does not tick Firmware right after Connect, before the user went on with it", () => {
    const s = connected();
    expect(firmwareReadiness(s)).toEqual({ ready: true, problem: null });
    expect(stepMark(s, "connect")).toBe("done");
    expect(stepMark(s, "firmware")).toBe("idle");
    // Once the user continued to the install, it is ticked.
    expect(stepMark({ ...s, step: "flash" }, "firmware")).toBe("done");
  });

  it("refuses firmware for another chip: no tick, no Continue, and says why", () => {
    const s = { ...connected({ chipFamilies: ["ESP32-S2"] }), step: "flash" as const };
    const r = firmwareReadiness(s);
    expect(r.ready).toBe(false);
    expect(r.problem).toContain("no build for ESP32-S3");
    expect(r.problem).toContain("ESP32-S2");
    expect(stepMark(s, "firmware")).toBe("idle");
  });

  it("says a lone bootloader holds no app (the real local-files analysis of the demo bootloader)", async () => {
    const boot = demoParts("ESP32-S3").find((p) => p.path.endsWith("bootloader.bin"));
    if (!boot) throw new Error("demo firmware has no bootloader part");
    const analysis = await analyzeLocalFiles([{ name: "bootloader.bin", data: boot.data }]);
    const base = connected({ name: "Firmware from files", version: "local" }, "local-files");
    const s: SessionState = {
      ...base,
      firmware: { ...base.firmware, local: { names: ["bootloader.bin"], analysis, offsets: {} } },
    };
    const r = firmwareReadiness(s);
    expect(r.ready).toBe(false);
    expect(r.problem).toMatch(/a bootloader but no app/);
    expect(stepMark({ ...s, step: "flash" }, "firmware")).toBe("idle");
  });

  it("refuses the virtual board's demo image on a real port", () => {
    const s = { ...connected({ virtualBoardOnly: true }), port: { label: "COM3", virtual: false } };
    const r = firmwareReadiness(s);
    expect(r.ready).toBe(false);
    expect(r.problem).toContain("virtual board");
  });

  it("is neither ready nor complaining before anything is loaded", () => {
    const s = initialState(SOURCES);
    expect(firmwareReadiness(s)).toEqual({ ready: false, problem: null });
    expect(stepMark(s, "firmware")).toBe("idle");
  });
});

describe("the production line's firmware label", () => {
  it("names the loaded version, a manifest as it is, and a release source's latest once", () => {
    expect(lineFirmwareLabel(connected())).toBe("pyDirect demo firmware 0.1.0");
    const none = { ...connected(), firmware: { ...connected().firmware, result: null } };
    expect(lineFirmwareLabel(none)).toBe("pyDirect demo firmware (virtual board only)");
    expect(lineFirmwareLabel(none)).not.toContain("(latest)");
    const releases = { ...none, firmware: { ...none.firmware, selected: "pydirect-releases" } };
    expect(lineFirmwareLabel(releases)).toBe("the latest of pyDirect releases");
  });
});

describe("the install's first log line", () => {
  it("never promises to keep user data on a board that had no app", () => {
    expect(installHeadline(offer(), false, false)).toBe(
      "Installing pyDirect demo firmware 0.1.0 (no app was found on the board)",
    );
    expect(installHeadline(offer(), false, true)).toBe("Installing pyDirect demo firmware 0.1.0 (keeping user data)");
    expect(installHeadline(offer(), true, false)).toBe("Installing pyDirect demo firmware 0.1.0 (erasing flash first)");
    // The Install step's note says the same.
    expect(eraseNote(false, false)).not.toContain("keeps user data");
    expect(eraseNote(false, true)).toBe("keeps user data");
    expect(eraseNote(true, false)).toBe("erases the board first");
  });
});
