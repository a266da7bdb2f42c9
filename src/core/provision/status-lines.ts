import type { ConsoleConnection } from "../repl/console-connection";

/** One machine-readable line the pyDirect device scripts print: `PYDIRECT {json}`. */
export type DeviceStatus =
  | { event: "boot"; version?: string; hostname?: string }
  | { event: "wifi"; state: "connecting"; ssid?: string }
  | { event: "wifi"; state: "connected"; ip: string; hostname?: string }
  | { event: "wifi"; state: "failed"; reason: string }
  | { event: "wifi"; state: "unconfigured" }
  | { event: "https"; state: string; port?: number }
  | { event: "webrtc"; state: string }
  | { event: string; [key: string]: unknown };

const PREFIX = "PYDIRECT ";

/** Parse one console line; null when it is not a status line (logs, tracebacks, noise). */
export function parseStatusLine(line: string): DeviceStatus | null {
  const at = line.indexOf(PREFIX);
  if (at < 0) return null;
  try {
    const value: unknown = JSON.parse(line.slice(at + PREFIX.length).trim());
    if (typeof value === "object" && value !== null && typeof (value as { event?: unknown }).event === "string") {
      return value as DeviceStatus;
    }
  } catch {
    // A line garbled on the wire or cut by a reset.
  }
  return null;
}

/**
 * Follow status lines on a console: `onStatus` sees each one; returns a function that stops
 * following. Lines are split on LF; the console buffer is drained as it goes, so start following
 * only once no REPL exchange is in flight.
 */
export function followStatusLines(connection: ConsoleConnection, onStatus: (status: DeviceStatus) => void): () => void {
  const decoder = new TextDecoder();
  let partial = "";
  const consume = (bytes: Uint8Array): void => {
    partial += decoder.decode(bytes, { stream: true });
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    if (partial.length > 4096) partial = partial.slice(-4096);
    for (const line of lines) {
      const status = parseStatusLine(line);
      if (status) onStatus(status);
    }
  };
  // What arrived before following started (the first lines of a fast boot) counts too.
  consume(connection.takeAvailable());
  return connection.onData(() => consume(connection.takeAvailable()));
}
