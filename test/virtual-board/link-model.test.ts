import { describe, expect, it, vi } from "vitest";
import { CH340, CH9102, CP2102N, FT232R, VirtualBoard, type UsbBridgeProfile } from "../../src/virtual-board";
import { Op } from "../../src/virtual-board/rom/protocol";
import { NOR_TIMING_MAX } from "../../src/virtual-board/rom/spi-flash";
import {
  ch340Baud,
  chipAutobaudRate,
  chipUartRate,
  cp2102nBaud,
  ft232rBaud,
  ratesMatch,
} from "../../src/virtual-board/uart-clock";
import { RawLoader, words } from "./helpers/raw-loader";
import { UsbPipe } from "../../src/virtual-board/usb-latency";
import { flashParts } from "../../src/core/flash";
import { syntheticFirmware } from "../../bench/lib/synthetic-firmware";

const MAGIC_REG = 0x40001000;
const S3_MAGIC = 0x9;
const text = (bytes: number[]) => new TextDecoder().decode(new Uint8Array(bytes));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SYNC = new Uint8Array([7, 7, 0x12, 0x20, ...Array<number>(32).fill(0x55)]);

/** Reset into download mode with the port already open at `baud`, and collect what the ROM prints. */
async function bannerAt(baud: number): Promise<{ raw: RawLoader; seen: string }> {
  const board = new VirtualBoard({ chip: "ESP32-S3", bridge: CP2102N });
  const raw = new RawLoader(board);
  await raw.open(baud);
  await raw.enterDownloadMode();
  await sleep(20);
  return { raw, seen: text(raw.raw) };
}

describe("ROM output at the ROM's own rate", () => {
  it("the download banner reads at 115200 and is garbage to a host at 921600, yet SYNC works at both", async () => {
    const slow = await bannerAt(115_200);
    expect(slow.seen).toContain("waiting for download");
    expect((await slow.raw.command(Op.READ_REG, words(MAGIC_REG))).value).toBe(S3_MAGIC);
    await slow.raw.close();

    const fast = await bannerAt(921_600);
    expect(fast.raw.raw.length).toBeGreaterThan(40);
    expect(fast.seen).not.toContain("waiting");
    // The autobaud locks on to the host's SYNC at its rate, as esptool's docs say it does.
    await fast.raw.command(Op.SYNC, SYNC);
    await sleep(10);
    expect((await fast.raw.command(Op.READ_REG, words(MAGIC_REG))).value).toBe(S3_MAGIC);
    await fast.raw.close();
  });
});

describe("baud generators and a receiver's tolerance", () => {
  it("make each rate from the part's clock and divider", () => {
    // ESP32-family UART0 at 40 MHz: integer plus 4-bit fraction.
    expect(chipUartRate(40e6, 921_600)).toBeCloseTo(922_190, 0);
    expect(chipUartRate(40e6, 3_000_000)).toBeCloseTo(3_004_695, 0);
    // Autobaud counts whole clock cycles: 3 Mbaud locks at 40 MHz / 13.
    expect(chipAutobaudRate(40e6, 3e6)).toBeCloseTo(40e6 / 13, 0);
    expect(cp2102nBaud(3_000_000)).toBe(3_000_000);
    expect(cp2102nBaud(2_500_000)).toBe(2_400_000);
    expect(ft232rBaud(2_500_000)).toBe(3_000_000);
    expect(ft232rBaud(921_600)).toBeCloseTo(923_077, 0);
    expect(ch340Baud(2_000_000)).toBe(2_000_000);
    expect(ratesMatch(923_077, 922_190)).toBe(true);
    expect(ratesMatch(2_400_000, 2_500_000)).toBe(false);
  });

  async function readsAt(bridge: UsbBridgeProfile, baud: number): Promise<boolean> {
    const board = new VirtualBoard({ chip: "ESP32-S3", bridge });
    const raw = new RawLoader(board);
    await raw.open(115_200);
    await raw.enterDownloadMode();
    await raw.command(Op.SYNC, SYNC);
    await sleep(10);
    await raw.command(Op.CHANGE_BAUDRATE, words(baud, 0));
    await raw.close();
    await raw.open(baud);
    try {
      raw.frames.length = 0;
      await raw.send(Op.READ_REG, words(MAGIC_REG));
      const reply = await raw.nextFrame(300);
      return new DataView(reply.buffer, reply.byteOffset).getUint32(4, true) === S3_MAGIC;
    } catch {
      return false;
    } finally {
      await raw.close();
    }
  }

  it("a rate the bridge cannot divide to garbles, though it is below the bridge's ceiling", async () => {
    // FT232R: nothing between 2 and 3 Mbaud (AN232B-05); CP2102N: 24 MHz / 10 = 2.4 Mbaud, 4 % off.
    expect(await readsAt(FT232R, 2_500_000)).toBe(false);
    expect(await readsAt(CP2102N, 2_500_000)).toBe(false);
    expect(await readsAt(FT232R, 2_000_000)).toBe(true);
    expect(await readsAt(CH9102, 2_500_000)).toBe(true);
  });
});

describe("USB latency per bridge (paced)", () => {
  async function meanRoundTripMs(bridge: UsbBridgeProfile): Promise<number> {
    const board = new VirtualBoard({ chip: "ESP32-S3", bridge, paced: true });
    const raw = new RawLoader(board);
    await raw.open(115_200);
    await raw.enterDownloadMode();
    await raw.command(Op.SYNC, SYNC);
    await sleep(10);
    // The first round trip only finds the latency timer's phase; time the ones after it.
    await raw.command(Op.READ_REG, words(MAGIC_REG));
    const n = 5;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await raw.command(Op.READ_REG, words(MAGIC_REG));
    const mean = (performance.now() - t0) / n;
    await raw.close();
    return mean;
  }

  it("FTDI holds a short reply for its 16 ms latency timer; a CP2102N sends it in the next frame", async () => {
    // A READ_REG round trip: 16 + 14 bytes at 115200 (~2.6 ms) plus the USB legs. Only lower
    // bounds here (a loaded machine makes everything later); the exact timing is checked below.
    const ftdi = await meanRoundTripMs(FT232R);
    const cp2102n = await meanRoundTripMs(CP2102N);
    // RawLoader polls for frames every 2 ms, so it may notice a reply up to 2 ms late and the next one on time.
    expect(ftdi).toBeGreaterThanOrEqual(16 - 2);
    expect(cp2102n).toBeGreaterThanOrEqual(3);
  });

  it("delivers IN data on the next frame, or FTDI-style when the latency timer runs out (fake clock)", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const got: Array<{ t: number; n: number; who: string }> = [];
      const pipe = (who: string, bridge: UsbBridgeProfile) =>
        new UsbPipe((b) => got.push({ t: performance.now(), n: b.length, who }), bridge.usb ?? null);
      const ftdi = pipe("ftdi", FT232R);
      const cp = pipe("cp", CP2102N);
      const ch = pipe("ch", CH340);
      vi.advanceTimersByTime(Math.ceil(performance.now()) - performance.now() + 0.3);
      const t0 = Math.floor(performance.now()); // frames start on whole milliseconds
      for (const p of [ftdi, cp, ch]) p.push(new Uint8Array(12));
      ftdi.push(new Uint8Array(100)); // 112 bytes: one 62-byte packet at once, the rest on the timer
      vi.advanceTimersByTime(40);
      // Timers run in whole milliseconds, so a delivery lands up to a fraction of one after its frame.
      const at = (who: string) => got.filter((g) => g.who === who).map((g) => [Math.floor(g.t - t0), g.n]);
      expect(at("cp")).toEqual([[1, 12]]);
      expect(at("ch")).toEqual([[1, 12]]);
      // 112 bytes in the buffer: one 62-byte packet at the next frame, then the timer restarts.
      expect(at("ftdi")).toEqual([
        [1, 62],
        [17, 50],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("worst-case NOR timing", () => {
  it("a sector erase takes the data sheet's maximum when asked to", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true, paced: true, norTiming: "worst-case" });
    const raw = new RawLoader(board);
    await raw.open();
    await raw.enterDownloadMode();
    await raw.command(Op.SPI_ATTACH, words(0, 0));
    const t = performance.now();
    expect((await raw.command(Op.FLASH_BEGIN, words(0x1000, 1, 0x1000, 0x100000, 0))).status).toEqual([0, 0, 0, 0]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(NOR_TIMING_MAX.sectorEraseMs - 1);
    await raw.close();
  });
});

describe("RTC watchdog on USB-Serial-JTAG", () => {
  /** A board whose bootloader ran but whose app did not (a boot loop), put into download mode over USB. */
  async function inDownloadOverUsb(): Promise<{ board: VirtualBoard; raw: RawLoader }> {
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true, rtcWatchdogMs: 300 });
    board.flash[0] = 0xe9; // a bootloader header, whose image then fails: the boot loops
    board.reset("normal");
    await board.waitForMode("boot-failed");
    const raw = new RawLoader(board);
    await raw.open();
    const port = board.port;
    await port.setSignals({ dataTerminalReady: true, requestToSend: false });
    await port.setSignals({ dataTerminalReady: false, requestToSend: true });
    await sleep(5);
    await port.setSignals({ dataTerminalReady: false, requestToSend: false });
    await board.waitForMode("download");
    return { board, raw };
  }

  it("resets a chip whose host did not quiet it, and spares one quieted as esptool does", async () => {
    const loud = await inDownloadOverUsb();
    await loud.board.waitForMode("boot-failed", 2000);
    await loud.raw.close();

    const quiet = await inDownloadOverUsb();
    // esptool targets/esp32s3.py disable_watchdogs(): unlock, WDTCONFIG0 = 0, lock; SWD auto-feed.
    const write = (addr: number, value: number) => quiet.raw.command(Op.WRITE_REG, words(addr, value, 0xffffffff, 0));
    await write(0x600080b0, 0x50d83aa1);
    await write(0x60008098, 0);
    await write(0x600080b0, 0);
    await write(0x600080b8, 0x8f1d312a);
    await write(0x600080b4, 1 << 31);
    await write(0x600080b8, 0);
    await sleep(500);
    expect(quiet.board.mode).toBe("download");
    await quiet.raw.close();
  });

  it("stays quiet after a good boot, and after an EN reset, which resets the RTC domain", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true, rtcWatchdogMs: 100 });
    board.flash[0] = 0xe9;
    board.reset("normal");
    await board.waitForMode("boot-failed");
    board.reset("download");
    await board.waitForMode("download");
    await sleep(250);
    expect(board.mode).toBe("download");
  });

  it("the portal's flash job quiets it as esptool does and finishes a write longer than its timeout", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true, paced: true, rtcWatchdogMs: 400 });
    board.flash[0] = 0xe9; // boot loop: the bootloader armed the watchdog
    board.reset("normal");
    await board.waitForMode("boot-failed");
    const parts = [{ name: "app", offset: 0x10000, data: syntheticFirmware({ size: 0x18000, seed: 7 }) }];
    const t0 = performance.now();
    const report = await flashParts(board.port, { parts, reset: false });
    expect(performance.now() - t0).toBeGreaterThan(400);
    expect(report.bytesWritten).toBeGreaterThan(0x10000);
    expect(board.flash.subarray(0x10000, 0x28000)).toEqual(parts[0].data);
    expect(board.mode).toBe("download");
    board.unplug();
  });
});
