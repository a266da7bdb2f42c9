import type { RawRepl } from "../repl/raw-repl";
import { MACHINE_RESET } from "./device-scripts";
import { ProvisionError } from "./errors";
import { followStatusLines, type DeviceStatus } from "./status-lines";

export type WifiFailureReason = "wrong-password" | "network-not-found" | "timeout" | "not-configured";

export type WifiOutcome =
  | { state: "connected"; ip: string; hostname: string }
  | { state: "failed"; reason: WifiFailureReason; error: ProvisionError };

/** Silence after machine.reset() that means the board did not restart (firmware without machine.reset). */
const RESET_SILENCE_MS = 3000;

/** The outcome for a failure `reason`; `message` replaces the standard sentence where the board said more. */
export function wifiFailure(reason: WifiFailureReason, sawBoot: boolean, message?: string): WifiOutcome {
  const error = message
    ? new ProvisionError(
        reason === "timeout"
          ? "wifi-timeout"
          : reason === "wrong-password"
            ? "wifi-wrong-password"
            : reason === "network-not-found"
              ? "wifi-network-not-found"
              : "no-status",
        message,
      )
    : reason === "wrong-password"
      ? new ProvisionError(
          "wifi-wrong-password",
          "The board found the network but the password was rejected. Correct the password and try again.",
        )
      : reason === "network-not-found"
        ? new ProvisionError(
            "wifi-network-not-found",
            "The board cannot see that network. Check the name (it is case-sensitive), that it is a 2.4 GHz network, and that the board is in range.",
          )
        : reason === "not-configured"
          ? new ProvisionError("no-status", "The board restarted without Wi-Fi settings. Provision it again.")
          : sawBoot
            ? new ProvisionError(
                "wifi-timeout",
                "The board did not manage to join the network in time. Check the network and try again.",
              )
            : new ProvisionError(
                "no-status",
                "The board did not report back after restarting. Check that it runs pyDirect and press its reset button.",
                {
                  action: "retry",
                },
              );
  return { state: "failed", reason, error };
}

const REASONS: Record<string, WifiFailureReason> = {
  "wrong-password": "wrong-password",
  "no-ap-found": "network-not-found",
  "network-not-found": "network-not-found",
  timeout: "timeout",
};

/**
 * Wait for the board's Wi-Fi verdict in its status lines. Register before resetting, so the first
 * lines of the new boot are not missed.
 */
export function awaitWifiOutcome(
  connection: RawRepl["connection"],
  options: { timeoutMs: number; onConnecting?: () => void; onStatus?: (s: DeviceStatus) => void; signal?: AbortSignal },
): Promise<WifiOutcome> {
  return new Promise((resolve) => {
    let sawBoot = false;
    const finish = (outcome: WifiOutcome): void => {
      clearTimeout(timer);
      stop();
      options.signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => finish(wifiFailure("timeout", sawBoot));
    const stop = followStatusLines(connection, (status) => {
      options.onStatus?.(status);
      if (status.event === "boot") sawBoot = true;
      if (status.event !== "wifi") return;
      sawBoot = true;
      // The board's JSON, not checked field by field: String() below keeps a stray number usable.
      const s = status as { state?: string; ip?: string | number; hostname?: string | number; reason?: unknown };
      if (s.state === "connecting") options.onConnecting?.();
      else if (s.state === "connected")
        finish({ state: "connected", ip: String(s.ip ?? ""), hostname: String(s.hostname ?? "") });
      else if (s.state === "failed") finish(wifiFailure(REASONS[String(s.reason)] ?? "timeout", true));
      else if (s.state === "unconfigured") finish(wifiFailure("not-configured", true));
    });
    const timer = setTimeout(() => finish(wifiFailure("timeout", sawBoot)), options.timeoutMs);
    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Restart the board into its app: machine.reset() through the REPL (the same on every board), and
 * the EN line through RTS if the board stays silent after it. The line sequence never pulls DTR
 * low while RTS is high, so neither a UART bridge nor USB-Serial-JTAG latches download mode.
 * `onResetRequested` runs as soon as the REPL exchange is over: the moment to start following
 * status lines (nothing is lost: bytes that arrived are still buffered).
 */
export async function resetBoard(repl: RawRepl, onResetRequested?: () => void): Promise<"machine-reset" | "rts-reset"> {
  const connection = repl.connection;
  try {
    await repl.execNoFollow(MACHINE_RESET, { timeoutMs: 5000 });
  } catch {
    // A board that resets before acknowledging the end of the code is what we asked for.
  }
  let heard = connection.bufferedBytes > 0;
  const off = connection.onData(() => {
    heard = true;
  });
  onResetRequested?.();
  const deadline = Date.now() + RESET_SILENCE_MS;
  while (!heard && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  off();
  if (heard) return "machine-reset";
  const port = connection.port;
  await port.setSignals({ requestToSend: false });
  await port.setSignals({ dataTerminalReady: false });
  await port.setSignals({ requestToSend: true });
  await new Promise((r) => setTimeout(r, 100));
  await port.setSignals({ requestToSend: false });
  return "rts-reset";
}
