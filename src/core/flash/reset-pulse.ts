/**
 * How long the host holds a board's EN (chip enable) low through the usual auto-reset circuit
 * (RTS pulls EN low, DTR pulls IO0 low, through two transistors), and the reset strategies built
 * on it.
 *
 * What the chip needs: ESP32-S3 data sheet (and the ESP32, S2, C3 ones alike), "Power-up and
 * Reset Timing", tRST: CHIP_PU (EN) below VIL_nRST for at least 50 µs resets the chip. On
 * Espressif's DevKits EN has a 10 kΩ pull-up and a 1 µF capacitor (the RC delay the hardware
 * design guidelines recommend); the auto-reset transistor, saturated, empties that capacitor in
 * a fraction of a millisecond. Web Serial changes each line with a USB control transfer, so what
 * reaches the bridge is frame-aligned (1 ms). esptool and esptool-js hold EN low for 100 ms, a
 * margin of thousands; `EN_LOW_MS` keeps two hundred times tRST and ten USB frames.
 *
 * What is not shortened: how long IO0 stays low after EN is released (esptool's 50 ms, and its
 * 550 ms retry for boards with more capacitance on EN). EN rises through the RC network (τ = 10 ms
 * with 10 kΩ and 1 µF) and the chip latches its strapping pins only once EN has crossed the
 * threshold, so that wait is what the board's components need, not a margin.
 */
import { ClassicReset, type ResetConstructors, type Transport } from "esptool-js";

/** EN held low for a reset: 200 × the data sheet's tRST (50 µs), 10 USB frames. */
export const EN_LOW_MS = 10;

/** esptool-js's first connect attempt waits this long with IO0 low after releasing EN (its retry waits 550). */
const ESPTOOL_DEFAULT_RESET_DELAY_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * esptool's classic reset into the serial loader (EN low with IO0 high, then EN released with IO0
 * low, then IO0 released), holding EN low for `EN_LOW_MS` instead of 100 ms. The IO0 hold is the
 * one esptool-js asks for.
 */
export class ShortPulseClassicReset extends ClassicReset {
  override async reset(): Promise<void> {
    await this.transport.setSignals(false, true);
    await sleep(EN_LOW_MS);
    await this.transport.setSignals(true, false);
    await sleep(this.resetDelay);
    await this.transport.setSignals(false, false);
  }
}

/**
 * The reset strategies a session's loader uses: the short EN pulse on esptool-js's first kind of
 * attempt; its retry (the one for boards with extra capacitance on EN) stays esptool's own.
 */
export function connectResetConstructors(): ResetConstructors {
  return {
    classicReset: (transport: Transport, resetDelay: number) =>
      resetDelay <= ESPTOOL_DEFAULT_RESET_DELAY_MS
        ? new ShortPulseClassicReset(transport, resetDelay)
        : new ClassicReset(transport, resetDelay),
  };
}
