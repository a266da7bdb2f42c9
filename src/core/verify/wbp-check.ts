/**
 * The REPL check on boards whose DataChannel speaks upstream's WebREPL Binary Protocol: log in
 * with the WebREPL password the portal set, evaluate one expression whose value the portal chose
 * (so a cached or canned answer cannot pass), and time the round trip. This is what ScriptO Studio
 * and every other upstream client does first, so a pass means those clients will work.
 */
import type { ChannelHandle } from "../signaling/peer";
import { WbpClient, WbpError } from "../wbp/client";

/** The login may take this many call timeouts. */
const LOGIN_TIMEOUT_FACTOR = 3;

export interface ReplCheckResult {
  /** Login and the expression: sending the code to the board's "done". */
  rttMs: number;
  detail: string;
}

/** A failed REPL check: the sentence for the report, and a stable code (`wrong-password`, …). */
export class ReplCheckFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function checkReplOverWbp(
  channel: ChannelHandle,
  password: string | null,
  timeoutMs: number,
): Promise<ReplCheckResult> {
  if (!password) {
    throw new ReplCheckFailure(
      "no-webrepl-password",
      "The portal does not know this board's WebREPL password (it is never stored): provision the board again to check its REPL, or connect with the password it was given.",
    );
  }
  const client = new WbpClient(channel, timeoutMs);
  const a = 1000 + Math.floor(Math.random() * 9000);
  const b = 1000 + Math.floor(Math.random() * 9000);
  try {
    // The first answer waits for the board's Python to handle the channel's opening (its next
    // process_queue, then start_rtc), which a busy board may take a while to reach.
    await client.login(password, timeoutMs * LOGIN_TIMEOUT_FACTOR);
    const result = await client.run(`print(${a}*${b})`);
    const printed = result.output.trim();
    if (result.error !== null) {
      throw new ReplCheckFailure(
        "repl-error",
        `The board's REPL took the login but failed to run ${a}*${b}: ${lastLine(result.output) || result.error}.`,
      );
    }
    if (printed !== String(a * b)) {
      throw new ReplCheckFailure(
        "repl-wrong-result",
        `The board's REPL answered ${JSON.stringify(printed.slice(0, 40))} to ${a}*${b}, not ${a * b}: reset the board and verify again.`,
      );
    }
    return {
      rttMs: result.ms,
      detail: `REPL over WebRTC works: logged in with the WebREPL password, ${a}*${b} came back as ${printed} in ${result.ms.toFixed(1)} ms.`,
    };
  } catch (err) {
    if (err instanceof WbpError) {
      throw new ReplCheckFailure(
        err.code,
        err.code === "wrong-password" ? err.message : `The board's WebREPL did not work: ${err.message}`,
      );
    }
    throw err;
  }
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).pop()?.trim() ?? "";
}
