/**
 * The board's USB connectors and the USB devices the host sees on them. A devkit may carry a
 * USB-UART bridge on UART0 ("uart" connector) and the chip's own USB ("native" connector); a cable
 * may be in either or both. What the native connector shows changes with what the chip runs:
 *
 * - ROM loader: the USB-Serial-JTAG peripheral, 303a:1001 (ESP32-S3/C3/P4 TRM, "USB Serial/JTAG
 *   Controller"; esptool's USB_JTAG_SERIAL_PID), or over USB-OTG 303a:<image chip id> (esptool
 *   `uses_usb_otg()`: ESPRESSIF_VID with IMAGE_CHIP_ID, 9 on the S3).
 * - App: stays USB-Serial-JTAG when its console is there (ESP-IDF CONFIG_ESP_CONSOLE_USB_SERIAL_JTAG,
 *   the usual C3/C6 set-up); becomes a TinyUSB CDC device with the firmware's own ids when TinyUSB
 *   takes the PHY (MicroPython ESP32-S3: 303a:4001); or vanishes when the app runs the USB as a
 *   host (upstream pyDirect's `boards/*\/sdkconfig.board`: CONFIG_USB_OTG_SUPPORTED=y, TinyUSB off).
 *
 * Which ROM presents which, on a blank chip (no app, the ROM loops on "invalid header"):
 * USB-Serial-JTAG is hardware and is on the bus from power-on, loader or not (S3/C3/C6/H2/P4 by
 * default: ESP-IDF "USB OTG Console" says the internal PHY is connected to USB_SERIAL_JTAG unless
 * the USB_PHY_SEL eFuse gives it to USB-OTG). The ROM's USB-OTG CDC exists only while the loader
 * runs, so a chip whose PHY is on USB-OTG (the ESP32-S2, which has no USB-Serial-JTAG, or an S3
 * with USB_PHY_SEL) shows nothing until BOOT is held through a reset (ESP-IDF "USB OTG Console",
 * initial upload). Its id is 303a:<IMAGE_CHIP_ID> (esptool `uses_usb_otg`): 0002 on the S2, 0009 on
 * the S3.
 *
 * USB-Serial-JTAG survives a chip reset (the TRM: the peripheral is reset only by power-on or
 * when software switches the PHY away), so the same port object carries on across resets; a TinyUSB
 * or ROM USB-OTG device is software and leaves the bus on every reset.
 */
import type { SerialPortIdentity } from "../core/port/serial-port";
import type { BoardMode, ChipFamily } from "./types";
import type { UsbBridgeProfile } from "./usb-bridge";
import { VirtualSerialPort, type PortHost } from "./virtual-serial-port";

export type Connector = "uart" | "native";
export type NativeDevice = "usb-serial-jtag" | "usb-otg-rom" | "usb-cdc";

export interface ConnectionProfile {
  /** Connectors a cable is in; the first is the one the host starts on (`board.port`). */
  cables: Connector[];
  /** What the ROM loader enumerates as on the native connector. */
  romUsb: "usb-serial-jtag" | "usb-otg";
  /** What the running app makes of the native USB. */
  appUsb: "usb-serial-jtag" | "usb-cdc" | "host";
  /** The app also prints and reads its REPL on UART0 (MicroPython's MICROPY_HW_ENABLE_UART_REPL). */
  appUartConsole: boolean;
  /** The TinyUSB CDC ids; default MicroPython's 303a:4001 (ports/esp32 MICROPY_HW_USB_VID/PID). */
  cdcIdentity: Required<SerialPortIdentity>;
}

const ESPRESSIF_VID = 0x303a;
const USB_SERIAL_JTAG: Required<SerialPortIdentity> = { usbVendorId: ESPRESSIF_VID, usbProductId: 0x1001 };
const MICROPYTHON_CDC: Required<SerialPortIdentity> = { usbVendorId: ESPRESSIF_VID, usbProductId: 0x4001 };
/** esp_chip_id_t (ESP-IDF esp_app_format.h), which the ROM's USB-OTG device uses as its product id. */
const IMAGE_CHIP_ID: Partial<Record<ChipFamily, number>> = { "ESP32-S2": 2, "ESP32-S3": 9, "ESP32-P4": 0x12 };

/**
 * Time from a device appearing on the bus to the browser seeing its port: USB 2.0 §7.1.7.3 asks the
 * host to debounce an attach for at least 100 ms (TATTDB) before resetting and enumerating it; the
 * OS driver binding follows. 150 ms is the short end of what hosts take.
 */
export const USB_ENUMERATION_MS = 150;

export function connectionProfile(
  usbSerialJtag: boolean,
  given: Partial<ConnectionProfile> | undefined,
): ConnectionProfile {
  return {
    cables: given?.cables ?? [usbSerialJtag ? "native" : "uart"],
    romUsb: given?.romUsb ?? "usb-serial-jtag",
    appUsb: given?.appUsb ?? "usb-serial-jtag",
    appUartConsole: given?.appUartConsole ?? true,
    cdcIdentity: given?.cdcIdentity ?? MICROPYTHON_CDC,
  };
}

type PortListener = (port: VirtualSerialPort) => void;

/** The ports of one board, kept in step with what the chip runs. */
export class UsbConnectors {
  private bridgePort: VirtualSerialPort | null = null;
  private native: { port: VirtualSerialPort; device: NativeDevice } | null = null;
  /** The port the host last talked through: the ROM answers on the interface it heard from. */
  private lastFrom: VirtualSerialPort | null = null;
  private lastPrimary!: VirtualSerialPort;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<PortListener>();
  private readonly forgetListeners = new Set<PortListener>();
  /** Ports open() refuses as Chrome does when another program holds them. */
  heldElsewhere = false;

  constructor(
    private readonly host: PortHost,
    private readonly chip: ChipFamily,
    readonly profile: ConnectionProfile,
    private readonly bridge: UsbBridgeProfile | null,
  ) {
    this.lastPrimary = this.plugIn();
  }

  /** The port on the first cable: the latest device there, or the one that just left. */
  get primary(): VirtualSerialPort {
    return this.lastPrimary;
  }

  /** Every port the host can see now. */
  get ports(): VirtualSerialPort[] {
    return [this.bridgePort, this.native?.port].filter((p): p is VirtualSerialPort => p !== null && p !== undefined);
  }

  onConnect(listener: PortListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The page forgot one of the board's ports (`VirtualSerialPort.forget`): the browser's grant goes. */
  onForget(listener: PortListener): () => void {
    this.forgetListeners.add(listener);
    return () => this.forgetListeners.delete(listener);
  }

  kindOf(port: VirtualSerialPort | undefined): "uart" | NativeDevice | null {
    if (!port) return null;
    if (port === this.bridgePort) return "uart";
    if (port === this.native?.port) return this.native.device;
    return null;
  }

  /** Another program holds the ports (a serial monitor left open); false frees them. */
  holdElsewhere(held: boolean): void {
    this.heldElsewhere = held;
    for (const p of this.ports) p.busy = held;
  }

  /**
   * DTR/RTS on a USB device the ROM or app runs in software reach neither EN nor IO0. Over the
   * ROM's USB-OTG they do nothing (why esptool resets through the watchdog there); on MicroPython's
   * TinyUSB CDC, DTR low with RTS high asks for the bootloader (shared/tinyusb/mp_usbd_cdc.c,
   * MICROPY_HW_USB_CDC_DTR_RTS_BOOTLOADER on the ESP32-S2/S3: force download boot, then restart).
   * "lines": the board's reset circuit (bridge) or the USB-Serial-JTAG peripheral handles them.
   */
  softwareLines(dtr: boolean, rts: boolean, from: VirtualSerialPort | undefined, mode: BoardMode) {
    const kind = this.kindOf(from);
    if (kind === "usb-otg-rom") return "ignored";
    if (kind !== "usb-cdc") return "lines";
    return !dtr && rts && mode === "app" ? "bootloader" : "ignored";
  }

  /** Host bytes came through `port` (remembered for where download-mode replies go). */
  heard(port: VirtualSerialPort | undefined): void {
    if (port) this.lastFrom = port;
  }

  /** The host's traffic crosses the USB-UART bridge (baud rates matter) rather than native USB. */
  throughBridge(): boolean {
    const port = this.lastFrom ?? this.lastPrimary;
    return this.kindOf(port) === "uart" || (this.kindOf(port) === null && this.profile.cables[0] === "uart");
  }

  /** Board → host bytes, to the ports that carry them in this mode. */
  deliver(bytes: Uint8Array, mode: BoardMode): void {
    if (mode === "download" && this.lastFrom && this.ports.includes(this.lastFrom)) {
      this.lastFrom.deliver(bytes);
      return;
    }
    const native = this.native;
    if (this.bridgePort && (mode !== "app" || this.profile.appUartConsole)) this.bridgePort.deliver(bytes);
    if (native && (mode !== "app" || native.device !== "usb-otg-rom")) native.port.deliver(bytes);
  }

  /** Power: cables in, ports appear (USB-Serial-JTAG enumerates from power-on). */
  plugIn(): VirtualSerialPort {
    if (this.profile.cables.includes("uart") && this.bridge) {
      this.bridgePort = this.makePort({ usbVendorId: this.bridge.usbVendorId, usbProductId: this.bridge.usbProductId });
    }
    if (this.profile.cables.includes("native") && this.profile.romUsb === "usb-serial-jtag") {
      this.native = { port: this.makePort(USB_SERIAL_JTAG), device: "usb-serial-jtag" };
    }
    this.lastFrom = null;
    const first = this.firstCablePort();
    if (first) this.lastPrimary = first;
    else {
      // Nothing on the first cable yet (a ROM without USB-Serial-JTAG, before the app's USB is up):
      // a port object whose device already left, as getPorts() keeps one after its device goes.
      this.lastPrimary = this.makePort(this.profile.cdcIdentity);
      this.lastPrimary.unplug();
    }
    return this.lastPrimary;
  }

  /** The user plugs a cable into another connector (the board stays powered): its port appears. */
  plugCable(connector: Connector): void {
    if (this.profile.cables.includes(connector)) return;
    this.profile.cables.push(connector);
    if (connector === "uart" && this.bridge) {
      const port = this.makePort({ usbVendorId: this.bridge.usbVendorId, usbProductId: this.bridge.usbProductId });
      this.bridgePort = port;
      setTimeout(() => this.listeners.forEach((l) => l(port)), USB_ENUMERATION_MS);
    }
  }

  /** Cables out: every port dies. */
  unplugAll(): void {
    clearTimeout(this.pending);
    this.bridgePort?.unplug();
    this.native?.port.unplug();
    this.bridgePort = null;
    this.native = null;
  }

  /** The chip changed what it runs: the native connector's device follows. */
  modeChanged(mode: BoardMode): void {
    if (!this.profile.cables.includes("native") || mode === "unplugged") return;
    let wanted: NativeDevice | null;
    const usjAtReset = this.profile.romUsb === "usb-serial-jtag" ? "usb-serial-jtag" : null;
    if (mode === "reset" || mode === "boot-failed")
      wanted = this.native?.device === "usb-serial-jtag" ? "usb-serial-jtag" : usjAtReset;
    else if (mode === "download") wanted = this.profile.romUsb === "usb-otg" ? "usb-otg-rom" : "usb-serial-jtag";
    else wanted = this.profile.appUsb === "host" ? null : this.profile.appUsb;
    if ((this.native?.device ?? null) === wanted) return;
    // The old device leaves the bus at once; the new one is seen after enumeration.
    clearTimeout(this.pending);
    this.native?.port.unplug();
    this.native = null;
    if (wanted === null) return;
    const device = wanted;
    this.pending = setTimeout(() => {
      const port = this.makePort(this.identityOf(device));
      this.native = { port, device };
      if (this.profile.cables[0] === "native") this.lastPrimary = port;
      for (const l of this.listeners) l(port);
    }, USB_ENUMERATION_MS);
  }

  private identityOf(device: NativeDevice): SerialPortIdentity {
    if (device === "usb-serial-jtag") return USB_SERIAL_JTAG;
    if (device === "usb-cdc") return this.profile.cdcIdentity;
    return { usbVendorId: ESPRESSIF_VID, usbProductId: IMAGE_CHIP_ID[this.chip] ?? 0 };
  }

  private firstCablePort(): VirtualSerialPort | null {
    return this.profile.cables[0] === "uart" ? this.bridgePort : (this.native?.port ?? null);
  }

  /**
   * A forgotten port object is dead, but its device is still on the bus: the browser hands out a
   * new object for it when the user grants it again (requestPort), without a `connect` event.
   */
  private forgotten(old: VirtualSerialPort): void {
    const fresh = () => this.makePort(old.getInfo());
    if (old === this.bridgePort) this.bridgePort = fresh();
    if (this.native && old === this.native.port) this.native = { port: fresh(), device: this.native.device };
    if (old === this.lastPrimary) this.lastPrimary = this.firstCablePort() ?? this.lastPrimary;
    if (old === this.lastFrom) this.lastFrom = null;
    for (const l of this.forgetListeners) l(old);
  }

  private makePort(identity: SerialPortIdentity): VirtualSerialPort {
    const port = new VirtualSerialPort(this.host, identity, (p) => this.forgotten(p));
    port.busy = this.heldElsewhere;
    return port;
  }
}
