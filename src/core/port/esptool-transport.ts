import { ESPError, Transport } from "esptool-js";
import type { SerialPortLike } from "./serial-port";

const SLIP_END = 0xc0;
const SLIP_ESC = 0xdb;
const SLIP_ESC_END = 0xdc;
const SLIP_ESC_ESC = 0xdd;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * esptool-js's Web Serial transport over any `SerialPortLike`. Its `device` parameter is typed as
 * the DOM `SerialPort`, but it only uses the members `SerialPortLike` has (open/close, streams,
 * setSignals, getInfo), so the virtual board's port drives it exactly as a real one does.
 *
 * Changes, all about latency and noise, none about protocol:
 * - reading a packet wakes up when bytes arrive, instead of polling the buffer every millisecond
 *   (each poll costs a timer tick, several ms on a busy machine, and the flash protocol waits for
 *   one acknowledgement per 16 KiB block);
 * - closing waits for the read loop in 1 ms steps instead of esptool-js's 400 ms ones (or its
 *   2 × 50 ms sleeps around a baud-rate reopen);
 * - trace lines esptool-js prints even with tracing off ("readLoop exited") stay quiet.
 */
export class SerialPortTransport extends Transport {
  constructor(
    private readonly port: SerialPortLike,
    tracing = false,
  ) {
    super(port as unknown as SerialPort, tracing);
  }

  private wake: (() => void) | null = null;

  /**
   * The port's stream failed for good (not line noise): the device left, or the site's permission
   * for the port was taken back. No byte will come, so waiting out esptool-js's timeouts is useless.
   */
  onLinkLost: ((error: unknown) => void) | null = null;

  private get pending(): Uint8Array {
    return (this as unknown as { buffer: Uint8Array }).buffer;
  }

  private set pending(bytes: Uint8Array) {
    (this as unknown as { buffer: Uint8Array }).buffer = bytes;
  }

  /** esptool-js's read loop, plus a wake-up for a reader waiting on data. */
  override async readLoop(): Promise<void> {
    while (this.port.readable) {
      const reader = this.port.readable.getReader();
      (this as unknown as { reader?: ReadableStreamDefaultReader<Uint8Array> }).reader = reader;
      try {
        // Typed as it may come from a polyfill or a test double: a chunk may be missing or empty.
        const { value, done } = (await reader.read()) as { value?: Uint8Array; done: boolean };
        if (done) break;
        if (value && value.length > 0) {
          this.pending = this.appendArray(this.pending, value);
          const wake = this.wake;
          this.wake = null;
          wake?.();
        }
      } catch (error) {
        const recoverable = ["BufferOverrunError", "FramingError", "BreakError", "ParityError"];
        if (error instanceof Error && recoverable.includes(error.name)) continue;
        this.onLinkLost?.(error);
        break;
      } finally {
        reader.releaseLock();
      }
    }
  }

  /**
   * One SLIP packet, as esptool-js's read returns it (same errors on timeout and bad framing), but
   * waiting on arriving data rather than a 1 ms polling timer.
   */
  override async read(timeout: number): Promise<Uint8Array> {
    let packet: number[] | null = null;
    let escaping = false;
    for (;;) {
      const bytes = await this.takePending(timeout, packet !== null);
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i];
        if (packet === null) {
          if (byte !== SLIP_END)
            throw new ESPError(`Invalid head of packet (0x${byte.toString(16)}): Possible serial noise or corruption.`);
          packet = [];
        } else if (escaping) {
          escaping = false;
          if (byte === SLIP_ESC_END) packet.push(SLIP_END);
          else if (byte === SLIP_ESC_ESC) packet.push(SLIP_ESC);
          else throw new ESPError(`Invalid SLIP escape (0xdb, 0x${byte.toString(16)})`);
        } else if (byte === SLIP_ESC) {
          escaping = true;
        } else if (byte === SLIP_END) {
          if (i + 1 < bytes.length) this.pending = this.appendArray(bytes.subarray(i + 1), this.pending);
          return new Uint8Array(packet);
        } else {
          packet.push(byte);
        }
      }
    }
  }

  private async takePending(timeout: number, midPacket: boolean): Promise<Uint8Array> {
    if (this.pending.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = null;
          resolve();
        }, timeout);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const bytes = this.pending;
    if (bytes.length === 0) {
      throw new ESPError(
        midPacket ? "No serial data received." : "Serial data stream stopped: Possible serial noise or corruption.",
      );
    }
    this.pending = new Uint8Array(0);
    return bytes;
  }

  override trace(message: string): void {
    if (this.tracing) super.trace(message);
  }

  override async disconnect(): Promise<void> {
    const reader = (this as unknown as { reader?: ReadableStreamDefaultReader<Uint8Array> }).reader;
    if (this.port.readable?.locked) await reader?.cancel().catch(() => undefined);
    for (let i = 0; i < 2000 && (this.port.readable?.locked || this.port.writable?.locked); i++) await sleep(1);
    await this.port.close();
    (this as unknown as { reader?: unknown }).reader = undefined;
  }

  /** Close and reopen the port at another baud rate, and resume reading. */
  async reopen(baudRate: number): Promise<void> {
    await this.disconnect();
    await this.connect(baudRate);
    void this.readLoop();
  }
}

export function createEsptoolTransport(port: SerialPortLike, tracing = false): SerialPortTransport {
  return new SerialPortTransport(port, tracing);
}
