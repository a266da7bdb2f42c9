/**
 * The WebREPL Binary Protocol as upstream's `webrepl_binary` C module speaks it on the WebRTC
 * DataChannel (jetpax/pyDirect 362a8cc, webrepl/modwebrepl_binary.c, webrepl/wbp_common.c/.h).
 * Written from those sources; the frames are CBOR arrays `[channel, opcode, …]`.
 *
 * - Channels (wbp_common.h): 0 events, 1 terminal (TRM), 2 machine-to-machine (M2M), 3 debug,
 *   23 files. Events: 0 AUTH, 1 AUTH_OK, 2 AUTH_FAIL, 3 INFO, 4 LOG. Client opcodes: 0 EXE,
 *   1 INT, 2 RST. Server opcodes: 0 RES (output text), 1 CON, 2 PRO (progress), 3 COM.
 * - Login (modwebrepl_binary.c:571-607 handle_rtc_auth_message): `[0, 0, password]` →
 *   `[0, 1]` or `[0, 2, "Invalid password"]` (a non-text password: "Invalid password format").
 *   The password is the one `start(password, path)` was given (the WebSocket transport's,
 *   modwebrepl_binary.c:682), i.e. `server.webrepl_password`.
 * - Anything else before login (modwebrepl_binary.c:649-653): `[0, 2, "Not authenticated"]`.
 * - EXE `[ch, 0, code, ?format, ?id]` (modwebrepl_binary.c:167-238) is queued; the code runs when
 *   Python calls `process_queue()` (wbp_common.c:754). Output goes out as `[ch, 0, text, ?id]`
 *   (wbp_send_result, wbp_common.c:119) through a ring buffer a separate drain task empties; the
 *   end is `[ch, 2, 0, null, id]` / `[ch, 2, 0]` on success, `[ch, 2, 1, "Exception", ?id]` after a
 *   traceback (wbp_common.c:818, 829; wbp_send_progress, wbp_common.c:154). The progress frame is
 *   sent directly while output waits for the drain task (wbp_common.c:832-834 delays 50 ms so the
 *   drain "usually" wins): a client must not rely on output arriving before the progress frame,
 *   and this model sends it after.
 * - INT `[ch, 1]` (modwebrepl_binary.c:244-250): KeyboardInterrupt, answered `[ch, 2, 1, "KeyboardInterrupt"]`.
 * - File transfers (channel 23) and RST are not modelled: they are logged and dropped.
 */
import { decodeCbor, encodeCbor, type CborValue } from "./cbor";

export const WBP = {
  CH_EVENT: 0,
  CH_TRM: 1,
  CH_M2M: 2,
  CH_DBG: 3,
  CH_FILE: 23,
  EVT_AUTH: 0,
  EVT_AUTH_OK: 1,
  EVT_AUTH_FAIL: 2,
  EVT_INFO: 3,
  EVT_LOG: 4,
  OP_EXE: 0,
  OP_INT: 1,
  OP_RST: 2,
  OP_RES: 0,
  OP_PRO: 2,
} as const;

export interface WbpExecRequest {
  channel: number;
  code: string;
  id: string | null;
}

export interface WbpSessionHost {
  /** ESP_LOGx(TAG "WEBREPL", …) */
  log(level: 1 | 2 | 3, text: string): void;
  /** mp_sched_keyboard_interrupt() */
  interrupt(): void;
}

export class WbpSession {
  private password: string | null = null;
  private wsRunning = false;
  private rtcRunning = false;
  private channelOpen = false;
  private authenticated = false;
  private readonly queue: WbpExecRequest[] = [];

  constructor(private readonly host: WbpSessionHost) {}

  /** `start(password, path)`: the WebSocket transport; its password also guards WebRTC. */
  start(password: string): void {
    this.password = password;
    this.wsRunning = true;
  }

  /** `start_rtc(peer)`; an error sentence for RuntimeError, or null. */
  startRtc(): string | null {
    if (this.rtcRunning) return "WebRTC already running";
    this.rtcRunning = true;
    this.authenticated = false;
    this.host.log(3, "WebRTC transport started (awaiting auth)");
    return null;
  }

  updateChannelState(open: boolean): void {
    this.channelOpen = open;
    if (!open && this.rtcRunning) this.authenticated = false;
    this.host.log(3, open ? "WebRTC DataChannel opened" : "WebRTC DataChannel closed");
  }

  stop(): void {
    this.rtcRunning = false;
    this.wsRunning = false;
    this.authenticated = false;
    this.queue.length = 0;
  }

  running(): boolean {
    return this.rtcRunning || this.wsRunning;
  }

  /** Whether frames can go out now (wbp_send_cbor drops them otherwise). */
  canSend(): boolean {
    return this.rtcRunning && this.channelOpen;
  }

  /** One DataChannel message in; the frames to send back now. */
  onData(bytes: Uint8Array): Uint8Array[] {
    let message: CborValue;
    try {
      message = decodeCbor(bytes);
    } catch {
      this.host.log(1, "Failed to parse CBOR");
      return [];
    }
    if (!Array.isArray(message)) {
      this.host.log(1, "Message is not an array");
      return [];
    }
    const [channel, opcode] = message;
    if (typeof channel !== "number" || channel < 0) {
      this.host.log(1, "Invalid channel type");
      return [];
    }
    if (channel === WBP.CH_EVENT && (typeof opcode === "number" ? opcode : 0) === WBP.EVT_AUTH) {
      return [this.login(message[2])];
    }
    if (!this.authenticated) {
      this.host.log(2, "Unauthenticated WebRTC message");
      return [authFail("Not authenticated")];
    }
    if (channel === WBP.CH_EVENT) return [];
    if (channel === WBP.CH_FILE) {
      this.host.log(2, "file transfers are not modelled on the virtual board");
      return [];
    }
    if (opcode === WBP.OP_EXE) {
      const code = message[2];
      const text = typeof code === "string" ? code : code instanceof Uint8Array ? new TextDecoder().decode(code) : null;
      if (text === null) {
        this.host.log(1, "Invalid code type");
        return [];
      }
      const id = message.slice(3).find((v): v is string => typeof v === "string") ?? null;
      this.host.log(3, `EXE: ch=${String(channel)} code_len=${String(text.length)} id=${id ?? "(null)"}`);
      this.queue.push({ channel, code: text, id });
      return [];
    }
    if (opcode === WBP.OP_INT) {
      this.host.log(3, `Interrupt requested on ch=${String(channel)}`);
      this.host.interrupt();
      return [progress(channel, 1, "KeyboardInterrupt", null)];
    }
    this.host.log(2, `opcode ${String(opcode)} on channel ${String(channel)} is not modelled`);
    return [];
  }

  nextExec(): WbpExecRequest | null {
    return this.queue.shift() ?? null;
  }

  private login(password: CborValue | undefined): Uint8Array {
    if (typeof password !== "string") return authFail("Invalid password format");
    if (this.password !== null && password === this.password) {
      this.authenticated = true;
      this.host.log(3, "WebRTC authenticated");
      return encodeCbor([WBP.CH_EVENT, WBP.EVT_AUTH_OK]);
    }
    this.host.log(2, "WebRTC auth failed");
    return authFail("Invalid password");
  }
}

function authFail(error: string): Uint8Array {
  return encodeCbor([WBP.CH_EVENT, WBP.EVT_AUTH_FAIL, error]);
}

/** wbp_send_result: `[ch, 0, text, ?id]`. */
export function resultFrame(channel: number, text: string, id: string | null): Uint8Array {
  return encodeCbor(id === null ? [channel, WBP.OP_RES, text] : [channel, WBP.OP_RES, text, id]);
}

/** wbp_send_progress: `[ch, 2, status, ?error|null, ?id]`. */
export function progress(channel: number, status: number, error: string | null, id: string | null): Uint8Array {
  const frame: CborValue[] = [channel, WBP.OP_PRO, status];
  if (error !== null) frame.push(error);
  else if (id !== null) frame.push(null);
  if (id !== null) frame.push(id);
  return encodeCbor(frame);
}

/** wbp_send_log (wbp_common.c:261): `[0, 4, level, message, ?timestamp_s, ?source]`; level per wbp_map_log_level. */
export function logFrame(pythonLevel: number, message: string, timestampS: number, source: string | null): Uint8Array {
  const level = pythonLevel <= 10 ? 0 : pythonLevel <= 20 ? 1 : pythonLevel <= 30 ? 2 : 3;
  const frame: CborValue[] = [WBP.CH_EVENT, WBP.EVT_LOG, level, message];
  if (timestampS > 0) frame.push(timestampS);
  if (source !== null) frame.push(source);
  return encodeCbor(frame);
}
