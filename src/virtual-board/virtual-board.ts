import { bootFromFlash, type ResetCause } from "./boot";
import { chipFacts } from "../core/image/chips";
import { chipProfile, defaultFlashSize, hasUsbSerialJtag } from "./chips";
import { createDownloadSession } from "./rom/download-session";
import type {
  AppRuntime,
  AppRuntimeFactory,
  BoardIdentity,
  BoardMode,
  ChipFamily,
  DownloadModeSession,
  LinkFaults,
} from "./types";
import type { VirtualSecurityEfuses } from "./security-efuses";
import { CP2102N, type UsbBridgeProfile } from "./usb-bridge";
import { ChipUart } from "./uart-clock";
import { NOR_TIMING, NOR_TIMING_MAX, type NorTiming } from "./rom/spi-flash";
import { BOOTLOADER_RTC_WDT_MS, RtcWatchdogState } from "./rtc-watchdog";
import type { VirtualSerialPort, PortHost } from "./virtual-serial-port";
import { UsbConnectors, connectionProfile, type ConnectionProfile } from "./usb-connectors";
import { RtcControl } from "./rtc-control";
import { BoardLink } from "./board-link";
import { LinkFaultInjector } from "./link-faults";
import { ResetLines } from "./reset-lines";
import { launchApp } from "./app-launch";

export interface VirtualBoardOptions {
  chip?: ChipFamily;
  /** Talk through the chip's native USB-Serial-JTAG (ESP32-S3/C3/P4): no baud rate, USB reset lines. */
  usbSerialJtag?: boolean;
  /** Bytes of SPI flash (default per chip: S3 8 MB, P4 16 MB, others 4 MB); e.g. 16 MB for an S3 N16R8 board. */
  flashSize?: number;
  mac?: Uint8Array;
  /** Pace bytes at the link's baud rate and charge SPI NOR times, so timings mean something. */
  paced?: boolean;
  /** The USB-UART bridge (USB ids, highest rate); default a CP2102N. Ignored with `usbSerialJtag`. */
  bridge?: UsbBridgeProfile;
  /** Highest baud rate the USB-UART bridge manages, overriding the bridge profile's; above it bytes arrive garbled. */
  linkMaxBaud?: number;
  /** What runs once a valid app boots; without it the app only prints its boot log. */
  app?: AppRuntimeFactory;
  faults?: LinkFaults;
  /**
   * The DTR/RTS transistors that let a host reset the chip into download mode (default true).
   * Boards without them need BOOT held while RESET is pressed: `reset("download")`.
   */
  autoReset?: boolean;
  /** Flash encryption / secure boot burnt in the chip's eFuses (security-efuses.ts); default none. */
  security?: VirtualSecurityEfuses;
  /** Which connectors have a cable and what the ROM and app make of the native USB (usb-connectors.ts). */
  connection?: Partial<ConnectionProfile>;
  /** Another program holds the board's ports: open() fails as Chrome's does until `heldElsewhere` is cleared. */
  heldElsewhere?: boolean;
  /** NOR erase/program times: the data sheet's typical ones (default) or its maximums (rom/spi-flash.ts). */
  norTiming?: "typical" | "worst-case";
  /**
   * USB-Serial-JTAG chips: the firmware keeps the RTC watchdog running, so entering download mode
   * over USB finds it counting even after a good boot (rtc-watchdog.ts). Without it, only a boot
   * that ran the bootloader but no app leaves it counting.
   */
  firmwareKeepsRtcWatchdog?: boolean;
  /** Timeout of that watchdog, ms (default ESP-IDF's 9000); the watchdog counts on paced boards or when this is given. */
  rtcWatchdogMs?: number;
}

/** SPI NOR sizes the simulated boards carry (the JEDEC capacity byte esptool decodes covers them). */
const FLASH_SIZES = [1, 2, 4, 8, 16, 32].map((mb) => mb * 1024 * 1024);
/** EN rises through an RC network: the chip leaves reset a little after the line is released. */
const EN_RISE_MS = 2;
const CONSOLE_BAUD = 115_200;
const BOOT_LOOP_PERIOD_MS = 400;
/** The ROM prints its banners at 115200 whatever the host opened (esptool docs, serial protocol: "always initialises at 115200bps"). */
const ROM_BAUD = 115_200;

type ConsoleListener = (text: string) => void;

/**
 * A simulated ESP32-family board on a USB serial port. It owns the link, the reset and strap
 * lines, the flash array and the mode the chip is in; the serial bootloader (rom/), the boot check
 * (boot.ts) and the app runtime plug into it.
 */
export class VirtualBoard implements PortHost {
  readonly identity: BoardIdentity;
  readonly flash: Uint8Array;
  readonly paced: boolean;
  /** Highest baud rate the link carries intact (a fault may lower it mid-run). */
  linkMaxBaud: number;
  /** The USB-UART bridge between the host and UART0; null on USB-Serial-JTAG. */
  readonly bridge: UsbBridgeProfile | null;
  readonly autoReset: boolean;
  mode: BoardMode = "reset";
  /** Baud the chip's UART currently runs at (ROM autobaud, then CHANGE_BAUDRATE). */
  uartBaud = CONSOLE_BAUD;
  /** Everything the board printed outside download mode, for tests and the console view. */
  consoleText = "";
  appFactory: AppRuntimeFactory | undefined;

  /** The board's connectors and the USB devices on them (which ports the host sees). */
  readonly connectors: UsbConnectors;
  private readonly rtc: RtcControl;
  /** The wire between the host's port and the chip, with its USB legs. */
  private readonly link: BoardLink;
  private readonly linkFaults: LinkFaultInjector;
  /** UART0's real rate (clock over divider) and the ROM's autobaud; see uart-clock.ts. */
  private readonly uart: ChipUart;
  private readonly rtcWatchdog: RtcWatchdogState;
  readonly norTiming: NorTiming;
  /** DTR/RTS and the auto-reset circuit: EN and the boot strap. */
  private readonly lines: ResetLines;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  private bootLoopTimer: ReturnType<typeof setInterval> | undefined;
  private session: DownloadModeSession | undefined;
  private app: AppRuntime | undefined;
  private appAbort: AbortController | undefined;
  private readonly consoleListeners = new Set<ConsoleListener>();
  private readonly modeListeners = new Set<(mode: BoardMode) => void>();

  constructor(options: VirtualBoardOptions = {}) {
    const chip = options.chip ?? "ESP32-S3";
    chipProfile(chip); // throws for chips the board cannot simulate
    if ((options.usbSerialJtag || options.connection?.cables?.includes("native")) && !hasUsbSerialJtag(chip)) {
      throw new Error(`${chip} has no USB-Serial-JTAG peripheral; simulate it behind a USB-UART bridge instead.`);
    }
    const flashSize = options.flashSize ?? defaultFlashSize(chip);
    if (!FLASH_SIZES.includes(flashSize)) {
      throw new Error(`A ${chip} board has 1, 2, 4, 8, 16 or 32 MB of flash; ${flashSize} bytes is not one of them.`);
    }
    this.identity = {
      chip,
      mac: options.mac ?? new Uint8Array([0x24, 0x6f, 0x28, 0x5a, 0x3c, 0x01]),
      flashSize,
      usbSerialJtag: options.usbSerialJtag ?? options.connection?.cables?.[0] === "native",
      ...(options.security ? { security: options.security } : {}),
    };
    this.flash = new Uint8Array(flashSize).fill(0xff);
    this.paced = options.paced ?? false;
    this.bridge = this.identity.usbSerialJtag ? null : (options.bridge ?? CP2102N);
    this.linkMaxBaud = options.linkMaxBaud ?? this.bridge?.maxBaud ?? Infinity;
    this.appFactory = options.app;
    this.autoReset = options.autoReset ?? true;
    this.linkFaults = new LinkFaultInjector(options.faults ?? {});
    this.lines = new ResetLines(this.identity.usbSerialJtag, this.autoReset);
    this.norTiming = options.norTiming === "worst-case" ? NOR_TIMING_MAX : NOR_TIMING;
    const watchdogMs = options.rtcWatchdogMs ?? (this.paced ? BOOTLOADER_RTC_WDT_MS : null);
    this.rtcWatchdog = new RtcWatchdogState(chip, options.firmwareKeepsRtcWatchdog ?? false, watchdogMs);
    this.uart = new ChipUart(chipProfile(chip).uartClockHz, CONSOLE_BAUD);
    /** The USB-UART bridge on the "uart" connector (present on dual-connector boards too). */
    const uartBridge = this.bridge ?? options.bridge ?? CP2102N;
    this.link = new BoardLink({
      paced: this.paced,
      usbSerialJtag: this.identity.usbSerialJtag,
      uartBridge,
      uart: this.uart,
      consoleBaud: CONSOLE_BAUD,
      throughBridge: () => this.connectors.throughBridge(),
      maxBaud: () => this.linkMaxBaud,
      receive: (bytes) => this.boardReceive(bytes),
      deliver: (bytes) => this.connectors.deliver(bytes, this.mode),
    });
    this.connectors = new UsbConnectors(
      this,
      chip,
      connectionProfile(this.identity.usbSerialJtag, options.connection),
      uartBridge,
    );
    if (options.heldElsewhere) this.connectors.holdElsewhere(true);
    this.rtc = new RtcControl(chip, () => this.reset("normal"));
    // Powered from USB: the chip boots from flash as soon as it is plugged in.
    this.scheduleRelease();
  }

  /** The port a host program opens; replaced by a new one after `unplug()` / `plug()`. */
  get port(): VirtualSerialPort {
    return this.connectors.primary;
  }

  /** A WRITE_REG reached the RTC (force-download bit, watchdog). */
  registerWritten(addr: number, value: number, mask: number): void {
    this.rtc.write(addr, value, mask);
    this.rtcWatchdog.registerWritten(addr, value);
  }

  /** Bytes carried so far in each direction (SLIP framing included), for link-utilisation figures. */
  get linkStats(): { toBoard: number; toHost: number } {
    return this.link.stats;
  }

  injectFaults(faults: LinkFaults): void {
    this.linkFaults.inject(faults);
  }

  onConsole(listener: ConsoleListener): () => void {
    this.consoleListeners.add(listener);
    return () => this.consoleListeners.delete(listener);
  }

  onModeChange(listener: (mode: BoardMode) => void): () => void {
    this.modeListeners.add(listener);
    return () => this.modeListeners.delete(listener);
  }

  /** Resolves when the board reaches `mode` (or is already in it). */
  waitForMode(mode: BoardMode, timeoutMs = 10_000): Promise<void> {
    if (this.mode === mode) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`virtual board did not reach mode ${mode} within ${timeoutMs} ms (now ${this.mode})`));
      }, timeoutMs);
      const off = this.onModeChange((m) => {
        if (m === mode) {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    });
  }

  /** Pull the USB cable: the port dies, the chip loses power. */
  unplug(): void {
    this.leaveMode();
    this.link.cut();
    // Power is gone: the RTC domain resets with everything else.
    this.rtcWatchdog.rtcReset();
    this.setMode("unplugged");
    this.connectors.unplugAll();
  }

  /** Plug the cable back in: a fresh port, and the chip boots from flash. */
  plug(): VirtualSerialPort {
    if (this.mode !== "unplugged") return this.port;
    this.connectors.plugIn();
    this.rtc.powerOn();
    this.lines.powerOn();
    this.link.hostBaud = 0;
    // Powered again: held in reset until EN rises (the release below refuses to boot an unplugged chip).
    this.setMode("reset");
    this.scheduleRelease();
    return this.port;
  }

  /** Reset as the EN button does (into download mode or a normal boot), or as esp_restart() does. */
  reset(into: "download" | "normal" = "normal", cause: ResetCause = "power-on"): void {
    if (this.mode === "unplugged") return;
    // A pending power-on release would otherwise reboot the chip a moment later.
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.leaveMode();
    this.setMode("reset");
    // The EN pin resets the RTC domain too (esp_restart() does not).
    if (cause === "power-on") this.rtcWatchdog.rtcReset();
    this.boot(into, cause);
  }

  /** Erase-and-reset helper for tests that need a blank chip. */
  eraseAll(): void {
    this.flash.fill(0xff);
  }

  // ---- PortHost: what the port tells the board -------------------------------------------------

  portOpened(baudRate: number, from?: VirtualSerialPort): void {
    this.connectors.heard(from);
    this.link.hostBaud = baudRate;
    this.link.updatePacing();
  }

  portClosed(): void {
    this.link.hostBaud = 0;
  }

  hostWrite(bytes: Uint8Array, from?: VirtualSerialPort): Promise<void> {
    if (this.mode === "unplugged") return Promise.reject(new Error("unplugged"));
    this.connectors.heard(from);
    const write = this.linkFaults.apply(bytes, (maxBaud) => (this.linkMaxBaud = maxBaud));
    if (write.kind === "send") return this.link.send(write.data);
    void this.link.send(write.keep);
    setTimeout(() => (write.kind === "disconnect" ? this.unplug() : this.reset("normal")), 0);
    return Promise.resolve();
  }

  signals(dtr: boolean, rts: boolean, from?: VirtualSerialPort): void {
    const usb = this.connectors.softwareLines(dtr, rts, from, this.mode);
    if (usb === "bootloader") {
      this.rtc.forceDownload = true;
      setTimeout(() => this.reset("normal", "software"), 0);
    }
    if (usb !== "lines") return;
    const edge = this.lines.set(dtr, rts);
    if (edge === "hold") {
      if (this.releaseTimer) clearTimeout(this.releaseTimer);
      this.releaseTimer = undefined;
      this.leaveMode();
      this.setMode("reset");
    } else if (edge === "release") {
      this.scheduleRelease();
    }
  }

  // ---- Board → host ----------------------------------------------------------------------------

  /** Bytes from the chip's UART/USB towards the host program. */
  sendToHost(bytes: Uint8Array): void {
    if (this.mode === "unplugged") return;
    this.link.sendToHost(bytes);
  }

  /** Console text outside download mode: kept for inspection and sent to the host. */
  print(text: string): void {
    this.consoleText += text;
    for (const l of this.consoleListeners) l(text);
    this.sendToHost(new TextEncoder().encode(text));
  }

  /** The stub or ROM changed the UART baud rate (CHANGE_BAUDRATE). */
  setUartBaud(baud: number): void {
    this.uart.set(baud);
    this.uartBaud = baud;
    this.link.updatePacing();
  }

  // ---- internals --------------------------------------------------------------------------------

  private scheduleRelease(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      if (this.lines.held || this.mode === "unplugged") return;
      const into = this.lines.strap();
      this.leaveMode();
      this.boot(into);
    }, EN_RISE_MS);
  }

  private boot(into: "download" | "normal", cause: ResetCause = "power-on"): void {
    this.link.cutToBoard();
    this.rtc.stop();
    if (this.rtc.forceDownload) into = "download";
    if (into === "download") {
      // The ROM prints its banner at its own rate, then its autobaud locks on to the host's SYNC.
      this.uart.enterRomLoader(ROM_BAUD);
      this.uartBaud = ROM_BAUD;
      this.link.updatePacing();
      this.setMode("download");
      // Only the USB-Serial-JTAG's reset keeps the RTC domain (and its watchdog) running.
      if (this.identity.usbSerialJtag) this.rtcWatchdog.enteredDownloadOverUsb(() => this.reset("normal"));
      this.session = createDownloadSession(this);
      return;
    }
    this.uart.set(CONSOLE_BAUD);
    this.uartBaud = CONSOLE_BAUD;
    this.link.updatePacing();
    const outcome = bootFromFlash(this.identity, this.flash, cause);
    // ESP-IDF's bootloader arms the RTC watchdog; the app disarms it unless the firmware keeps it.
    this.rtcWatchdog.booted(this.flash[chipFacts(this.identity.chip).bootloaderOffset] === 0xe9, outcome.ok);
    this.print(outcome.log);
    if (!outcome.ok || !outcome.app) {
      this.setMode("boot-failed");
      const loopLog = outcome.loopLog ?? outcome.log;
      this.bootLoopTimer = setInterval(() => this.print(loopLog), BOOT_LOOP_PERIOD_MS);
      return;
    }
    this.setMode("app");
    const app = { board: this.identity, flash: this.flash, app: outcome.app, resetCause: cause };
    if (this.appFactory)
      launchApp(this.appFactory, app, this, {
        launched: (abort) => (this.appAbort = abort),
        started: (runtime) => (this.app = runtime),
      });
  }

  private leaveMode(): void {
    this.rtcWatchdog.stop();
    this.session?.dispose();
    this.session = undefined;
    if (this.bootLoopTimer) clearInterval(this.bootLoopTimer);
    this.bootLoopTimer = undefined;
    this.appAbort?.abort();
    this.appAbort = undefined;
    const app = this.app;
    this.app = undefined;
    if (app) void app.stop();
  }

  private setMode(mode: BoardMode): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.connectors.modeChanged(mode);
    for (const l of this.modeListeners) l(mode);
  }

  private boardReceive(bytes: Uint8Array): void {
    if (this.mode === "download" && this.link.autobaud()) this.uartBaud = this.uart.baud;
    const data = this.link.garbleIfMismatched(bytes);
    if (this.mode === "download") this.session?.receive(data);
    else if (this.mode === "app") this.app?.input(data);
  }
}
