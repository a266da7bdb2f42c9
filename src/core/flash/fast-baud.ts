/**
 * Flashing at the link's limit: once the stub runs at the ROM's rate (921,600 by default), try
 * faster rates, fastest first, checking the link at each before a byte of firmware crosses it;
 * step down when a write fails at a fast rate; and remember, per USB identity, the rate a whole
 * flash went through, so the next board behind the same kind of bridge starts there.
 */
import { usbDeviceName, usbIdentityKey } from "../port/usb-names";
import type { FlashSession } from "./flash-session";
import type { BaudEvent, FastBaudOptions } from "./types";

export type { FastBaudOptions } from "./types";

/**
 * Rates tried above the ROM's, fastest first: the top rates of the common bridges' data sheets
 * (CP2102N and FT232R 3 Mbaud, CH340 2 Mbaud) and one step between 2 Mbaud and 921,600.
 */
export const FAST_BAUD_RATES: readonly number[] = [3_000_000, 2_000_000, 1_500_000];

export class BaudStepper {
  private readonly usbKey: string | null;
  private readonly device: string | null;
  private readonly rates: number[];

  constructor(
    private readonly session: FlashSession,
    private readonly options: FastBaudOptions,
    private readonly emit: (event: BaudEvent) => void,
  ) {
    const info = session.port.getInfo();
    this.usbKey = usbIdentityKey(info);
    this.device = usbDeviceName(info);
    this.rates = [...new Set(options.rates ?? FAST_BAUD_RATES)]
      .filter((r) => Number.isInteger(r) && r > 0)
      .sort((a, b) => b - a);
  }

  /** Whether a failure at the current rate can be answered by going slower. */
  get canStepDown(): boolean {
    return !this.session.chip.usbSerialJtag && this.session.baudRate > this.session.romBaudRate;
  }

  /**
   * Move the stub to the fastest rate (below `below`) at which the link passes its check; the
   * remembered rate for this USB identity caps the rates tried. On USB-Serial-JTAG the rate is
   * only a number (the data moves at USB speed), so nothing is tried.
   */
  async raise(below = Infinity): Promise<void> {
    const session = this.session;
    if (session.chip.usbSerialJtag) {
      this.announce({ decision: "native-usb", baudRate: session.baudRate });
      return;
    }
    const remembered = this.usbKey !== null ? this.options.memory?.recall(this.usbKey) : undefined;
    // A ROM that already had to go below the requested rate says the link is slow: no faster rate will do.
    const linkIsSlow = session.romBaudRate < session.requestedBaudRate;
    const ladder =
      remembered !== undefined && !this.rates.includes(remembered) ? [remembered, ...this.rates] : this.rates;
    const candidates = linkIsSlow
      ? []
      : ladder.filter((r) => r > session.baudRate && r < below && (remembered === undefined || r <= remembered));
    for (const baudRate of candidates) {
      session.throwIfInterrupted();
      this.announce({ decision: "trying", baudRate, remembered: baudRate === remembered });
      if (await session.tryBaudRate(baudRate)) break;
      this.announce({ decision: "refused", baudRate, reason: "link-check-failed" });
    }
    this.announce({ decision: "settled", baudRate: session.baudRate });
  }

  /**
   * A write (or read-back) failed at a fast rate: reset back to the ROM's rate and take the
   * fastest slower rate that passes the check. False when there is no slower rate to go to.
   */
  async stepDown(): Promise<boolean> {
    if (!this.canStepDown) return false;
    const failed = this.session.baudRate;
    this.announce({ decision: "refused", baudRate: failed, reason: "write-failed" });
    await this.session.restart();
    await this.raise(failed);
    return true;
  }

  /** The flash completed at the current rate: keep it for the next board behind this kind of bridge. */
  remember(): void {
    if (this.usbKey === null || this.session.chip.usbSerialJtag) return;
    this.options.memory?.remember(this.usbKey, this.session.baudRate);
  }

  private announce(decision: DistributiveOmit<BaudEvent, "state" | "usbId" | "device">): void {
    this.emit({ state: "baud", usbId: this.usbKey, device: this.device, ...decision });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** "2,000,000 baud (CP210x)", for a log line or a status. */
export function describeBaud(event: Pick<BaudEvent, "baudRate" | "device">): string {
  const rate = `${event.baudRate.toLocaleString("en-US")} baud`;
  return event.device ? `${rate} (${event.device})` : rate;
}
