import { describe, expect, it } from "vitest";
import { bootFromFlash } from "../../../src/virtual-board/boot";
import { VirtualBoard } from "../../../src/virtual-board";
import type { ChipFamily } from "../../../src/core/image/chips";
import type { BoardIdentity } from "../../../src/virtual-board/types";
import {
  writePartitionTable,
  APP_SUBTYPE_OTA_0,
  PARTITION_TYPE_APP,
  PARTITION_TYPE_DATA,
  DATA_SUBTYPE_OTA,
} from "../../../src/core/image";
import { demoParts, makeDemoApp, DEMO_CHIPS, DEMO_PARTITIONS, type DemoChip } from "../../../scripts/lib/demo-firmware";

const MB = 1048576;
const identity = (chip: ChipFamily): BoardIdentity => ({
  chip,
  mac: new Uint8Array(6),
  flashSize: 4 * MB,
  usbSerialJtag: false,
});

function flashWith(chip: DemoChip, change?: (flash: Uint8Array) => void): Uint8Array {
  const flash = new Uint8Array(4 * MB).fill(0xff);
  for (const p of demoParts(chip)) flash.set(p.data, p.offset);
  change?.(flash);
  return flash;
}

describe("bootFromFlash", () => {
  it.each(DEMO_CHIPS)("%s boots the demo app and prints its description", (chip) => {
    const outcome = bootFromFlash(identity(chip), flashWith(chip));
    expect(outcome.ok).toBe(true);
    expect(outcome.app).toEqual({ offset: 0x10000, projectName: "pyDirect", version: "0.1.0", idfVersion: "v5.4.1" });
    expect(outcome.log).toMatch(/rst:0x1 \(POWERON(_RESET)?\),boot:0x[0-9a-f]+ \(SPI_FAST_FLASH_BOOT\)/);
    expect(outcome.log).toContain("boot: Partition Table:");
    expect(outcome.log).toMatch(/ 3 vfs +Unknown data +01 81 00200000 00200000/);
    expect(outcome.log).toContain("Loaded app from partition at offset 0x10000");
    expect(outcome.log).toContain("Project name:     pyDirect");
    expect(outcome.log).toContain("App version:      0.1.0");
    expect(outcome.log).toContain("ESP-IDF:          v5.4.1");
    expect(outcome.log).not.toMatch(/^E \(/m);
  });

  it("prints the ROM's load lines for the bootloader it found", () => {
    expect(bootFromFlash(identity("ESP32"), flashWith("ESP32")).log).toMatch(
      /load:0x3fff0030,len:\d+\r\n[\s\S]*entry 0x40080658/,
    );
    expect(bootFromFlash(identity("ESP32-S3"), flashWith("ESP32-S3")).log).toMatch(/load:0x3fce3810,len:0x[0-9a-f]+/);
  });

  const loops: [string, DemoChip, (f: Uint8Array) => void, RegExp][] = [
    ["blank flash", "ESP32-S3", (f) => f.fill(0xff), /invalid header: 0xffffffff/],
    [
      "ESP32 layout on an S3 (bootloader at 0x1000)",
      "ESP32-S3",
      (f) => {
        f.fill(0xff);
        for (const p of demoParts("ESP32")) f.set(p.data, p.offset);
      },
      /invalid header: 0xffffffff/,
    ],
    [
      "bootloader bit flip",
      "ESP32",
      (f) => {
        f[0x1000 + 2000] ^= 1;
      },
      /Checksum failure\. Calculated 0x[0-9a-f]+ stored 0x[0-9a-f]+/,
    ],
    [
      "app bit flip",
      "ESP32-C3",
      (f) => {
        f[0x10000 + 100_000] ^= 1;
      },
      /esp_image: Checksum failed\. Calculated 0x[0-9a-f]+ read 0x[0-9a-f]+[\s\S]*Factory app partition is not bootable[\s\S]*No bootable app partitions in the partition table/,
    ],
    [
      "app digest flip",
      "ESP32-S3",
      (f) => {
        f[0x10000 + 4] ^= 1;
      },
      /Image hash failed - image is corrupt/,
    ],
    [
      "app erased",
      "ESP32-S3",
      (f) => f.fill(0xff, 0x10000, 0x90000),
      /image at 0x10000 has invalid magic byte \(nothing flashed here\?\)[\s\S]*No bootable app partitions/,
    ],
    [
      "app for another chip",
      "ESP32-S3",
      (f) => f.set(makeDemoApp("ESP32-C3"), 0x10000),
      /boot_comm: mismatch chip ID, expected 9, found 5/,
    ],
    [
      "partition table MD5",
      "ESP32-S3",
      (f) => {
        f[0x8000 + 40] ^= 1;
      },
      /flash_parts: Incorrect MD5 checksum[\s\S]*load partition table error!/,
    ],
    [
      "partition table erased",
      "ESP32-S3",
      (f) => f.fill(0xff, 0x8000, 0x9000),
      /partition 0 invalid magic number 0xffff[\s\S]*Failed to verify partition table/,
    ],
    [
      "no app partition",
      "ESP32-S3",
      (f) => f.set(writePartitionTable(DEMO_PARTITIONS.filter((p) => p.type !== PARTITION_TYPE_APP)), 0x8000),
      /No bootable app partitions in the partition table/,
    ],
  ];

  it.each(loops)("%s → boot loop", (_label, chip, corrupt, text) => {
    const outcome = bootFromFlash(identity(chip), flashWith(chip, corrupt));
    expect(outcome.ok).toBe(false);
    expect(outcome.app).toBeUndefined();
    expect(outcome.log).toMatch(text);
    expect(outcome.loopLog).toBeDefined();
    expect(outcome.loopLog!).toMatch(text);
    expect(outcome.log).not.toContain("Calling app_main");
  });

  it("after a failed app the bootloader resets with a software reset cause", () => {
    const outcome = bootFromFlash(
      identity("ESP32"),
      flashWith("ESP32", (f) => {
        f[0x10000 + 100_000] ^= 1;
      }),
    );
    expect(outcome.loopLog).toContain("rst:0x3 (SW_RESET)");
  });

  it("follows otadata to the OTA slot it names, and falls back when that slot is bad", () => {
    const table = [
      { label: "nvs", type: PARTITION_TYPE_DATA, subtype: 2, offset: 0x9000, size: 0x4000, flags: 0 },
      {
        label: "otadata",
        type: PARTITION_TYPE_DATA,
        subtype: DATA_SUBTYPE_OTA,
        offset: 0xd000,
        size: 0x2000,
        flags: 0,
      },
      {
        label: "ota_0",
        type: PARTITION_TYPE_APP,
        subtype: APP_SUBTYPE_OTA_0,
        offset: 0x10000,
        size: 0x100000,
        flags: 0,
      },
      {
        label: "ota_1",
        type: PARTITION_TYPE_APP,
        subtype: APP_SUBTYPE_OTA_0 + 1,
        offset: 0x110000,
        size: 0x100000,
        flags: 0,
      },
    ];
    const flash = flashWith("ESP32-S3", (f) => {
      f.set(writePartitionTable(table), 0x8000);
      f.set(makeDemoApp("ESP32-S3", { version: "1.0.0" }), 0x10000);
      f.set(makeDemoApp("ESP32-S3", { version: "2.0.0" }), 0x110000);
    });
    // No valid otadata entry: ota_0.
    expect(bootFromFlash(identity("ESP32-S3"), flash).app?.version).toBe("1.0.0");
    // Sequence 2 selects slot (2-1) % 2 = ota_1.
    new DataView(flash.buffer).setUint32(0xd000, 2, true);
    new DataView(flash.buffer).setUint32(0xd000 + 24, 2, true);
    const second = bootFromFlash(identity("ESP32-S3"), flash);
    expect(second.app).toMatchObject({ offset: 0x110000, version: "2.0.0" });
    flash[0x110000 + 50_000] ^= 1;
    const fallback = bootFromFlash(identity("ESP32-S3"), flash);
    expect(fallback.log).toContain("OTA app ota_1 partition is not bootable");
    expect(fallback.app).toMatchObject({ offset: 0x10000, version: "1.0.0" });
  });
});

describe("the virtual board boots only what a real chip would", () => {
  it("boots the demo firmware into the app", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    await board.waitForMode("boot-failed");
    for (const p of demoParts("ESP32-S3")) board.flash.set(p.data, p.offset);
    board.reset();
    await board.waitForMode("app");
    expect(board.consoleText).toContain("Project name:     pyDirect");
    board.unplug();
  });

  it("boot-loops on a corrupted app, printing the failure again and again", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    await board.waitForMode("boot-failed");
    for (const p of demoParts("ESP32-S3")) board.flash.set(p.data, p.offset);
    board.flash[0x10000 + 123_456] ^= 0x20;
    board.consoleText = "";
    board.reset();
    await board.waitForMode("boot-failed");
    await new Promise((r) => setTimeout(r, 1000));
    const count = board.consoleText.split("No bootable app partitions in the partition table").length - 1;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(board.mode).toBe("boot-failed");
    board.unplug();
  });
});
