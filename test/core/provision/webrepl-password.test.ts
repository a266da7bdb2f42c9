/**
 * The WebREPL password: made fresh per board, or the user's own after a check that happens before
 * the board is touched; never in an event or a string a log could take.
 */
import { describe, expect, it } from "vitest";
import {
  ProvisionError,
  SecretText,
  freshWebreplPassword,
  provisionDevice,
  validateWebreplPassword,
} from "../../../src/core/provision";
import type { SerialPortLike } from "../../../src/core/port/serial-port";

describe("the WebREPL password", () => {
  it("is made fresh per board from an unambiguous alphabet", () => {
    const made = new Set(Array.from({ length: 20 }, () => freshWebreplPassword().reveal()));
    expect(made.size).toBe(20);
    for (const p of made) expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{9}$/);
    expect(String(freshWebreplPassword())).toBe("[secret]");
    expect(JSON.stringify({ p: freshWebreplPassword() })).toBe('{"p":"[secret]"}');
  });

  it("takes the user's own with at least 4 characters, at most 64, no NUL", () => {
    expect(validateWebreplPassword(new SecretText("four")).reveal()).toBe("four");
    for (const [bad, why] of [
      ["abc", /at least 4/],
      ["x".repeat(65), /at most 64/],
      ["pass\u0000word", /NUL/],
    ] as const) {
      expect(() => validateWebreplPassword(new SecretText(bad))).toThrow(why);
      try {
        validateWebreplPassword(new SecretText(bad));
      } catch (err) {
        expect(err).toBeInstanceOf(ProvisionError);
        expect(err).toMatchObject({ code: "invalid-webrepl-password", field: "webreplPassword", action: "fix-input" });
        expect((err as Error).message).not.toContain(bad);
      }
    }
  });

  it("is checked before the board is touched", async () => {
    let opened = false;
    const port = {
      open: () => {
        opened = true;
        return Promise.reject(new Error("must not open"));
      },
    } as unknown as SerialPortLike;
    await expect(
      provisionDevice(port, { wifi: { ssid: "Workshop" }, webreplPassword: new SecretText("abc") }),
    ).rejects.toMatchObject({ code: "invalid-webrepl-password" });
    expect(opened).toBe(false);
  });
});
