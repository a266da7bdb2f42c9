import { describe, expect, it } from "vitest";
import { foldInstallEvent } from "../../../src/core/session/install-progress";
import { initialState } from "../../../src/core/session/session-state";

describe("install progress", () => {
  it("shows a part as written, not still writing, between its last byte and its MD5 check", () => {
    let flash = initialState([]).flash;
    const fold = (e: Parameters<typeof foldInstallEvent>[1]) => (flash = foldInstallEvent(flash, e).flash);
    fold({ state: "writing", part: "app", index: 0, written: 100, total: 200, skippedBytes: 0 });
    expect(flash.parts[0]).toMatchObject({ name: "app", status: "writing", written: 100, total: 200 });
    fold({ state: "writing", part: "app", index: 0, written: 200, total: 200, skippedBytes: 0 });
    expect(flash.parts[0]).toMatchObject({ status: "written", written: 200 });
    fold({ state: "verifying", part: "app", index: 0 });
    expect(flash.parts[0].status).toBe("verifying");
    fold({ state: "verified", part: "app", index: 0, md5: "ab", skipped: false });
    expect(flash.parts[0].status).toBe("done");
  });
});

describe("install progress: the link's rate", () => {
  it("logs the rate settled on with its bridge, and each rate given up", () => {
    const flash = initialState([]).flash;
    const base = { state: "baud" as const, usbId: "1a86:7523", device: "CH340" };
    expect(
      foldInstallEvent(flash, { ...base, decision: "trying", baudRate: 3_000_000, remembered: false }).flash.phase,
    ).toBe("Trying 3,000,000 baud (CH340)");
    expect(
      foldInstallEvent(flash, { ...base, decision: "refused", baudRate: 3_000_000, reason: "link-check-failed" }).log,
    ).toBe("3,000,000 baud (CH340): the link did not hold, going slower");
    const settled = foldInstallEvent(flash, { ...base, decision: "settled", baudRate: 2_000_000 });
    expect(settled.log).toBe("Flashing at 2,000,000 baud (CH340)");
    expect(settled.flash.phase).toBe("Flashing at 2,000,000 baud (CH340)");
  });
});
