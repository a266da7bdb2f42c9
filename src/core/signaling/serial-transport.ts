/**
 * Signaling over the serial link, so the first verification needs neither a network permission
 * prompt nor a certificate trust step. The portal calls into the device script through the raw
 * REPL; the script answers with `PYDIRECT-SIG {json}` lines on stdout. Replies that need the WebRTC
 * stack to finish (gathering, answer, the board's trickled candidates) are queued on the board and
 * collected by polling, so every byte of a reply arrives inside a raw-REPL exchange and never
 * interleaves with it. A poll collects every queued reply, whichever request it answers.
 */
import { SignalingError } from "./errors";
import type { SignalingTransport } from "./transport";

export const SIGNAL_LINE_PREFIX = "PYDIRECT-SIG ";
const DEVICE_MODULE = "lib.sys.webrtc_signaling";

/** What the serial transport needs from a raw REPL session (part B's `RawRepl` satisfies it). */
export interface ReplExec {
  exec(
    code: string,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<{ stdout: string; stderr: string }>;
}

export interface SerialSignalReply {
  id: number;
  status: number;
  body: unknown;
}

/** Parse every `PYDIRECT-SIG {json}` line in a block of console text. Other lines are ignored. */
export function parseSignalLines(text: string): SerialSignalReply[] {
  const out: SerialSignalReply[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith(SIGNAL_LINE_PREFIX)) continue;
    let value: unknown;
    try {
      value = JSON.parse(line.slice(SIGNAL_LINE_PREFIX.length));
    } catch {
      throw new SignalingError(
        "bad-message",
        "The board printed a signaling line that is not valid JSON (the serial link may be garbling bytes).",
      );
    }
    const v = value as Partial<SerialSignalReply> | null;
    if (typeof value !== "object" || v === null || typeof v.id !== "number") {
      throw new SignalingError("bad-message", "The board printed a signaling line without a request id.");
    }
    out.push({ id: v.id, status: typeof v.status === "number" ? v.status : 200, body: v.body });
  }
  return out;
}

/** `JSON.stringify` of a string is a valid Python string literal (same escapes, `\uXXXX` included). */
const pyLiteral = (s: string) => JSON.stringify(s);

export interface SerialTransportOptions {
  timeoutMs?: number;
  pollIntervalMs?: number;
}

export function createSerialTransport(repl: ReplExec, options: SerialTransportOptions = {}): SignalingTransport {
  let nextId = 1;
  const waiting = new Map<number, SerialSignalReply>();
  // Requests given up (cancelled, timed out) whose reply the board may still print later.
  const abandoned = new Set<number>();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const pollMs = options.pollIntervalMs ?? 40;

  // One raw-REPL exchange at a time (trickled candidates travel beside other requests), and never
  // one cut short: an exchange abandoned midway would leave the REPL out of step for the next one.
  let exchanges: Promise<unknown> = Promise.resolve();
  function run(code: string): Promise<void> {
    const next = exchanges.then(() => exchange(code));
    exchanges = next.catch(() => undefined);
    return next;
  }

  async function exchange(code: string): Promise<void> {
    const result = await repl.exec(`import ${DEVICE_MODULE} as _sig\n${code}`, { timeoutMs: 10_000 });
    if (result.stderr.trim()) {
      const last = result.stderr.trim().split(/\r?\n/).pop();
      throw new SignalingError("device-refused", `The board's signaling script failed: ${last}`);
    }
    for (const reply of parseSignalLines(result.stdout)) {
      if (!abandoned.delete(reply.id)) waiting.set(reply.id, reply);
    }
  }

  return {
    kind: "serial",
    endpoint: "serial",
    async request(method, path, body, signal) {
      const id = nextId++;
      const json = body === undefined ? "" : JSON.stringify(body);
      if (signal?.aborted) throw new SignalingError("cancelled", "Signaling was cancelled.");
      await run(`_sig.serial_request(${id}, ${pyLiteral(method)}, ${pyLiteral(path)}, ${pyLiteral(json)})`);
      const deadline = Date.now() + timeoutMs;
      const giveUp = (err: SignalingError) => {
        abandoned.add(id);
        return err;
      };
      while (!waiting.has(id)) {
        if (signal?.aborted) throw giveUp(new SignalingError("cancelled", "Signaling was cancelled."));
        if (Date.now() > deadline) {
          throw giveUp(
            new SignalingError(
              "timeout",
              `The board did not answer ${method} ${path} over the serial link within ${timeoutMs} ms.`,
            ),
          );
        }
        await new Promise((r) => setTimeout(r, pollMs));
        if (!waiting.has(id)) await run("_sig.serial_poll()");
      }
      const reply = waiting.get(id);
      if (!reply) throw new Error(`reply ${id} went missing`); // the loop above ends only once it is there
      waiting.delete(id);
      return reply.body;
    },
  };
}
