import type { SerialPortLike } from "../port/serial-port";
import { usbConnection } from "../port/usb-connector";
import { ConsoleConnection } from "../repl/console-connection";
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

/** Ctrl-C interrupts running code, Ctrl-B leaves raw mode, Ctrl-D at the friendly REPL soft-resets. */
const CTRL_C = 0x03;
const CTRL_B = 0x02;
const CTRL_D = 0x04;

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
 * Where the board's console is after its port went away during a restart: a board whose console is
 * TinyUSB CDC leaves the bus on every reset and comes back as a new port. null: it did not come back.
 */
export type NextPort = (lost: SerialPortLike) => Promise<SerialPortLike | null>;

/**
 * Wait for the board's Wi-Fi verdict in its status lines. Register before resetting, so the first
 * lines of the new boot are not missed. With `nextPort`, a port that goes away (re-enumeration) is
 * followed and the status lines are read where the board came back.
 */
export function awaitWifiOutcome(
  connection: RawRepl["connection"],
  options: {
    timeoutMs: number;
    onConnecting?: () => void;
    onStatus?: (s: DeviceStatus) => void;
    signal?: AbortSignal;
    nextPort?: NextPort;
  },
): Promise<WifiOutcome> {
  return new Promise((resolve) => {
    let sawBoot = false;
    let ended = false;
    const hasEnded = (): boolean => ended;
    let stop: () => void = () => undefined;
    let offEnd: () => void = () => undefined;
    /** A connection this wait opened on the port the board came back on; closed when it ends. */
    let followed: ConsoleConnection | null = null;
    const finish = (outcome: WifiOutcome): void => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      stop();
      offEnd();
      void followed?.close().catch(() => undefined);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(wifiFailure("timeout", sawBoot)), options.timeoutMs);
    const onAbort = (): void => finish(wifiFailure("timeout", sawBoot));
    const listen = (on: RawRepl["connection"]): void => {
      stop = followStatusLines(on, onStatus);
      const nextPort = options.nextPort;
      if (!nextPort) return;
      offEnd = on.onEnd(() => {
        if (ended) return;
        stop();
        void nextPort(on.port)
          .then(async (port) => {
            if (!port || ended) return;
            const opened = await ConsoleConnection.open(port);
            // Checked again after the await: the verdict may have come meanwhile.
            if (hasEnded()) return void opened.close().catch(() => undefined);
            await followed?.close().catch(() => undefined);
            followed = opened;
            listen(opened);
          })
          // Not back, or not openable: the timeout gives the verdict ("did not report back").
          .catch(() => undefined);
      });
    };
    const onStatus = (status: DeviceStatus): void => {
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
    };
    listen(connection);
    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Restart the board into its app: machine.reset() through the REPL (the same on every board), and
 * the EN line through RTS if the board stays silent after it (a soft reset on a TinyUSB CDC
 * console, see below). The pulse asserts RTS with DTR released: through a bridge's auto-reset
 * circuit (and USB-Serial-JTAG, which reads the lines the same way) that is EN low with IO0 high,
 * a plain restart into the app.
 * `onResetRequested` runs as soon as the REPL exchange is over: the moment to start following
 * status lines (nothing is lost: bytes that arrived are still buffered).
 */
export async function resetBoard(
  repl: RawRepl,
  onResetRequested?: () => void,
): Promise<"machine-reset" | "rts-reset" | "soft-reset"> {
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
  // A port that went away is the restart itself: a TinyUSB CDC console leaves the bus on reset.
  if (heard || connection.error) return "machine-reset";
  const port = connection.port;
  if (usbConnection(port.getInfo()).device === "usb-cdc") {
    // Not the RTS pulse on a TinyUSB CDC console: MicroPython's tud_cdc_line_state_cb
    // (shared/tinyusb/mp_usbd_cdc.c, MICROPY_HW_USB_CDC_DTR_RTS_BOOTLOADER, on by default on the
    // ESP32-S2/S3 in ports/esp32/mpconfigport.h) takes DTR low with RTS high as "enter the
    // bootloader" and restarts into download mode, so the pulse below would leave the board in
    // the ROM loader instead of its app. A soft reset from the friendly REPL runs boot.py and
    // main.py again, which is what brings the new settings up.
    // Ctrl-C stops whatever still runs (the machine.reset() that did nothing), Ctrl-B leaves raw
    // mode (harmless at the friendly prompt): Ctrl-D in raw mode would skip main.py.
    await connection.write(Uint8Array.of(CTRL_C, CTRL_C, 0x0d, CTRL_B)).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    await connection.write(Uint8Array.of(CTRL_D)).catch(() => undefined);
    return "soft-reset";
  }
  await port.setSignals({ requestToSend: false });
  await port.setSignals({ dataTerminalReady: false });
  await port.setSignals({ requestToSend: true });
  await new Promise((r) => setTimeout(r, 100));
  await port.setSignals({ requestToSend: false });
  return "rts-reset";
}
