import { ESPLoader, Transport } from "esptool-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CH340, CH9102, CHEAP_CH340_CLONE, CP2102N, FT232R, USB_BRIDGES, VirtualBoard } from "../../src/virtual-board";
import { syntheticFirmware } from "../../bench/lib/synthetic-firmware";
import { RawLoader } from "./helpers/raw-loader";

const READ_REG = 0x0a;
const CHANGE_BAUDRATE = 0x0f;
const CHIP_DETECT_MAGIC_REG = 0x40001000;

function u32(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  words.forEach((w, i) => new DataView(out.buffer).setUint32(i * 4, w, true));
  return out;
}

/** Switch the ROM loader to `baud` and reopen the port there, as esptool does; then ask for a register. */
async function readMagicAt(board: VirtualBoard, baud: number): Promise<number | null> {
  const loader = new RawLoader(board);
  await loader.open(115_200);
  await loader.enterDownloadMode();
  await loader.command(CHANGE_BAUDRATE, u32(baud, 0));
  await loader.close();
  await loader.open(baud);
  try {
    return (await loader.command(READ_REG, u32(CHIP_DETECT_MAGIC_REG))).value;
  } catch {
    return null;
  } finally {
    await loader.close();
  }
}

describe("USB-UART bridge profiles", () => {
  it("report their USB ids through the port, as Web Serial's getInfo() does", () => {
    expect(new VirtualBoard({ bridge: CP2102N }).port.getInfo()).toEqual({ usbVendorId: 0x10c4, usbProductId: 0xea60 });
    expect(new VirtualBoard({ bridge: CH340 }).port.getInfo()).toEqual({ usbVendorId: 0x1a86, usbProductId: 0x7523 });
    expect(new VirtualBoard({ bridge: FT232R }).port.getInfo()).toEqual({ usbVendorId: 0x0403, usbProductId: 0x6001 });
    expect(new VirtualBoard({ bridge: CH9102 }).port.getInfo()).toEqual({ usbVendorId: 0x1a86, usbProductId: 0x55d4 });
    // The default board keeps the CP2102N it always had; USB-Serial-JTAG has no bridge.
    expect(new VirtualBoard().port.getInfo()).toEqual({ usbVendorId: 0x10c4, usbProductId: 0xea60 });
    expect(new VirtualBoard({ chip: "ESP32-C3", usbSerialJtag: true, bridge: CH340 }).bridge).toBeNull();
  });

  for (const bridge of Object.values(USB_BRIDGES)) {
    it(`${bridge.name}: carries ${bridge.maxBaud} baud intact and garbles the next rate up`, async () => {
      const board = new VirtualBoard({ chip: "ESP32-S3", bridge });
      expect(await readMagicAt(board, bridge.maxBaud)).toBe(0x9);
      expect(await readMagicAt(board, bridge.maxBaud + 500_000)).toBeNull();
    });
  }

  it("paces bytes at the rate the port runs at, below the bridge's limit", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", bridge: CHEAP_CH340_CLONE, paced: true });
    const loader = new RawLoader(board);
    await loader.open(115_200);
    await loader.enterDownloadMode();
    const started = performance.now();
    await loader.sendRaw(new Uint8Array(11_520).fill(0x55)); // 1 s of wire at 115200 baud
    await loader.command(READ_REG, u32(CHIP_DETECT_MAGIC_REG));
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    await loader.close();
  });
});

/** esptool-js on its own Web Serial transport, as ESP Web Tools builds it, with its log kept. */
function esptoolAsEspWebTools(board: VirtualBoard, baudrate: number): { loader: ESPLoader; log: string[] } {
  const log: string[] = [];
  const terminal = {
    clean: () => undefined,
    writeLine: (l: string) => void log.push(l),
    write: (t: string) => void log.push(t),
  };
  const transport = new Transport(board.port as unknown as SerialPort, false);
  return { loader: new ESPLoader({ transport, baudrate, terminal }), log };
}

describe("esptool-js behind each bridge", () => {
  // esptool-js's own transport prints trace lines ("readLoop exited") to the console whatever its settings.
  beforeEach(() => void vi.spyOn(console, "log").mockImplementation(() => undefined));
  afterEach(() => vi.restoreAllMocks());
  const files = [{ address: 0x10000, data: syntheticFirmware({ size: 60_000, seed: 5 }) }];
  const write = (loader: ESPLoader) =>
    loader.writeFlash({
      fileArray: files,
      flashSize: "keep",
      flashMode: "keep",
      flashFreq: "keep",
      eraseAll: false,
      compress: true,
    });

  for (const bridge of Object.values(USB_BRIDGES)) {
    it(`${bridge.name}: ESP Web Tools' path (115200 baud, main(), writeFlash) writes the image`, async () => {
      const board = new VirtualBoard({ chip: "ESP32-S3", bridge });
      const { loader } = esptoolAsEspWebTools(board, 115_200);
      await loader.main();
      await write(loader);
      expect(board.flash.subarray(0x10000, 0x10000 + files[0].data.length)).toEqual(files[0].data);
      await loader.transport.disconnect();
    });
  }

  it("esptool-js's own baud change after the stub: 2 Mbaud holds on a CH340, 3 Mbaud makes it fall back to 115200", async () => {
    const fast = new VirtualBoard({ chip: "ESP32-S3", bridge: CH340 });
    const at2M = esptoolAsEspWebTools(fast, 2_000_000);
    await at2M.loader.main();
    expect(at2M.loader.transport.baudrate).toBe(2_000_000);
    await write(at2M.loader);
    expect(fast.flash.subarray(0x10000, 0x10000 + files[0].data.length)).toEqual(files[0].data);
    await at2M.loader.transport.disconnect();

    const tooFast = new VirtualBoard({ chip: "ESP32-S3", bridge: CH340 });
    const at3M = esptoolAsEspWebTools(tooFast, 3_000_000);
    await at3M.loader.main();
    expect(at3M.log.some((l) => /Continuing at 115200 baud/.test(l))).toBe(true);
    expect(at3M.loader.transport.baudrate).toBe(115_200);
    await write(at3M.loader);
    expect(tooFast.flash.subarray(0x10000, 0x10000 + files[0].data.length)).toEqual(files[0].data);
    await at3M.loader.transport.disconnect();
  }, 60_000);
});
