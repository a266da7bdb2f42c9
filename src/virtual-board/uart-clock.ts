/**
 * The baud rate a UART actually produces, on either end of the wire, and whether a receiver on the
 * other end still reads it. A UART divides a clock by an integer (or integer plus a fraction), so
 * most requested rates come out a little off; a receiver tolerates only a few per cent of mismatch
 * between the two ends before it samples the wrong bits.
 */

/**
 * Largest mismatch between the two ends' real rates that still reads intact, as a fraction.
 * Maxim (Analog Devices) application note 2141, "Determining Clock Accuracy Requirements for UART
 * Communications", derives the budget for a 16x-oversampling receiver and a 10-bit frame (start,
 * 8 data, stop): the last bit must still be sampled inside its cell, which leaves a few per cent
 * of total mismatch between the two ends, less once edge distortion takes its share. We take 3 %.
 */
export const UART_RATE_TOLERANCE = 0.03;

/**
 * The chip's UART0 at a rate set by the ROM's or the stub's CHANGE_BAUDRATE: both program
 * UART_CLKDIV with `(clock << 4) / baud`, an integer part and a 4-bit fraction (ESP32, ESP32-S3,
 * ESP32-C3 and ESP32-P4 technical reference manuals, "UART Controller", baud-rate generation:
 * baud = clock / (CLKDIV + CLKDIV_FRAG / 16)). `clockHz` is the clock feeding UART0 (chips.ts).
 */
export function chipUartRate(clockHz: number, baud: number): number {
  const div16 = Math.floor((clockHz * 16) / baud);
  return div16 > 0 ? (clockHz * 16) / div16 : clockHz;
}

/**
 * The chip's UART0 after the ROM's autobaud locked on to a host's SYNC: the UART counts the
 * shortest low and high pulses of the 0x55 bytes in whole UART clock cycles (TRMs, "UART
 * Controller", "Baud Rate Detection": UART_LOWPULSE_MIN_CNT / UART_HIGHPULSE_MIN_CNT), and the ROM
 * programs that whole number as the divider, so a fast rate locks with a coarse error.
 */
export function chipAutobaudRate(clockHz: number, hostRate: number): number {
  const cycles = Math.max(1, Math.round(clockHz / hostRate));
  return clockHz / cycles;
}

/** How a USB-UART bridge turns the rate its driver asks for into a real rate. */
export type BaudGenerator = (requested: number) => number;

/**
 * Silicon Labs CP2102N: modelled as its 48 MHz oscillator halved and divided by a whole number,
 * the nearest N winning. Silicon Labs AN205 "CP210x Baud Rate Support" tabulates the older CP210x
 * parts' rates that way; the CP2102N data sheet gives only the range (300 bps to 3 Mbps, N = 8),
 * so this is an assumption that keeps the ceiling exact and makes rates between steps come out off.
 */
export const cp2102nBaud: BaudGenerator = (requested) => {
  const n = Math.max(8, Math.round(24_000_000 / requested));
  return 24_000_000 / n;
};

/**
 * FTDI FT232R: 3 MHz divided by n + x/8 with x in 0..7 and n >= 2; n = 0 means 3 Mbaud and n = 1
 * means 2 Mbaud, and nothing lies between 2 and 3 Mbaud (FTDI AN232B-05 "Configuring FT232R,
 * FT2232 and FT232B Baud Rates"). The driver picks the nearest reachable divisor.
 */
export const ft232rBaud: BaudGenerator = (requested) => {
  if (requested >= 2_500_000) return 3_000_000;
  if (requested >= (2_000_000 + 1_500_000) / 2) return 2_000_000;
  const eighths = Math.max(16, Math.round((3_000_000 * 8) / requested));
  return (3_000_000 * 8) / eighths;
};

/**
 * WCH CH340/CH341: a 48 MHz clock through a prescaler of 2^(12 - 3·ps - fact) (ps 0..3, fact 0..1)
 * and an 8-bit divisor of 2..256, as Linux's ch341 driver (drivers/usb/serial/ch341.c,
 * ch341_get_divisor) computes them; the closest of those rates wins.
 */
export const ch340Baud: BaudGenerator = (requested) => {
  let best = 0;
  for (let ps = 0; ps <= 3; ps++) {
    for (let fact = 0; fact <= 1; fact++) {
      const clock = 48_000_000 / 2 ** (12 - 3 * ps - fact);
      const div = Math.min(256, Math.max(2, Math.round(clock / requested)));
      const rate = clock / div;
      if (Math.abs(rate - requested) < Math.abs(best - requested)) best = rate;
    }
  }
  return best;
};

/**
 * WCH CH9102: its data sheet gives the range (50 bps to 4 Mbps) but no generator formula, so the
 * rate it makes is taken as exact; that is kinder than the other bridges, for want of a source.
 */
export const exactBaud: BaudGenerator = (requested) => requested;

/** Does a receiver at `receiverRate` read what a transmitter at `senderRate` sends? */
export function ratesMatch(senderRate: number, receiverRate: number): boolean {
  return Math.abs(senderRate / receiverRate - 1) <= UART_RATE_TOLERANCE;
}

/**
 * UART0 of the chip: the rate it runs at, set by CHANGE_BAUDRATE or, in the ROM loader, by its
 * autobaud, which listens from reset until the ROM has answered the host (its SYNC reply).
 */
export class ChipUart {
  /** The rate asked for (or, after autobaud, the one locked on to), as UART_CLKDIV reads back. */
  baud: number;
  /** Bits per second the UART really makes from its clock and divider. */
  rate: number;
  private listening = false;
  private heard = false;

  constructor(
    private readonly clockHz: number,
    baud: number,
  ) {
    this.baud = baud;
    this.rate = chipUartRate(clockHz, baud);
  }

  /** CHANGE_BAUDRATE, or the console rate after a normal boot. */
  set(baud: number): void {
    this.baud = baud;
    this.rate = chipUartRate(this.clockHz, baud);
    this.listening = this.heard = false;
  }

  /** The ROM loader starts at its own rate and listens for the host's SYNC. */
  enterRomLoader(romBaud: number): void {
    this.set(romBaud);
    this.listening = true;
  }

  /** Bytes from a host whose bridge really runs at `hostRate` reached the UART. */
  hear(hostRate: number): void {
    if (!this.listening) return;
    this.rate = this.baud = chipAutobaudRate(this.clockHz, hostRate);
    this.heard = true;
  }

  /** The chip sent something: after hearing the host, that is the SYNC reply, and autobaud stops. */
  answered(): void {
    if (this.heard) this.listening = this.heard = false;
  }
}
