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
  ) {
    super();
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
        if (this.gone) throw domError("NetworkError", "The device has been lost.");
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

  /** The USB cable was pulled: both streams fail and the port object is dead for good. */
  unplug(): void {
    if (this.gone) return;
    this.gone = true;
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
    this.dispatchEvent(new Event("disconnect"));
  }
}
