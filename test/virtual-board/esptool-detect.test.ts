import { describe, expect, it } from "vitest";
import { VirtualBoard, VIRTUAL_BOARD_MODELS } from "../../src/virtual-board";
import type { ChipFamily } from "../../src/core/image/chips";
import { quietLoader } from "./helpers/esptool";
import { DEMO_PRODUCTS } from "../../scripts/lib/demo-products";

const MAC = new Uint8Array([0x24, 0x6f, 0x28, 0xab, 0xcd, 0xef]);

describe("esptool-js detects each simulated chip as itself", () => {
  const cases: Array<{ chip: ChipFamily; usbSerialJtag: boolean; description: RegExp; flash: number }> = [
    { chip: "ESP32", usbSerialJtag: false, description: /^ESP32-D0WD-V3 \(revision 3\)$/, flash: 4 << 20 },
    { chip: "ESP32-S3", usbSerialJtag: false, description: /^ESP32-S3 \(QFN56\) \(revision v0\.2\)$/, flash: 8 << 20 },
    { chip: "ESP32-S3", usbSerialJtag: true, description: /^ESP32-S3 \(QFN56\) \(revision v0\.2\)$/, flash: 8 << 20 },
    { chip: "ESP32-C3", usbSerialJtag: false, description: /^ESP32-C3 \(QFN32\) \(revision v0\.4\)$/, flash: 4 << 20 },
    { chip: "ESP32-C3", usbSerialJtag: true, description: /^ESP32-C3 \(QFN32\) \(revision v0\.4\)$/, flash: 4 << 20 },
    { chip: "ESP32-S3", usbSerialJtag: false, description: /^ESP32-S3 \(QFN56\) \(revision v0\.2\)$/, flash: 16 << 20 },
    { chip: "ESP32-P4", usbSerialJtag: true, description: /^ESP32-P4 \(revision v1\.0\)$/, flash: 16 << 20 },
    { chip: "ESP32-P4", usbSerialJtag: false, description: /^ESP32-P4 \(revision v1\.0\)$/, flash: 16 << 20 },
  ];
  for (const c of cases) {
    it(`${c.chip} with ${c.flash >> 20} MB${c.usbSerialJtag ? " over USB-Serial-JTAG" : ""}`, async () => {
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

describe("the virtual ESP32-P4 answers esptool-js as a real v1.0 P4 does", () => {
  it("identifies through GET_SECURITY_INFO (chip id 18), and its ROM tells esptool-js which port it serves", async () => {
    for (const usbSerialJtag of [true, false]) {
      const board = new VirtualBoard({ chip: "ESP32-P4", usbSerialJtag, mac: MAC });
      const { loader } = quietLoader(board.port);
      await loader.connect();
      expect((await loader.getSecurityInfo()).chipId).toBe(18);
      expect(loader.chip.CHIP_NAME).toBe("ESP32-P4");
      expect(await loader.chip.getChipRevision!(loader)).toBe(100);
      // esptool-js reads UARTDEV_BUF_NO to decide whether to switch off the watchdogs before flashing.
      const p4 = loader.chip as unknown as { usesUsbJtagSerial(l: unknown): Promise<boolean> };
      expect(await p4.usesUsbJtagSerial(loader)).toBe(usbSerialJtag);
      expect(await loader.readReg(0x40001000)).toBe(0x0addbad0);
      expect(board.consoleText).toContain(
        "rst:0x1 (POWERON),boot:0x307 (DOWNLOAD(USB/UART0/SPI))\r\nwaiting for download",
      );
      await loader.transport.disconnect();
      board.unplug();
    }
  });

  it("refuses flash sizes no board carries", () => {
    expect(() => new VirtualBoard({ chip: "ESP32-S3", flashSize: 12 << 20 })).toThrow(/1, 2, 4, 8, 16 or 32 MB/);
    expect(new VirtualBoard({ chip: "ESP32-P4" }).identity.flashSize).toBe(16 << 20);
  });
});

describe("the board models the portal can offer", () => {
  it.each(VIRTUAL_BOARD_MODELS.map((m) => [m.label, m] as const))(
    "%s is detected by esptool-js as labelled",
    async (_label, model) => {
      const board = new VirtualBoard({
        chip: model.chip,
        flashSize: model.flashSize,
        usbSerialJtag: model.usbSerialJtag,
      });
      const { loader } = quietLoader(board.port);
      await loader.main();
      expect(loader.chip.CHIP_NAME).toBe(model.chip);
      expect(await loader.detectFlashSize()).toBe(`${model.flashSize >> 20}MB`);
      expect(model.label).toContain(model.chip);
      expect(model.label).toContain(`${model.flashSize >> 20} MB`);
      await loader.transport.disconnect();
      board.unplug();
    },
  );

  it("the S3 with 8 MB is the default, and every pyDirect product has a board", () => {
    expect(VIRTUAL_BOARD_MODELS[0]).toMatchObject({ chip: "ESP32-S3", flashSize: 8 << 20 });
    expect(DEMO_PRODUCTS.map((p) => p.product)).toEqual(["ESP32_S3", "ESP32_S3_16MB", "ESP32_P4", "RetroVMS_Mini"]);
    for (const product of DEMO_PRODUCTS) {
      const boards = VIRTUAL_BOARD_MODELS.filter((m) => m.products.includes(product.product));
      expect(boards.length, product.product).toBeGreaterThan(0);
      for (const b of boards)
        expect(b.chip === product.chip && b.flashSize >= product.flashSize, `${b.id} for ${product.product}`).toBe(
          true,
        );
    }
  });
});
