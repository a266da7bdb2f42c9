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
    expect(flash.parts[0]!.status).toBe("verifying");
    fold({ state: "verified", part: "app", index: 0, md5: "ab", skipped: false });
    expect(flash.parts[0]!.status).toBe("done");
  });
});
