/**
 * The serial console after the install, DOM-free: the board's output as text, the user's keys to
 * the board, the EN reset, and how pasted text reaches a MicroPython REPL. The UI draws the text
 * (xterm.js); the session decides when the port is the console's (terminal-controller.ts).
 */
import type { SerialPortLike } from "../port/serial-port";
import type { ConsoleConnection } from "../repl/console-connection";

/** MicroPython's REPL control keys (docs.micropython.org, "MicroPython REPL"). */
export const REPL_KEYS = {
  interrupt: "\x03", // Ctrl-C: KeyboardInterrupt in running code
  softReset: "\x04", // Ctrl-D on an empty line: soft reset (boot.py, main.py again)
  pasteMode: "\x05", // Ctrl-E: paste mode, ended by Ctrl-D
} as const;

/**
 * How long EN is held low for a reset. esptool's HardReset (esptool/reset.py) holds RTS for
 * 100 ms, 200 ms on the USB-Serial-JTAG peripheral, whose reset goes through the USB PHY.
 */
export const EN_RESET_HOLD_MS = { uart: 100, usbSerialJtag: 200 } as const;

/**
 * The bytes a paste sends. A terminal sends CR for Enter, so every line ending becomes CR. On a
 * MicroPython REPL a block of more than one line goes through paste mode (Ctrl-E … Ctrl-D): typed
 * line by line, the REPL would auto-indent each continuation line on top of the pasted indent,
 * and run the block at the first blank line. A single line is typed as it is.
 */
export function pasteBytes(text: string, friendlyRepl: boolean): string {
  const lines = text.replace(/\r\n?/g, "\n");
  if (!friendlyRepl || !lines.replace(/\n+$/, "").includes("\n")) return lines.replace(/\n/g, "\r");
  return REPL_KEYS.pasteMode + lines.replace(/\n+$/, "").replace(/\n/g, "\r") + "\r" + REPL_KEYS.softReset;
}

export interface SerialTerminalOptions {
  /** Decoded output, as it arrives (UTF-8 split across chunks is kept whole). */
  onOutput(text: string): void;
  /** The link ended by itself (unplugged, port closed elsewhere); not called after close(). */
  onEnded(reason: string): void;
  /** The peripheral behind the port is USB-Serial-JTAG (longer EN hold). */
  usbSerialJtag?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

export class SerialTerminal {
  private readonly decoder = new TextDecoder();
  private closed = false;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly connection: ConsoleConnection,
    private readonly options: SerialTerminalOptions,
  ) {
    connection.onData((bytes) => {
      // The connection also buffers for protocol reads; a console only streams, so drop it.
      connection.discardInput();
      const text = this.decoder.decode(bytes, { stream: true });
      if (text) options.onOutput(text);
    });
    connection.onEnd((error) => {
      if (!this.closed) options.onEnded(error.message);
    });
  }

  /** Open the port at the console rate (115200 on UART bridges) and start streaming. */
  static async open(port: SerialPortLike, options: SerialTerminalOptions): Promise<SerialTerminal> {
    const { ConsoleConnection } = await import("../repl/console-connection");
    return new SerialTerminal(await ConsoleConnection.open(port), options);
  }

  get isOpen(): boolean {
    return !this.closed && this.connection.error === null;
  }

  /** Keys as the terminal produced them (Enter is CR, Ctrl-C is \x03); sent in order. */
  send(text: string): Promise<void> {
    const next = this.queue.then(() => this.connection.write(text));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Pulse EN as the EN button does: RTS asserted alone pulls EN low through the auto-reset
   * transistors, with DTR released so IO0 stays high and the chip boots its app (not download mode).
   */
  async reset(): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const port = this.connection.port;
    await port.setSignals({ dataTerminalReady: false, requestToSend: true });
    await sleep(this.options.usbSerialJtag ? EN_RESET_HOLD_MS.usbSerialJtag : EN_RESET_HOLD_MS.uart);
    await port.setSignals({ dataTerminalReady: false, requestToSend: false });
  }

  /** Release the port (jobs need it, or the user closed the console). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.connection.close();
  }
}
