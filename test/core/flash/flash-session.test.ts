import { describe, expect, it } from "vitest";
import { FlashSession, md5Hex } from "../../../src/core/flash";
import { VirtualBoard } from "../../../src/virtual-board";
import { syntheticFirmware } from "../../../bench/lib/synthetic-firmware";
import { waitUntil } from "./helpers";

describe("FlashSession (what the site uses after connecting)", () => {
  it("reports chip, MAC and flash size, reads back what is on flash, and resets into the app", async () => {
    const mac = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0x42]);
    const board = new VirtualBoard({ chip: "ESP32", mac, flashSize: 16 << 20 });
    const firmware = syntheticFirmware({ size: 40_000, seed: 9 });
    board.flash.set(firmware, 0x10000);
    const steps: string[] = [];
    const session = await FlashSession.open(board.port, { onProgress: (s) => steps.push(s.state) });
    try {
      expect(steps).toEqual(["connected", "stub-running"]);
      expect(session.stubRunning).toBe(true);
      expect(session.chip).toMatchObject({
        family: "ESP32",
        description: "ESP32-D0WD-V3 (revision 3)",
        revision: 300,
        mac: "de:ad:be:ef:00:42",
        flashSize: 16 << 20,
        usbSerialJtag: false,
      });
      expect(session.chip.features).toContain("Wi-Fi");
      expect(session.baudRate).toBe(921_600);
      const read = await session.readFlash(0x10000, firmware.length);
      expect(read).toEqual(firmware);
      expect(await session.md5(0x10000, firmware.length)).toBe(md5Hex(firmware));
      await session.hardReset();
    } finally {
      await session.close();
    }
    expect(board.port.isOpen).toBe(false);
    await waitUntil(() => board.mode === "app" || board.mode === "boot-failed");
  });

  it("answers MD5 through the ROM before any stub is uploaded", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3" });
    board.flash.fill(0x21, 0, 0x3000);
    const session = await FlashSession.connect(board.port);
    try {
      expect(session.stubRunning).toBe(false);
      expect(await session.md5(0, 0x3000)).toBe(md5Hex(board.flash.subarray(0, 0x3000)));
    } finally {
      await session.close();
    }
  });
});
