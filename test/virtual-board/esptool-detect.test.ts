import { describe, expect, it } from "vitest";
import { VirtualBoard } from "../../src/virtual-board";
import type { ChipFamily } from "../../src/core/image/chips";
import { quietLoader } from "./helpers/esptool";

const MAC = new Uint8Array([0x24, 0x6f, 0x28, 0xab, 0xcd, 0xef]);

describe("esptool-js detects each simulated chip as itself", () => {
  const cases: Array<{ chip: ChipFamily; usbSerialJtag: boolean; description: RegExp; flash: number }> = [
    { chip: "ESP32", usbSerialJtag: false, description: /^ESP32-D0WD-V3 \(revision 3\)$/, flash: 4 << 20 },
    { chip: "ESP32-S3", usbSerialJtag: false, description: /^ESP32-S3 \(QFN56\) \(revision v0\.2\)$/, flash: 8 << 20 },
    { chip: "ESP32-S3", usbSerialJtag: true, description: /^ESP32-S3 \(QFN56\) \(revision v0\.2\)$/, flash: 8 << 20 },
    { chip: "ESP32-C3", usbSerialJtag: false, description: /^ESP32-C3 \(QFN32\) \(revision v0\.4\)$/, flash: 4 << 20 },
    { chip: "ESP32-C3", usbSerialJtag: true, description: /^ESP32-C3 \(QFN32\) \(revision v0\.4\)$/, flash: 4 << 20 },
  ];
  for (const c of cases) {
    it(`${c.chip}${c.usbSerialJtag ? " over USB-Serial-JTAG" : ""}`, async () => {
      const board = new VirtualBoard({ chip: c.chip, usbSerialJtag: c.usbSerialJtag, mac: MAC, flashSize: c.flash });
      const { loader, log } = quietLoader(board.port);
      const description = await loader.main();
      expect(loader.chip.CHIP_NAME).toBe(c.chip);
      expect(description).toMatch(c.description);
      expect(await loader.chip.readMac(loader)).toBe("24:6f:28:ab:cd:ef");
      expect(loader.IS_STUB).toBe(true);
      expect(log).toContain("Stub running...");
      expect(await loader.detectFlashSize()).toBe(`${c.flash >> 20}MB`);
      expect(board.mode).toBe("download");
      await loader.transport.disconnect();
    });
  }
});
