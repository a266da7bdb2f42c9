/**
 * The WBP client against a fake board that behaves as upstream's modwebrepl_binary.c does: only a
 * login is taken before authentication, output comes as results (sometimes without the id, the
 * drain-task race wbp_common.c mentions), then a progress message ends the run.
 */
import { describe, expect, it } from "vitest";
import type { ChannelHandle, ChannelMessage } from "../../../src/core/signaling/peer";
import { WbpClient, WbpError, decodeCbor, encodeCbor, type CborValue } from "../../../src/core/wbp";

function fakeBoard(
  password: string,
  options: { dropIds?: boolean; silent?: boolean; deafFor?: number; outputAfterDone?: boolean } = {},
) {
  let deaf = options.deafFor ?? 0;
  let onMessage: (d: ChannelMessage) => void = () => undefined;
  let onClose: () => void = () => undefined;
  let authed = false;
  const sent: CborValue[] = [];
  const reply = (v: CborValue) => setTimeout(() => onMessage(encodeCbor(v)), 1);
  const channel: ChannelHandle = {
    label: "webrepl",
    readyState: "open",
    send(data) {
      const msg = decodeCbor(data as Uint8Array) as CborValue[];
      sent.push(msg);
      if (options.silent) return;
      // Before its Python has run start_rtc, the board drops what it would answer.
      if (deaf > 0) {
        deaf--;
        return;
      }
      const [ch, op] = msg as number[];
      if (ch === 0 && op === 0) {
        authed = msg[2] === password;
        reply(authed ? [0, 1] : [0, 2, "Invalid password"]);
        return;
      }
      if (!authed) return reply([0, 2, "Not authenticated"]);
      const code = msg[2] as string;
      const id = msg[4] as string;
      // A log record may arrive any time; the client must not mistake it for the answer.
      reply([0, 4, 3, "queue_pump ok", 1, "system"]);
      if (code.includes("raise")) {
        reply([ch, 0, "Traceback (most recent call last):\r\nValueError: no\r\n", id]);
        reply([ch, 2, 1, "Exception", id]);
      } else {
        const [a, operator, b] = /^print\((\d+)([*+])(\d+)\)$/.exec(code)?.slice(1) ?? ["0", "+", "0"];
        const value = String(operator === "*" ? Number(a) * Number(b) : Number(a) + Number(b));
        const output: CborValue = options.dropIds ? [ch, 0, `${value}\r\n`] : [ch, 0, `${value}\r\n`, id];
        if (options.outputAfterDone) {
          reply([ch, 2, 0, null, id]);
          setTimeout(() => reply(output), 40);
        } else {
          reply(output);
          reply([ch, 2, 0, null, id]);
        }
      }
    },
    onOpen: () => undefined,
    onClose: (l) => (onClose = l),
    onMessage: (l) => (onMessage = l),
    close: () => onClose(),
  };
  return { channel, sent, close: () => onClose() };
}

describe("WbpClient", () => {
  it("logs in, runs code on the M2M channel and returns its output with the round-trip time", async () => {
    const board = fakeBoard("hunter22");
    const client = new WbpClient(board.channel);
    await client.login("hunter22");
    expect(client.loggedIn).toBe(true);
    const result = await client.run("print(6*7)");
    expect(result).toMatchObject({ output: "42\r\n", error: null });
    expect(result.ms).toBeGreaterThan(0);
    expect(board.sent[1]).toEqual([2, 0, "print(6*7)", 0, "pd1"]);
    expect(client.notices).toContainEqual(expect.objectContaining({ kind: "log", text: "queue_pump ok" }));
  });

  it("takes output without an id, and reports a failed run with the traceback", async () => {
    const board = fakeBoard("pw12", { dropIds: true });
    const client = new WbpClient(board.channel);
    await client.login("pw12");
    expect((await client.run("print(1+2)")).output).toBe("3\r\n");
    const failed = await client.run("raise ValueError('no')");
    expect(failed.error).toBe("Exception");
    expect(failed.output).toContain("ValueError: no");
  });

  it("sends the login again while the board has not started listening, and takes output that follows done", async () => {
    const board = fakeBoard("pw12", { deafFor: 2, outputAfterDone: true });
    const client = new WbpClient(board.channel, 3_000);
    await client.login("pw12");
    expect(board.sent.filter((m) => (m as number[])[0] === 0).length).toBe(3);
    const result = await client.run("print(20+22)");
    expect(result.output).toBe("42\r\n");
    expect(result.ms).toBeGreaterThanOrEqual(35);
  });

  it("tells a wrong password by its own code and sentence", async () => {
    const client = new WbpClient(fakeBoard("right-one").channel);
    const err = await client.login("wrong-one").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WbpError);
    expect(err).toMatchObject({ code: "wrong-password", action: "fix-input" });
    expect((err as Error).message).toMatch(/refused the WebREPL password/);
    expect((err as Error).message).not.toContain("wrong-one");
    await expect(client.run("print(1)")).rejects.toMatchObject({ code: "not-logged-in" });
  });

  it("gives up on a silent board and on a closed channel", async () => {
    const silent = new WbpClient(fakeBoard("x", { silent: true }).channel, 50);
    await expect(silent.login("xxxx")).rejects.toMatchObject({ code: "no-reply" });
    const board = fakeBoard("abcd", { silent: true });
    const client = new WbpClient(board.channel, 5_000);
    const pending = client.login("abcd");
    board.close();
    await expect(pending).rejects.toMatchObject({ code: "channel-closed" });
  });
});
