import { describe, expect, it } from "vitest";
import { md5Hex } from "../../src/core/flash";
import { VirtualBoard } from "../../src/virtual-board";
import { syntheticFirmware } from "../../bench/lib/synthetic-firmware";
import { quietLoader } from "./helpers/esptool";

// esptool-js's own flow as ESP Web Tools runs it (main(), flashId(), one compressed writeFlash with its MD5
// check) on every simulated chip and every way it attaches, against the strict ROM and stub.
const CASES = [
  { chip: "ESP32", usbSerialJtag: false },
  { chip: "ESP32-S3", usbSerialJtag: false },
  { chip: "ESP32-S3", usbSerialJtag: true },
  { chip: "ESP32-C3", usbSerialJtag: false },
  { chip: "ESP32-C3", usbSerialJtag: true },
  { chip: "ESP32-P4", usbSerialJtag: false },
  { chip: "ESP32-P4", usbSerialJtag: true },
] as const;

const files = [
  { address: 0x0, data: syntheticFirmware({ size: 6_000, seed: 11 }) },
  { address: 0x10000, data: syntheticFirmware({ size: 40_000, seed: 12 }) },
];

async function install(board: VirtualBoard): Promise<string[]> {
  const { loader, log } = quietLoader(board.port);
  await loader.main();
  await loader.flashId();
  await loader.writeFlash({
    fileArray: files,
    flashSize: "keep",
    flashMode: "keep",
    flashFreq: "keep",
    eraseAll: false,
    compress: true,
    calculateMD5Hash: (image) => md5Hex(image),
  });
  await loader.transport.disconnect();
  return log;
}

describe("esptool-js (as ESP Web Tools uses it) on every simulated chip", () => {
  for (const { chip, usbSerialJtag } of CASES) {
    it(`installs on the ${chip}${usbSerialJtag ? " over USB-Serial-JTAG" : " behind a USB-UART bridge"}`, async () => {
      const board = new VirtualBoard({ chip, usbSerialJtag, flashSize: 4 << 20 });
      const log = await install(board);
      expect(log).toContain("Stub running...");
      expect(log.filter((l) => l === "Hash of data verified.")).toHaveLength(files.length);
      for (const f of files) expect(board.flash.subarray(f.address, f.address + f.data.length)).toEqual(f.data);
    });
  }

  it("reconnects to a stub that is still running (no reset) and writes through it without uploading it again", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", flashSize: 4 << 20 });
    const first = quietLoader(board.port);
    await first.loader.main();
    await first.loader.transport.disconnect();
    expect(board.mode).toBe("download");

    const second = quietLoader(board.port);
    await second.loader.main("no_reset");
    expect(second.log).toContain("Stub is already running. No upload is necessary.");
    await second.loader.writeFlash({
      fileArray: files,
      flashSize: "keep",
      flashMode: "keep",
      flashFreq: "keep",
      eraseAll: false,
      compress: true,
      calculateMD5Hash: (image) => md5Hex(image),
    });
    expect(second.log.filter((l) => l === "Hash of data verified.")).toHaveLength(files.length);
    await second.loader.transport.disconnect();
  });
});
