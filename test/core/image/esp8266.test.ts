import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFirmware, detectImageChip, readEsp8266V2Image, type PartToCheck } from "../../../src/core/image";
import { arduinoFlashCrc, crc32 } from "../../../src/core/image/esp8266-image";

// Images built by real toolchains (gcc-xtensa-lx106, esptool v3.3.3, the Arduino core's elf2bin.py)
// from our own app and our own minimal boot loader, which stands where eboot (Arduino) and boot.bin
// (NONOS) go; test/fixtures/esp8266/README.md says how each was made. The checks know those layouts
// by their structure, not by any boot loader's bytes.
const fixture = (name: string) => new Uint8Array(readFileSync(resolve(__dirname, "../../fixtures/esp8266", name)));
const ARDUINO = fixture("arduino.bin");
const NONOS = fixture("nonos-merged.bin");
const NONOS_OTA = fixture("nonos-ota-merged.bin");
const USER1 = fixture("nonos-ota-user1.bin");

const at0 = (data: Uint8Array, name = "firmware.bin"): PartToCheck[] => [{ name, offset: 0, data }];
const check = (parts: PartToCheck[], flashSize: number | null = null) =>
  checkFirmware(parts, { family: "ESP8266", flashSize });
const codes = (parts: PartToCheck[]) => check(parts).errors.map((e) => e.code);
const flip = (data: Uint8Array, at: number, mask = 0x01) => {
  const copy = data.slice();
  copy[at] ^= mask;
  return copy;
};
/** A byte in the middle of segment `index` of the boot loader at 0x0, as the checks read it from the sound file. */
const insideBootSegment = (data: Uint8Array, index: number) => {
  const segment = check(at0(data)).parts[0].image!.segments[index];
  return segment.dataOffset + (segment.length >> 1);
};

describe("sound ESP8266 builds from real toolchains are accepted", () => {
  it("Arduino/ESPHome (boot loader at 0x0 where eboot goes, sketch at 0x1000, flash CRC) as one file at 0x0", () => {
    const result = check(at0(ARDUINO), 1048576);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.parts[0]).toMatchObject({
      kind: "bootloader",
      image: { format: "esp8266-v1", chip: null, segmentCount: 2, flashMode: "DIO", flashSize: 1048576 },
    });
    expect(result.parts[0].summary).toMatch(/Arduino\/ESPHome: eboot \+ sketch: .* 5 segments.*flash CRC ok/);
    // The sketch runs past 0x8000: what sits there is its flash data, which was once read as an ESP-IDF partition table.
    expect(ARDUINO.length).toBeGreaterThan(0x9000);
    expect([ARDUINO[0x8000], ARDUINO[0x8001]]).not.toEqual([0xaa, 0x50]);
    expect(ARDUINO.subarray(0x8000, 0x8010).every((b) => b === 0xff)).toBe(false);
    expect(result.parts[0].partitionTable).toBeUndefined();
  });

  it("NONOS SDK without OTA (eagle.flash.bin + irom0 block at 0x10000), with no partition table read at 0x8000", () => {
    const result = check(at0(NONOS), 1048576);
    expect(result.errors).toEqual([]);
    expect(result.parts[0]).toMatchObject({
      kind: "app",
      image: { format: "esp8266-v1", segmentCount: 2, entry: 0x40100018 },
    });
    expect(result.parts[0].partitionTable).toBeUndefined();
  });

  it("NONOS SDK with OTA: boot.bin + user1.bin merged, and the same as two parts", () => {
    const merged = check(at0(NONOS_OTA));
    expect(merged.errors).toEqual([]);
    expect(merged.parts[0].summary).toMatch(
      /boot\.bin \+ user1\.bin: .*v2 \(0xea\) image at 0x1000, 3 segments.*CRC-32 ok/,
    );
    const split = check([
      { name: "boot.bin", offset: 0, data: NONOS_OTA.subarray(0, 0x1000) },
      { name: "user1.bin", offset: 0x1000, data: USER1 },
    ]);
    expect(split.errors).toEqual([]);
    expect(split.parts.map((p) => p.kind)).toEqual(["bootloader", "app"]);
    expect(split.parts[1].image).toMatchObject({ format: "esp8266-v2", segmentCount: 3 });
  });

  it("an OTA app alone at 0x1000 (an update that keeps boot.bin) passes with a note", () => {
    const result = check([{ name: "user1.bin", offset: 0x1000, data: USER1 }]);
    expect(result.errors).toEqual([]);
    expect(result.warnings.join(" ")).toMatch(/No part is written at 0x0/);
  });

  it("detects ESP8266 from the images' own headers", () => {
    for (const image of [ARDUINO, NONOS, NONOS_OTA, USER1]) expect(detectImageChip(image)).toBe("ESP8266");
  });
});

describe("damaged ESP8266 builds are refused with a specific error", () => {
  it("truncated inside a segment, before the checksum, or inside the v2 CRC", () => {
    expect(codes(at0(ARDUINO.subarray(0, insideBootSegment(ARDUINO, 1))))).toEqual(["image-truncated"]);
    expect(codes(at0(NONOS.subarray(0, 0x30)))).toEqual(["image-truncated"]);
    expect(codes(at0(NONOS.subarray(0, 4)))).toEqual(["image-truncated"]);
    expect(codes(at0(NONOS_OTA.subarray(0, NONOS_OTA.length - 2)))).toEqual(["image-truncated"]);
    // The sketch cut short: its segments, then the flash CRC's length, no longer fit.
    expect(codes(at0(ARDUINO.subarray(0, ARDUINO.length - 40)))).toEqual(["image-truncated"]);
  });

  it("a flipped byte in any image's code fails its checksum", () => {
    expect(check(at0(flip(NONOS, 0x20))).errors[0].message).toMatch(/fails its segment checksum .*"csum err"/);
    // The boot loader's code: its own checksum, and the core's flash CRC over the whole file.
    expect(check(at0(flip(ARDUINO, insideBootSegment(ARDUINO, 0)))).errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/fails its segment checksum/),
      expect.stringMatching(/fails the Arduino core's flash CRC/),
    ]);
    expect(codes(at0(flip(ARDUINO, 0x1000 + 0x40)))).toEqual(["image-checksum"]); // the sketch
    expect(codes(at0(flip(NONOS_OTA, insideBootSegment(NONOS_OTA, 1))))).toEqual(["image-checksum"]); // the boot loader's strings
    expect(codes(at0(flip(NONOS_OTA, 0x1000 + 0x30)))).toEqual(["image-checksum"]); // user1.bin
  });

  it("a wrong stored checksum byte is refused", () => {
    const v1 = check(at0(NONOS)).parts[0].image!;
    const checksumAt = v1.length - 1;
    const result = check(at0(flip(NONOS, checksumAt, 0xff)));
    expect(result.errors.map((e) => e.code)).toEqual(["image-checksum"]);
    expect(result.errors[0].message).toMatch(/stored 0x66, computed 0x99/);
  });

  it("bytes only the integrity words cover: Arduino's flash CRC and the v2 CRC-32", () => {
    // elf2bin.py's 0xAA padding after the boot loader is in no segment; only the core's flash CRC covers it.
    expect(check(at0(ARDUINO)).parts[0].image!.length).toBeLessThan(0xf00);
    expect(ARDUINO[0xf00]).toBe(0xaa);
    const padded = flip(ARDUINO, 0xf00);
    expect(check(at0(padded)).errors[0].message).toMatch(/fails the Arduino core's flash CRC/);
    // user1.bin's irom0 block is outside its XOR checksum; the appended CRC-32 covers it.
    const user1 = flip(USER1, 0x12);
    expect(() => readEsp8266V2Image(user1)).toThrow(/fails its CRC-32/);
    expect(codes([{ name: "user1.bin", offset: 0x1000, data: flip(USER1, USER1.length - 1) }])).toEqual([
      "image-checksum",
    ]);
  });

  it("a header that no ESP8266 can use", () => {
    expect(check(at0(flip(NONOS, 3, 0x50))).errors[0]).toMatchObject({
      code: "image-bad-header",
      message: expect.stringMatching(/unknown ESP8266 flash size code/),
    });
    expect(check(at0(flip(NONOS, 2, 0x04))).errors[0]).toMatchObject({
      code: "image-bad-header",
      message: expect.stringMatching(/unknown flash mode/),
    });
    expect(check(at0(flip(NONOS, 7, 0x01))).errors[0]).toMatchObject({
      code: "image-bad-header",
      message: expect.stringMatching(/entry point 0x41100018/),
    });
    expect(check(at0(NONOS), 512 * 1024).errors[0]).toMatchObject({ code: "image-flash-size" });
  });

  it("images at offsets nothing starts them from", () => {
    expect(check(at0(USER1, "user1.bin")).errors[0]).toMatchObject({
      code: "wrong-offset",
      message: expect.stringMatching(/Write boot\.bin at 0x0 and this image at 0x1000/),
    });
    expect(codes([{ name: "user1.bin", offset: 0x3000, data: USER1 }])).toEqual(["wrong-offset"]);
    // The sketch's irom0 code is linked for 0x1010 in flash; it cannot run from 0x2000.
    const sketchAlone = ARDUINO.slice(0x1000);
    const moved = check([
      { name: "boot.bin", offset: 0, data: ARDUINO.subarray(0, 0x1000) },
      { name: "sketch.bin", offset: 0x2000, data: sketchAlone },
    ]);
    expect(moved.errors).toEqual([]); // nothing at 0x1000: the boot loader's app slot is empty, the sketch is data
    expect(check([{ name: "sketch.bin", offset: 0, data: sketchAlone }]).errors[0]).toMatchObject({
      code: "image-bad-header",
      message: expect.stringMatching(/flash-mapped segment/),
    });
  });
});

describe("images for the other family", () => {
  it("an ESP8266 build checked for an ESP32-S3, and an ESP32-S3 build checked for an ESP8266", async () => {
    const { demoParts } = await import("../../../scripts/lib/demo-firmware");
    const s3 = demoParts("ESP32-S3")[0].data;
    expect(checkFirmware(at0(ARDUINO), { family: "ESP32-S3" }).errors[0]).toMatchObject({
      code: "image-wrong-chip",
      message: expect.stringMatching(/is built for ESP8266 \(an ESP8266 image at 0x0\), but this board is an ESP32-S3/),
    });
    expect(check(at0(s3)).errors[0]).toMatchObject({
      code: "image-wrong-chip",
      message: expect.stringMatching(
        /is built for ESP32-S3 \(its bootloader at 0x0, where the ESP32-S3 ROM looks\), but this board is an ESP8266/,
      ),
    });
  });
});

describe("the CRCs match their reference algorithms", () => {
  it("zlib CRC-32 and the Arduino core's MSB-first CRC", () => {
    const text = new TextEncoder().encode("123456789");
    expect(crc32(text)).toBe(0xcbf43926); // the CRC-32 check value
    expect(arduinoFlashCrc(text)).toBe(0x0376e6e7); // CRC-32/MPEG-2 check value (same parameters)
  });
});
