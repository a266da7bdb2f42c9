/**
 * The serial transport against a scripted raw REPL: requests that overlap (trickle polls beside
 * other signaling) must still reach the REPL one exchange at a time, and a cancelled request stops
 * between exchanges, never inside one.
 */
import { describe, expect, it } from "vitest";
import { SIGNAL_LINE_PREFIX, createSerialTransport, type ReplExec } from "../../../src/core/signaling";

/** A board whose `/slow` replies only after `pollsBeforeReply` polls; everything else at once. */
function scriptedRepl(pollsBeforeReply: number) {
  const log = { exchanges: 0, overlaps: 0, cutShort: 0 };
  let busy = false;
  const queued: Array<{ id: number; polls: number; body: unknown }> = [];
  const outbox: string[] = [];
  const line = (id: number, body: unknown) => `${SIGNAL_LINE_PREFIX}${JSON.stringify({ id, status: 200, body })}`;
  const repl: ReplExec = {
    async exec(code, options) {
      if (busy) log.overlaps++;
      busy = true;
      log.exchanges++;
      if (options?.signal) log.cutShort++; // the transport must not hand the REPL a way to abort midway
      try {
        await new Promise((r) => setTimeout(r, 5));
        const request = /serial_request\((\d+), "(\w+)", "([^"]+)"/.exec(code);
        if (request) {
          const [, id, , path] = request;
          if (path === "/slow") queued.push({ id: Number(id), polls: pollsBeforeReply, body: { slow: true } });
          else outbox.push(line(Number(id), { path }));
        }
        for (const q of [...queued]) {
          if (q.polls-- > 0) continue;
          queued.splice(queued.indexOf(q), 1);
          outbox.push(line(q.id, q.body));
        }
        return { stdout: outbox.splice(0).join("\n"), stderr: "" };
      } finally {
        busy = false;
      }
    },
  };
  return { repl, log };
}

describe("serial signaling transport", () => {
  it("runs overlapping requests one raw-REPL exchange at a time and routes each reply by id", async () => {
    const { repl, log } = scriptedRepl(3);
    const transport = createSerialTransport(repl, { pollIntervalMs: 1 });
    const [slow, a, b] = await Promise.all([
      transport.request("POST", "/slow", {}),
      transport.request("POST", "/a", {}),
      transport.request("GET", "/b"),
    ]);
    expect(slow).toEqual({ slow: true });
    expect(a).toEqual({ path: "/a" });
    expect(b).toEqual({ path: "/b" });
    expect(log.overlaps).toBe(0);
    expect(log.cutShort).toBe(0);
    expect(log.exchanges).toBeGreaterThanOrEqual(4);
  });

  it("stops a cancelled request between exchanges and keeps serving the others", async () => {
    const { repl, log } = scriptedRepl(50);
    const transport = createSerialTransport(repl, { pollIntervalMs: 1 });
    const stop = new AbortController();
    const slow = transport.request("POST", "/slow", {}, stop.signal);
    setTimeout(() => stop.abort(), 30);
    await expect(slow).rejects.toMatchObject({ code: "cancelled" });
    expect(await transport.request("POST", "/after", {})).toEqual({ path: "/after" });
    expect(log.overlaps).toBe(0);
    await expect(transport.request("POST", "/x", {}, AbortSignal.abort())).rejects.toMatchObject({ code: "cancelled" });
  });

  it("gives up on a board that never answers with a timeout naming the request", async () => {
    const { repl } = scriptedRepl(1_000);
    const transport = createSerialTransport(repl, { pollIntervalMs: 1, timeoutMs: 100 });
    await expect(transport.request("POST", "/slow", {})).rejects.toMatchObject({
      code: "timeout",
      message: expect.stringMatching(/POST \/slow/),
    });
  });
});
