import type {
  SerialPortIdentity,
  SerialPortLike,
  SerialPortOpenOptions,
  SerialPortSignals,
} from "../core/port/serial-port";

/** What the port needs from the board it is plugged into. */
export interface PortHost {
  /** The port opened at this baud rate (or changed it by reopening). */
  portOpened(baudRate: number, from?: VirtualSerialPort): void;
  portClosed(from?: VirtualSerialPort): void;
  /** Bytes written by the host program; resolves when the driver's buffer has room again. */
  hostWrite(bytes: Uint8Array, from?: VirtualSerialPort): Promise<void>;
  signals(dtr: boolean, rts: boolean, from?: VirtualSerialPort): void;
}

function domError(name: string, message: string): Error {
  if (typeof DOMException === "function") return new DOMException(message, name);
  const err = new Error(message);
  err.name = name;
  return err;
}

/**
 * A Web Serial `SerialPort` look-alike whose other end is a `VirtualBoard`. Behaves as Chromium's
 * port does where programs can tell: open twice fails, a locked stream cannot be closed, an unplug
 * errors both streams with a NetworkError and fires "disconnect".
 */
export class VirtualSerialPort extends EventTarget implements SerialPortLike {
  private readableStream: ReadableStream<Uint8Array> | null = null;
  private writableStream: WritableStream<Uint8Array> | null = null;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private dtr = false;
  private rts = false;
  private gone = false;
  /** `forget()` ran: the site's permission for the port is gone (see `forget`). */
  private forgotten = false;
  /**
   * Another program holds the port (as when a serial monitor is left open): Chromium's
   * SerialPort::open rejects with NetworkError "Failed to open serial port." (serial_port.cc,
   * kOpenFailedMessage) when the OS refuses to open the device.
   */
  busy = false;
  baudRate = 0;

  constructor(
    private readonly host: PortHost,
    private readonly identity: SerialPortIdentity,
    /** Told when the page forgets this port (the board keeps the device; the browser's object is dead). */
    private readonly onForget?: (port: VirtualSerialPort) => void,
  ) {
    super();
  }

  /** The page (or the user, in the site settings) took back this site's access to the port. */
  get isForgotten(): boolean {
    return this.forgotten;
  }

  get readable(): ReadableStream<Uint8Array> | null {
    return this.readableStream;
  }

  get writable(): WritableStream<Uint8Array> | null {
    return this.writableStream;
  }

  get isOpen(): boolean {
    return this.readableStream !== null || this.writableStream !== null;
  }

  getInfo(): SerialPortIdentity {
    return { ...this.identity };
  }

  async open(options: SerialPortOpenOptions): Promise<void> {
    // Web Serial spec, open(): rejects with InvalidStateError unless the port's state is "closed";
    // a forgotten port is in state "forgotten" for good. (The message is ours: the spec gives none.)
    if (this.forgotten) throw domError("InvalidStateError", "The port has been forgotten.");
    if (this.gone) throw domError("NetworkError", "The device has been lost.");
    if (this.isOpen) throw domError("InvalidStateError", "The port is already open.");
    if (this.busy) throw domError("NetworkError", "Failed to open serial port.");
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) {
      throw new TypeError("Failed to execute 'open' on 'SerialPort': Requested baud rate must be a positive integer.");
    }
    this.baudRate = options.baudRate;
    this.readableStream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.controller = null;
        this.readableStream = null;
      },
    });
    this.writableStream = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (this.gone || this.forgotten) throw domError("NetworkError", "The device has been lost.");
        await this.host.hostWrite(chunk, this);
      },
      close: () => {
        this.writableStream = null;
      },
      abort: () => {
        this.writableStream = null;
      },
    });
    this.host.portOpened(options.baudRate, this);
    // Operating systems assert DTR and RTS when a tty is opened; with both asserted the usual
    // auto-reset transistors leave EN and IO0 alone.
    await this.setSignals({ dataTerminalReady: true, requestToSend: true });
  }

  async close(): Promise<void> {
    if (!this.isOpen) throw domError("InvalidStateError", "The port is already closed.");
    if (this.readableStream?.locked || this.writableStream?.locked) {
      throw new TypeError("Failed to execute 'close' on 'SerialPort': Cannot cancel a locked stream");
    }
    await this.readableStream?.cancel().catch(() => undefined);
    await this.writableStream?.close().catch(() => undefined);
    this.readableStream = null;
    this.writableStream = null;
    this.controller = null;
    if (!this.gone) {
      this.dtr = false;
      this.rts = false;
      this.host.signals(false, false, this);
      this.host.portClosed(this);
    }
  }

  async setSignals(signals: SerialPortSignals): Promise<void> {
    if (this.forgotten) throw domError("InvalidStateError", "The port is closed.");
    if (this.gone) throw domError("NetworkError", "The device has been lost.");
    if (!this.isOpen) throw domError("InvalidStateError", "The port is closed.");
    if (signals.dataTerminalReady !== undefined) this.dtr = signals.dataTerminalReady;
    if (signals.requestToSend !== undefined) this.rts = signals.requestToSend;
    this.host.signals(this.dtr, this.rts, this);
  }

  /** Board → host bytes. Dropped when nobody has the port open, as a closed tty drops them. */
  deliver(bytes: Uint8Array): void {
    if (!this.controller) return;
    try {
      this.controller.enqueue(bytes);
    } catch {
      // Stream already closed or errored.
    }
  }

  /**
   * Web Serial `SerialPort.forget()`, called by the page or done by the user removing the site's
   * permission for the port in the browser's site settings. What a page can observe:
   *
   * - The promise resolves after the connection has been closed and the permission reset (MDN,
   *   SerialPort.forget(), return value; Web Serial spec https://wicg.github.io/serial/, `forget()`).
   * - The port leaves `navigator.serial.getPorts()` (Firefox's Web Serial tests,
   *   dom/webserial/tests/mochitest/serial_worker_forget_and_signal.js: no ports after forget) and no
   *   `connect` event brings it back: only `requestPort()`, which needs a user gesture, grants the
   *   device again, as a new port object.
   * - The device did not leave the bus, so no `disconnect` event fires: that is how a page tells a
   *   revoked port from an unplugged one.
   * - A read or write in flight fails. The error a page sees is modelled as the one for a lost
   *   device (NetworkError "The device has been lost."), so a page cannot tell the two apart by the
   *   stream's error: it has to look at `getPorts()` and the missing `disconnect` event.
   * - The OS closes the tty: on a USB-UART bridge DTR and RTS drop, as on `close()`.
   */
  async forget(): Promise<void> {
    if (this.forgotten) return;
    this.forgotten = true;
    const wasOpen = this.isOpen;
    this.failStreams();
    if (wasOpen && !this.gone) {
      this.dtr = false;
      this.rts = false;
      this.host.signals(false, false, this);
      this.host.portClosed(this);
    }
    this.onForget?.(this);
    await Promise.resolve();
  }

  /** The USB cable was pulled: both streams fail and the port object is dead for good. */
  unplug(): void {
    if (this.gone) return;
    this.gone = true;
    this.failStreams();
    this.dispatchEvent(new Event("disconnect"));
  }

  /** Both streams error with Chromium's lost-device NetworkError; the port is closed after. */
  private failStreams(): void {
    const lost = domError("NetworkError", "The device has been lost.");
    try {
      this.controller?.error(lost);
    } catch {
      // Already errored.
    }
    const writable = this.writableStream;
    if (writable && !writable.locked) writable.abort(lost).catch(() => undefined);
    this.readableStream = null;
    this.writableStream = null;
    this.controller = null;
  }
}
