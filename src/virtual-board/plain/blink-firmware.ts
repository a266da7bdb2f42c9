/**
 * Firmware that offers no Wi-Fi set-up over USB: ESP-IDF's "blink" example as it logs on the
 * console (get_started/blink: "Example configured to blink GPIO LED!", then "Turning the LED ON!/OFF!"
 * every CONFIG_BLINK_PERIOD, 1000 ms by default). It reads nothing from the console: bytes sent to
 * it are ignored, as the example never reads stdin.
 */
import type { AppContext, AppRuntime, AppRuntimeFactory } from "../types";

export interface BlinkFirmwareOptions {
  /** CONFIG_BLINK_PERIOD in ms (the example's default 1000). */
  periodMs?: number;
}

export function createBlinkFirmware(options: BlinkFirmwareOptions = {}): AppRuntimeFactory {
  return (ctx: AppContext): AppRuntime => {
    const started = Date.now();
    // ESP-IDF log lines carry ms since boot; the app starts ~300 ms after the ROM.
    const stamp = () => 300 + (Date.now() - started);
    const log = (text: string) => ctx.write(new TextEncoder().encode(`I (${stamp()}) example: ${text}\r\n`));
    log("Example configured to blink GPIO LED!");
    let on = false;
    const timer = setInterval(() => {
      if (ctx.signal.aborted) return;
      on = !on;
      log(`Turning the LED ${on ? "ON" : "OFF"}!`);
    }, options.periodMs ?? 1000);
    return {
      input: () => undefined,
      stop: () => clearInterval(timer),
    };
  };
}
