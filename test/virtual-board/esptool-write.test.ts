import { describe, expect, it } from "vitest";
import { md5Hex } from "../../src/core/flash";
import { VirtualBoard } from "../../src/virtual-board";
import { syntheticFirmware } from "../../bench/lib/synthetic-firmware";
import { quietLoader } from "./helpers/esptool";

// esptool-js's own write path (what ESP Web Tools runs) against the board, stub and ROM alike.
describe("esptool-js writeFlash against the virtual board", () => {
  const files = [
    { address: 0x0, data: syntheticFirmware({ size: 18_000, seed: 1 }) },
    { address: 0x10000, data: syntheticFirmware({ size: 200_000, seed: 2 }) },
  ];

  it("through the stub, compressed, with esptool-js's own MD5 check", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3" });
    const { loader, log } = quietLoader(board.port);
    await loader.main();
    await loader.writeFlash({
      fileArray: files,
      flashSize: "keep",
      flashMode: "keep",
      flashFreq: "keep",
      eraseAll: false,
      compress: true,
      calculateMD5Hash: (image) => md5Hex(image),
    });
    expect(log.filter((l) => l === "Hash of data verified.")).toHaveLength(2);
    for (const f of files) expect(board.flash.subarray(f.address, f.address + f.data.length)).toEqual(f.data);
    await loader.transport.disconnect();
  });

  for (const compress of [true, false]) {
    it(`through the ROM loader alone (no stub), ${compress ? "compressed" : "uncompressed"}`, async () => {
      const board = new VirtualBoard({ chip: "ESP32-S3" });
      const { loader } = quietLoader(board.port);
      await loader.connect();
      expect(loader.IS_STUB).toBe(false);
      // esptool attaches the flash before flash commands when it talks to the ROM alone (main.py, "Enabling
      // default SPI flash mode"), 8 bytes as loader.py's flash_spi_attach sends the ROM; esptool-js does not.
      await loader.checkCommand("attach SPI flash", 0x0d, new Uint8Array(8));
      await loader.writeFlash({
        fileArray: files,
        flashSize: "keep",
        flashMode: "keep",
        flashFreq: "keep",
        eraseAll: false,
        compress,
      });
      for (const f of files) expect(board.flash.subarray(f.address, f.address + f.data.length)).toEqual(f.data);
      await loader.transport.disconnect();
    });
  }
});
