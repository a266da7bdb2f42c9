/**
 * The wire between the host's port and the chip: each direction's line (paced at the baud rate
 * on paced boards) behind its USB leg (frames, packets, a bridge's latency timer), and what a
 * USB-UART bridge does to the bytes when the host's rate and the chip's UART disagree.
 */
import { LinkDirection } from "./link";
import type { ChipUart } from "./uart-clock";
import { USB_SERIAL_JTAG_USB, bridgeCarriesRate, bridgeRate, garble, type UsbBridgeProfile } from "./usb-bridge";
import { UsbOutLeg, UsbPipe } from "./usb-latency";

/** Native USB full speed carries about 1 MB/s whatever baud rate the host asks for. */
const USB_FULL_SPEED_BPS = 10_000_000;

/** What the link joins and what it needs to know of the board. */
export interface LinkEnds {
  /** Pace bytes at the link's rate (else they pass straight through). */
  paced: boolean;
  usbSerialJtag: boolean;
  /** The USB-UART bridge on the "uart" connector. */
  uartBridge: UsbBridgeProfile;
  uart: ChipUart;
  /** The rate an unopened port's traffic is paced at. */
  consoleBaud: number;
  /** The host's traffic crosses the bridge now (not the chip's native USB). */
  throughBridge(): boolean;
  /** Highest baud rate the bridge carries intact now. */
  maxBaud(): number;
  /** Bytes reaching the chip. */
  receive(bytes: Uint8Array): void;
  /** Bytes reaching the host's port. */
  deliver(bytes: Uint8Array): void;
}

export class BoardLink {
  /** Baud rate the host opened its port at; 0 while it is closed. */
  hostBaud = 0;
  private readonly toBoard: LinkDirection;
  private readonly toHost: LinkDirection;
  /** The USB leg of each direction (frames, packets, a bridge's latency timer), paced boards only. */
  private readonly toBoardUsb: UsbOutLeg;
  private readonly toHostUsb: UsbPipe;

  constructor(private readonly ends: LinkEnds) {
    this.toBoard = new LinkDirection((bytes) => ends.receive(bytes), null);
    this.toHostUsb = new UsbPipe((bytes) => ends.deliver(bytes), null);
    this.toBoardUsb = new UsbOutLeg(this.toBoard);
    this.toHost = new LinkDirection((bytes) => this.toHostUsb.push(bytes), null);
  }

  /** Bytes carried so far in each direction (SLIP framing included). */
  get stats(): { toBoard: number; toHost: number } {
    return { toBoard: this.toBoard.stats.bytes, toHost: this.toHost.stats.bytes };
  }

  /** Host → chip. */
  send(bytes: Uint8Array): Promise<void> {
    return this.toBoardUsb.send(bytes);
  }

  /** Chip → host. */
  sendToHost(bytes: Uint8Array): void {
    void this.toHost.send(this.garbleIfMismatched(bytes));
  }

  /** What is on its way to the chip is lost (the chip resets or boots). */
  cutToBoard(): void {
    this.toBoard.cut();
    this.toBoardUsb.cut();
  }

  /** The cable is pulled: nothing more arrives either way. */
  cut(): void {
    this.toBoard.cut();
    this.toHost.cut();
    this.toBoardUsb.cut();
    this.toHostUsb.cut();
  }

  /** The ROM's autobaud hears the host's rate through the bridge; false when there is none to hear. */
  autobaud(): boolean {
    const bridge = this.bridge();
    if (!bridge || this.hostBaud === 0) return false;
    this.ends.uart.hear(bridgeRate(bridge, this.hostBaud));
    return true;
  }

  /** Pace the wire for the port's rate (USB full speed on the native USB) and the USB legs. */
  updatePacing(): void {
    const { paced, usbSerialJtag, consoleBaud } = this.ends;
    const bps = paced ? (usbSerialJtag ? USB_FULL_SPEED_BPS : this.hostBaud || consoleBaud) : null;
    this.toBoard.bitsPerSecond = bps;
    this.toHost.bitsPerSecond = bps;
    const bridge = this.bridge();
    const usb = paced ? (bridge ? (bridge.usb ?? USB_SERIAL_JTAG_USB) : USB_SERIAL_JTAG_USB) : null;
    this.toHostUsb.profile = usb;
    // USB 2.0 5.8.3: full-speed bulk OUT packets carry up to 64 bytes; a write goes in the next frame.
    this.toBoardUsb.profile = usb && { inPacketBytes: 64, latencyTimerMs: null };
  }

  /** A UART at the wrong rate, or a bridge pushed past its limit, turns bytes into noise. */
  garbleIfMismatched(bytes: Uint8Array): Uint8Array {
    const bridge = this.bridge();
    if (!bridge || this.hostBaud === 0) return bytes;
    return bridgeCarriesRate(bridge, this.hostBaud, this.ends.uart.rate, this.ends.maxBaud()) ? bytes : garble(bytes);
  }

  /** The bridge the host's traffic crosses now, or null when it goes over the chip's native USB. */
  private bridge(): UsbBridgeProfile | null {
    return this.ends.throughBridge() ? this.ends.uartBridge : null;
  }
}
