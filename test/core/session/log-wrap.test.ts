import { describe, expect, it } from "vitest";
import { wrapWords } from "../../../src/core/session/log-wrap";

describe("wrapping portal messages for the console", () => {
  it("breaks at spaces, never inside a word, with continuation lines under the text", () => {
    const lines = wrapWords("[12:00:00] ", "Installing pyDirect demo firmware 0.1.0 (erasing flash first)", 40);
    expect(lines).toEqual([
      "[12:00:00] Installing pyDirect demo",
      "           firmware 0.1.0 (erasing flash",
      "           first)",
    ]);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
    // Every word arrives whole.
    expect(lines.map((l) => l.trim()).join(" ")).toBe(
      "[12:00:00] Installing pyDirect demo firmware 0.1.0 (erasing flash first)",
    );
  });

  it("cuts only a word longer than a line, and keeps the message's own line breaks", () => {
    const fp = "ab".repeat(20);
    const lines = wrapWords("> ", `fingerprint ${fp}\nnext`, 22);
    expect(lines[0]).toBe("> fingerprint");
    expect(lines.slice(1, 3).every((l) => l.length === 22)).toBe(true);
    expect(lines.map((l) => l.slice(2)).join("")).toContain(fp);
    expect(lines.at(-1)).toBe("  next");
  });

  it("leaves a short message on one line", () => {
    expect(wrapWords("[t] ", "Connected", 80)).toEqual(["[t] Connected"]);
  });
});
