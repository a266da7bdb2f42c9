/**
 * What a real chip's boot ROM and ESP-IDF second-stage bootloader make of the flash: the console
 * text they print, and either the app they start or the boot loop they fall into. Built on the
 * same readers the portal uses to check firmware, so the board boots exactly what passes them.
 */
import type { ChipFamily } from "../core/image/chips";
import type { BoardIdentity, BootOutcome, BootedApp } from "./types";
import { chipFacts, PARTITION_TABLE_OFFSET } from "../core/image/chips";
import { ImageError } from "../core/image/errors";
import { readEspImage, type EspImageInfo } from "../core/image/esp-image";
import { readAppDescription } from "../core/image/app-desc";
import {
  APP_SUBTYPE_FACTORY,
  APP_SUBTYPE_OTA_0,
  APP_SUBTYPE_TEST,
  DATA_SUBTYPE_OTA,
  PARTITION_TYPE_APP,
  PARTITION_TYPE_DATA,
  partitionUsage,
  readPartitionTable,
  type PartitionEntry,
} from "../core/image/partition-table";
import { view } from "../core/image/bytes";
import { chipProfile, SIMULATED_CHIPS } from "./chips";

const CRLF = "\r\n";

interface RomText {
  banner: string;
  /** Reset cause line after power-on and after the bootloader's software reset. */
  powerOn: string;
  softwareReset: string;
  /** The ROM's own lines before it loads the bootloader. */
  spiLines: string[];
  /** ESP32's ROM prints segment lengths in decimal, later ROMs in hex. */
  decimalLengths: boolean;
}

function romText(chip: ChipFamily): RomText {
  const boot = (code: string) => `boot:${code} (SPI_FAST_FLASH_BOOT)`;
  switch (chip) {
    case "ESP32":
      return {
        banner: "ets Jun  8 2016 00:22:57" + CRLF + CRLF,
        powerOn: `rst:0x1 (POWERON_RESET),${boot("0x13")}`,
        softwareReset: `rst:0x3 (SW_RESET),${boot("0x13")}`,
        spiLines: [
          "configsip: 0, SPIWP:0xee",
          "clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00",
          "mode:DIO, clock div:2",
        ],
        decimalLengths: true,
      };
    case "ESP32-S3":
      return rom("ESP-ROM:esp32s3-20210327", "Build:Mar 27 2021", boot("0x8"));
    case "ESP32-C3":
      return rom("ESP-ROM:esp32c3-api1-20210207", "Build:Feb  7 2021", boot("0xc"));
    case "ESP32-S2":
      return rom("ESP-ROM:esp32s2-rc4-20191025", "Build:Oct 25 2019", boot("0x8"));
    case "ESP32-P4":
      // A v1.x P4 (ECO2 ROM) on a board whose strapping pins read 0x30f; after esp_restart() the ROM
      // reports SW_CPU_RESET and where each core was. Lines as P4 boards print them in ESP-IDF 5.4/5.5 logs.
      return {
        banner: "ESP-ROM:esp32p4-eco2-20240710" + CRLF + "Build:Jul 10 2024" + CRLF,
        powerOn: `rst:0x1 (POWERON),${boot("0x30f")}`,
        softwareReset:
          `rst:0xc (SW_CPU_RESET),${boot("0x30f")}` +
          CRLF +
          "Core0 Saved PC:0x4ff07dce" +
          CRLF +
          "Core1 Saved PC:0x4fc012ca",
        spiLines: ["SPI mode:DIO, clock div:1"],
        decimalLengths: false,
      };
    default:
      return rom(`ESP-ROM:${chipFacts(chip).romName}`, "Build:2022", boot("0xc"));
  }
}

function rom(name: string, build: string, bootMode: string): RomText {
  return {
    banner: name + CRLF + build + CRLF,
    powerOn: `rst:0x1 (POWERON),${bootMode}`,
    softwareReset: `rst:0x3 (RTC_SW_SYS_RST),${bootMode}`,
    spiLines: ["SPIWP:0xee", "mode:DIO, clock div:1"],
    decimalLengths: false,
  };
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/** ESP-IDF log lines with a millisecond stamp that grows as a real boot's would. */
class BootLog {
  private ms = 27;
  readonly lines: string[] = [];
  raw(line: string): void {
    this.lines.push(line);
  }
  info(tag: string, text: string): void {
    this.lines.push(`I (${this.tick()}) ${tag}: ${text}`);
  }
  error(tag: string, text: string): void {
    this.lines.push(`E (${this.tick()}) ${tag}: ${text}`);
  }
  text(): string {
    return this.lines.map((l) => l + CRLF).join("");
  }
  private tick(): number {
    this.ms += 3 + (this.lines.length % 5);
    return this.ms;
  }
}

/** An image problem, in the words the bootloader's esp_image/boot_comm code uses. */
function describeImageFailure(
  err: ImageError,
  at: number,
  image: Uint8Array,
  expectedChipId: number,
  log: BootLog,
): void {
  switch (err.code) {
    case "image-bad-magic":
      log.error("esp_image", `image at 0x${at.toString(16)} has invalid magic byte (nothing flashed here?)`);
      return;
    case "image-wrong-chip": {
      const found = view(image).getUint16(12, true);
      log.error("boot_comm", `mismatch chip ID, expected ${expectedChipId}, found ${found}`);
      return;
    }
    case "image-checksum": {
      const m = /stored (0x[0-9a-f]+), computed (0x[0-9a-f]+)/.exec(err.message);
      log.error("esp_image", `Checksum failed. Calculated ${m?.[2] ?? "?"} read ${m?.[1] ?? "?"}`);
      return;
    }
    case "image-digest":
      log.error("esp_image", "Image hash failed - image is corrupt");
      return;
    case "image-chip-revision":
      log.error("boot_comm", "Image requires a newer chip revision than this chip has");
      return;
    default:
      log.error("esp_image", `image at 0x${at.toString(16)} is invalid (${err.code})`);
  }
}

/** What started the chip: power or the EN pin (power-on), the app itself (esp_restart), or a watchdog. */
export type ResetCause = "power-on" | "software" | "watchdog";

/**
 * The ROM's reset-cause line after the RTC watchdog resets the chip: reason 0x10, named RTCWDT_RTC_RESET
 * by the ESP32's ROM and RTCWDT_RTC_RST by later ones (ESP-IDF components/esp_rom/<chip>/include/<chip>/rom/rtc.h,
 * RESET_REASON / soc_reset_reason_t value 16).
 */
function watchdogResetLine(chip: ChipFamily, powerOn: string): string {
  const name = chip === "ESP32" ? "RTCWDT_RTC_RESET" : "RTCWDT_RTC_RST";
  return powerOn.replace(/^rst:0x1 \([A-Z_]+\)/, `rst:0x10 (${name})`);
}

export function bootFromFlash(board: BoardIdentity, flash: Uint8Array, cause: ResetCause = "power-on"): BootOutcome {
  const chip = board.chip;
  const rom = romText(chip);
  const text =
    cause === "software"
      ? { ...rom, powerOn: rom.softwareReset }
      : cause === "watchdog"
        ? { ...rom, powerOn: watchdogResetLine(chip, rom.powerOn) }
        : rom;
  const facts = chipFacts(chip);
  const romLines: string[] = [];
  const finish = (log: BootLog, app?: BootedApp): BootOutcome => {
    const body = romLines.map((l) => l + CRLF).join("") + log.text();
    if (app) return { ok: true, log: text.banner + text.powerOn + CRLF + body, app };
    // The bootloader gives up with a software reset; the ROM then runs it all again, forever.
    return {
      ok: false,
      log: text.banner + text.powerOn + CRLF + body,
      loopLog: text.banner + text.softwareReset + CRLF + body,
    };
  };

  if (chip === "ESP8266") return bootEsp8266(flash);

  // ---- ROM: load the second-stage bootloader ----------------------------------------------------
  const bootAt = facts.bootloaderOffset;
  const first = flash.length >= bootAt + 4 ? view(flash).getUint32(bootAt, true) : 0xffffffff;
  if (flash[bootAt] !== 0xe9) {
    // The ROM prints this and tries again, without ever resetting.
    const line = `invalid header: 0x${hex8(first)}` + CRLF;
    return {
      ok: false,
      log: text.banner + text.powerOn + CRLF + text.spiLines.map((l) => l + CRLF).join("") + line,
      loopLog: line,
    };
  }
  romLines.push(...text.spiLines);
  let bootloader: EspImageInfo;
  const log = new BootLog();
  try {
    bootloader = readEspImage(flash.subarray(bootAt), { chip });
  } catch (err) {
    if (!(err instanceof ImageError)) throw err;
    if (err.code === "image-checksum") {
      const m = /stored (0x[0-9a-f]+), computed (0x[0-9a-f]+)/.exec(err.message);
      romLines.push(`Checksum failure. Calculated ${m?.[2]} stored ${m?.[1]}`, "ets_main.c 371 ");
      return {
        ok: false,
        log: text.banner + text.powerOn + CRLF + romLines.map((l) => l + CRLF).join(""),
        loopLog: romLines
          .slice(-2)
          .map((l) => l + CRLF)
          .join(""),
      };
    }
    if (err.code === "image-wrong-chip") {
      // Code for another CPU: the ROM jumps into it and the core faults at once.
      romLines.push(
        `entry 0x${hex8(view(flash).getUint32(bootAt + 4, true))}`,
        "Illegal instruction: the bootloader was built for another chip",
      );
      return finish(log);
    }
    const line = `invalid header: 0x${hex8(first)}` + CRLF;
    return { ok: false, log: text.banner + text.powerOn + CRLF + line, loopLog: line };
  }
  for (const seg of bootloader.segments) {
    romLines.push(
      `load:0x${hex8(seg.loadAddress)},len:${text.decimalLengths ? seg.length : "0x" + seg.length.toString(16)}`,
    );
  }
  romLines.push(`entry 0x${hex8(bootloader.entry)}`);

  // ---- Second-stage bootloader ------------------------------------------------------------------
  log.info("boot", "ESP-IDF 2nd stage bootloader");
  if (chip === "ESP32" || chip === "ESP32-S3" || chip === "ESP32-P4") log.info("boot", "Multicore bootloader");
  const revision = SIMULATED_CHIPS.includes(chip) ? chipProfile(chip).revision : { major: 0, minor: 0 };
  log.info("boot", `chip revision: v${revision.major}.${revision.minor}`);
  const tag = `boot.${facts.romName}`;
  log.info(tag, `SPI Speed      : ${bootloader.flashFreq.replace("MHz", "")}MHz`);
  log.info(tag, `SPI Mode       : ${bootloader.flashMode}`);
  log.info(tag, `SPI Flash Size : ${bootloader.flashSize / 1048576}MB`);
  log.info("boot", "Enabling RNG early entropy source...");

  let entries: PartitionEntry[];
  try {
    entries = readPartitionTable(flash.subarray(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + 0x1000), {
      layout: false,
    }).entries;
  } catch (err) {
    if (!(err instanceof ImageError)) throw err;
    if (err.code === "partition-md5") log.error("flash_parts", "Incorrect MD5 checksum");
    else
      log.error(
        "flash_parts",
        `partition 0 invalid magic number 0x${view(flash).getUint16(PARTITION_TABLE_OFFSET, true).toString(16)}`,
      );
    log.error("boot", "Failed to verify partition table");
    log.error("boot", "load partition table error!");
    return finish(log);
  }
  log.info("boot", "Partition Table:");
  log.info("boot", "## Label            Usage          Type ST Offset   Length");
  entries.forEach((p, i) => {
    const cols = `${String(i).padStart(2)} ${p.label.padEnd(16)} ${partitionUsage(p).padEnd(16)} ${p.type.toString(16).padStart(2, "0")} ${p.subtype.toString(16).padStart(2, "0")} ${hex8(p.offset)} ${hex8(p.size)}`;
    log.info("boot", cols);
  });
  log.info("boot", "End of partition table");

  const apps = entries.filter((p) => p.type === PARTITION_TYPE_APP && p.subtype !== APP_SUBTYPE_TEST);
  if (apps.length === 0) {
    log.error("boot", "No bootable app partitions in the partition table");
    return finish(log);
  }
  for (const partition of bootOrder(entries, apps, flash)) {
    const at = partition.offset;
    const image = flash.subarray(at, at + partition.size);
    let info: EspImageInfo;
    try {
      info = readEspImage(image, { chip });
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
      describeImageFailure(err, at, image, facts.imageChipId ?? 0, log);
      log.error(
        "boot",
        `${partition.subtype === APP_SUBTYPE_FACTORY ? "Factory app" : `OTA app ${partition.label}`} partition is not bootable`,
      );
      continue;
    }
    info.segments.forEach((seg, i) => {
      const paddr = at + seg.dataOffset;
      const mapped = isFlashMapped(chip, seg.loadAddress);
      log.info(
        "esp_image",
        `segment ${i}: paddr=${hex8(paddr)} vaddr=${hex8(seg.loadAddress)} size=${seg.length.toString(16).padStart(5, "0")}h (${String(seg.length).padStart(6)}) ${mapped ? "map" : "load"}`,
      );
    });
    log.info("boot", `Loaded app from partition at offset 0x${at.toString(16)}`);
    log.info("boot", "Disabling RNG early entropy source...");
    const desc = readAppDescription(image);
    const app: BootedApp = {
      offset: at,
      projectName: desc?.projectName ?? "",
      version: desc?.version ?? "",
      idfVersion: desc?.idfVersion ?? "",
    };
    if (desc) {
      log.info("app_init", "Application information:");
      log.info("app_init", `Project name:     ${desc.projectName}`);
      log.info("app_init", `App version:      ${desc.version}`);
      log.info("app_init", `Compile time:     ${desc.date} ${desc.time}`);
      log.info("app_init", `ELF file SHA256:  ${desc.elfSha256.slice(0, 16)}...`);
      log.info("app_init", `ESP-IDF:          ${desc.idfVersion}`);
    }
    log.info("main_task", "Calling app_main()");
    return finish(log, app);
  }
  log.error("boot", "No bootable app partitions in the partition table");
  return finish(log);
}

/** Segments in the cache-mapped flash windows are mapped ("map"); the rest are copied to RAM ("load"). */
function isFlashMapped(chip: ChipFamily, address: number): boolean {
  const within = (lo: number, hi: number) => address >= lo && address < hi;
  if (chip === "ESP32") return within(0x3f400000, 0x3f800000) || within(0x400c2000, 0x40400000);
  // ESP32-P4: one cache-mapped window for code and data (esptool's ESP32P4ROM IROM/DROM 0x40000000-0x4c000000).
  if (chip === "ESP32-P4") return within(0x40000000, 0x4c000000);
  return within(0x3c000000, 0x3e000000) || within(0x42000000, 0x44000000);
}

/**
 * otadata picks the OTA slot when it holds a valid entry (the higher sequence number wins);
 * otherwise the factory app, then ota_0 onward. The rest follow as fallbacks, as in ESP-IDF.
 */
function bootOrder(entries: PartitionEntry[], apps: PartitionEntry[], flash: Uint8Array): PartitionEntry[] {
  const factory = apps.find((p) => p.subtype === APP_SUBTYPE_FACTORY);
  const otaSlots = apps
    .filter((p) => p.subtype >= APP_SUBTYPE_OTA_0 && p.subtype < APP_SUBTYPE_TEST)
    .sort((a, b) => a.subtype - b.subtype);
  const otadata = entries.find((p) => p.type === PARTITION_TYPE_DATA && p.subtype === DATA_SUBTYPE_OTA);
  let chosen: PartitionEntry | undefined;
  if (otadata && otaSlots.length > 0) {
    let best = 0;
    for (const sector of [0, 0x1000]) {
      const at = otadata.offset + sector;
      if (at + 32 > flash.length) continue;
      const dv = view(flash);
      const seq = dv.getUint32(at, true);
      const state = dv.getUint32(at + 24, true);
      // ESP_OTA_IMG_INVALID (3) and ESP_OTA_IMG_ABORTED (4) are never booted.
      if (seq !== 0xffffffff && seq !== 0 && state !== 3 && state !== 4 && seq > best) best = seq;
    }
    if (best > 0) chosen = otaSlots[(best - 1) % otaSlots.length];
  }
  const first = chosen ?? factory ?? otaSlots[0];
  return [first, ...[factory, ...otaSlots].filter((p): p is PartitionEntry => p !== undefined && p !== first)];
}

function bootEsp8266(flash: Uint8Array): BootOutcome {
  const banner = CRLF + " ets Jan  8 2013,rst cause:1, boot mode:(3,6)" + CRLF + CRLF;
  try {
    const info = readEspImage(flash, { chip: "ESP8266" });
    const loads = info.segments.map((s) => `load 0x${hex8(s.loadAddress)}, len ${s.length}, room 16 ` + CRLF).join("");
    return { ok: true, log: banner + loads, app: { offset: 0, projectName: "", version: "", idfVersion: "" } };
  } catch (err) {
    if (!(err instanceof ImageError)) throw err;
    const line = err.code === "image-checksum" ? "checksum error" : "invalid header";
    return { ok: false, log: banner + line + CRLF, loopLog: banner + line + CRLF };
  }
}
