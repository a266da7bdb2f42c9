/**
 * The WebREPL Binary Protocol (WBP) of pyDirect upstream's `webrepl_binary` module, the framing its
 * DataChannel (and WebSocket) carries: every message is one CBOR array whose first element is a
 * channel number. Facts from upstream (jetpax/pyDirect 362a8cc): `webrepl/wbp_common.h` (channel,
 * opcode and event numbers), `webrepl/wbp_common.c` (the server's message builders:
 * wbp_send_result, wbp_send_progress, wbp_send_auth_ok/fail, wbp_send_info_json, wbp_send_log) and
 * `webrepl/modwebrepl_binary.c` (what the server accepts: handle_rtc_message, handle_rtc_auth_message,
 * handle_ws_channel_message).
 *
 *   client → board   [0, 0, password]                 log in (the only message taken before it)
 *                    [ch, 0, code, format?, id?]      execute (ch 1 terminal, 2 machine-to-machine)
 *                    [ch, 1]                          interrupt
 *                    [ch, 2, mode?]                   reset (mode 1 = hard)
 *   board → client   [0, 1]                           logged in
 *                    [0, 2, reason]                   refused ("Invalid password", "Not authenticated")
 *                    [0, 3, json]                     information
 *                    [0, 4, level, text, ts?, src?]   log record
 *                    [ch, 0, text, id?]               output of the code running on ch
 *                    [ch, 1]                          continuation prompt
 *                    [ch, 2, status, error|null?, id?]  done: status 0 ok, 1 failed
 *                    [ch, 3, [completion…]]           completions
 */
import { CborError, decodeCbor, encodeCbor, type CborValue } from "./cbor";

export const WBP_CHANNEL = { event: 0, terminal: 1, m2m: 2, debug: 3, file: 23 } as const;
export const WBP_EVENT = { auth: 0, authOk: 1, authFail: 2, info: 3, log: 4 } as const;
/** Client → board opcodes on channels 1–3. */
export const WBP_OP = { execute: 0, interrupt: 1, reset: 2 } as const;
/** Board → client opcodes on channels 1–3. */
export const WBP_REPLY = { result: 0, continuation: 1, progress: 2, completions: 3 } as const;
/** Source code, as opposed to .mpy bytecode (WBP_FMT_PY). */
export const WBP_FORMAT_PYTHON = 0;

export type WbpMessage =
  | { kind: "auth-ok" }
  | { kind: "auth-fail"; reason: string }
  | { kind: "info"; json: string }
  | { kind: "log"; level: number; text: string; timestamp: number | null; source: string | null }
  | { kind: "result"; channel: number; text: string; id: string | null }
  | { kind: "continuation"; channel: number }
  | { kind: "progress"; channel: number; status: number; error: string | null; id: string | null }
  | { kind: "completions"; channel: number; items: string[] }
  | { kind: "file"; opcode: number; fields: CborValue[] }
  | { kind: "unknown"; value: CborValue };

export function encodeLogin(password: string): Uint8Array {
  return encodeCbor([WBP_CHANNEL.event, WBP_EVENT.auth, password]);
}

export function encodeExecute(channel: number, code: string, id?: string): Uint8Array {
  const message: CborValue[] = [channel, WBP_OP.execute, code, WBP_FORMAT_PYTHON];
  if (id !== undefined) message.push(id);
  return encodeCbor(message);
}

export function encodeInterrupt(channel: number): Uint8Array {
  return encodeCbor([channel, WBP_OP.interrupt]);
}

const str = (v: CborValue): string | null => (typeof v === "string" ? v : null);
const num = (v: CborValue): number | null => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : null);

/**
 * One board → client message. Throws `CborError` for bytes that are not CBOR; a CBOR item that is
 * not a WBP message comes back as `unknown`.
 */
export function decodeMessage(bytes: Uint8Array): WbpMessage {
  const value = decodeCbor(bytes);
  if (!Array.isArray(value) || value.length < 2) return { kind: "unknown", value };
  const [channel, opcode, ...rest] = value;
  const ch = num(channel);
  const op = num(opcode);
  if (ch === null || op === null) return { kind: "unknown", value };
  if (ch === WBP_CHANNEL.event) {
    if (op === WBP_EVENT.authOk) return { kind: "auth-ok" };
    if (op === WBP_EVENT.authFail) return { kind: "auth-fail", reason: str(rest[0] ?? null) ?? "" };
    if (op === WBP_EVENT.info) return { kind: "info", json: str(rest[0] ?? null) ?? "" };
    if (op === WBP_EVENT.log)
      return {
        kind: "log",
        level: num(rest[0] ?? null) ?? 0,
        text: str(rest[1] ?? null) ?? "",
        timestamp: num(rest[2] ?? null),
        source: str(rest[3] ?? null),
      };
    return { kind: "unknown", value };
  }
  if (ch === WBP_CHANNEL.file) return { kind: "file", opcode: op, fields: rest };
  switch (op) {
    case WBP_REPLY.result: {
      const text = rest[0];
      return {
        kind: "result",
        channel: ch,
        text: typeof text === "string" ? text : text instanceof Uint8Array ? new TextDecoder().decode(text) : "",
        id: str(rest[1] ?? null),
      };
    }
    case WBP_REPLY.continuation:
      return { kind: "continuation", channel: ch };
    case WBP_REPLY.progress: {
      // [ch, 2, status], [ch, 2, status, error], [ch, 2, status, null, id], [ch, 2, status, error, id]
      return {
        kind: "progress",
        channel: ch,
        status: num(rest[0] ?? null) ?? 1,
        error: str(rest[1] ?? null),
        id: str(rest[2] ?? null),
      };
    }
    case WBP_REPLY.completions:
      return {
        kind: "completions",
        channel: ch,
        items: Array.isArray(rest[0]) ? rest[0].filter((x): x is string => typeof x === "string") : [],
      };
    default:
      return { kind: "unknown", value };
  }
}

export { CborError };
