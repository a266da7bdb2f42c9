import { describe, expect, it } from "vitest";
import { FlashSession, flashParts } from "../../../src/core/flash";
import {
  describeSecurity,
  parseSecurityInfo,
  readSecurityState,
  refuseLockedWrite,
  type SecurityState,
} from "../../../src/core/flash/security-state";
import { VirtualBoard } from "../../../src/virtual-board";
import type { VirtualBoardOptions } from "../../../src/virtual-board/virtual-board";
import { collect, expectedFlash, firstDifference, threePartImage } from "./helpers";

/** A GET_SECURITY_INFO answer as the ROM packs it (esptool loader.py `<IBBBBBBBBII`). */
function answer(flags: number, cryptCnt: number, purposes: number[], chipId?: number, api?: number): Uint8Array {
  const bytes = new Uint8Array(chipId === undefined ? 12 : 20);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, flags, true);
  bytes[4] = cryptCnt;
  bytes.set(purposes, 5);
  if (chipId !== undefined) {
    view.setUint32(12, chipId, true);
    view.setUint32(16, api ?? 0, true);
  }
  return bytes;
}

const registers = (words: Record<number, number>) => (addr: number) => Promise.resolve(words[addr] ?? 0);

describe("reading a chip's security state", () => {
  it("parses GET_SECURITY_INFO's 20-byte answer (S3 and later) and the ESP32-S2's 12 bytes", () => {
    expect(parseSecurityInfo(answer(0b101, 1, [4, 9, 0, 0, 0, 0, 0], 9, 0))).toEqual({
      flags: 5,
      flashCryptCnt: 1,
      keyPurposes: [4, 9, 0, 0, 0, 0, 0],
      chipId: 9,
      apiVersion: 0,
    });
    expect(parseSecurityInfo(answer(0, 0, [0, 0, 0, 0, 0, 0, 0]))).toMatchObject({ chipId: null, apiVersion: null });
    expect(() => parseSecurityInfo(new Uint8Array(16))).toThrow(/12 or 20/);
  });

  it("S3: secure boot from the flags, encryption from an odd crypt count, release mode from the eFuse bit", async () => {
    const info = parseSecurityInfo(answer(1 | (1 << 1), 0b111, [4, 9, 0, 0, 0, 0, 0], 9, 0));
    const state = await readSecurityState("ESP32-S3", 2, {
      securityInfo: () => Promise.resolve(info),
      readReg: registers({ [0x60007030]: 1 << 20 }),
    });
    expect(state).toMatchObject({
      source: "security-info",
      flashEncryption: true, // 0b111: three bits set, odd
      encryptedDownloadDisabled: true,
      secureBoot: true,
      secureBootAggressiveRevoke: true,
      secureDownloadMode: false,
      keyPurposes: ["XTS-AES-128 key", "secure boot digest 0"],
      chipId: 9,
    });
    expect(describeSecurity(state)).toBe("Flash encryption on (release mode), secure boot on (aggressive revoke).");
  });

  it("an even crypt count is encryption turned off again; secure download mode leaves the eFuse bit unread", async () => {
    const reads: number[] = [];
    const state = await readSecurityState("ESP32-C3", 4, {
      securityInfo: () => Promise.resolve(parseSecurityInfo(answer(1 << 2, 0b11, [0, 0, 0, 0, 0, 0, 0], 5))),
      readReg: (addr) => {
        reads.push(addr);
        return Promise.resolve(0);
      },
    });
    expect(state).toMatchObject({ flashEncryption: false, secureDownloadMode: true, encryptedDownloadDisabled: null });
    expect(reads).toEqual([]);
  });

  it("ESP32: no GET_SECURITY_INFO, so FLASH_CRYPT_CNT and ABS_DONE_0/1 are read from the eFuses", async () => {
    const efuses = { [0x3ff5a000]: 0b1 << 20, [0x3ff5a018]: (1 << 5) | (1 << 7) };
    const v3 = await readSecurityState("ESP32", 300, {
      securityInfo: () => Promise.resolve(null),
      readReg: registers(efuses),
    });
    expect(v3).toMatchObject({
      source: "efuse",
      flashEncryption: true,
      flashCryptCnt: 1,
      encryptedDownloadDisabled: true,
      secureBoot: true,
    });
    // ABS_DONE_1 means secure boot v2 only from silicon v3.0 on (esptool targets/esp32.py).
    const v1 = await readSecurityState("ESP32", 100, {
      securityInfo: () => Promise.resolve(null),
      readReg: registers(efuses),
    });
    expect(v1.secureBoot).toBe(false);
    const plain = await readSecurityState("ESP32", 300, {
      securityInfo: () => Promise.resolve(null),
      readReg: registers({}),
    });
    expect(describeSecurity(plain)).toBe("No flash encryption or secure boot.");
  });

  it("refuses writes and erases on a locked chip, with what to do instead; lets a plain chip through", () => {
    const base: SecurityState = {
      source: "security-info",
      flashEncryption: false,
      flashCryptCnt: 0,
      encryptedDownloadDisabled: false,
      secureBoot: false,
      secureBootAggressiveRevoke: false,
      secureDownloadMode: false,
      jtagDisabled: false,
      keyPurposes: [],
      chipId: 9,
      apiVersion: 0,
    };
    expect(() => refuseLockedWrite(base, { erase: true })).not.toThrow();
    expect(() => refuseLockedWrite(undefined, { erase: true })).not.toThrow();
    expect(() => refuseLockedWrite({ ...base, flashEncryption: true }, { erase: false })).toThrow(/encrypted-flash/);
    expect(() =>
      refuseLockedWrite({ ...base, flashEncryption: true, encryptedDownloadDisabled: true }, { erase: true }),
    ).toThrow(/release mode.*Erasing it.*OTA/s);
    expect(() => refuseLockedWrite({ ...base, secureBoot: true }, { erase: false })).toThrow(/signed/);
  });
});

describe("locked virtual boards against the flash job", () => {
  async function refusal(options: VirtualBoardOptions, eraseAll = false) {
    const board = new VirtualBoard(options);
    const parts = threePartImage();
    board.flash.set(parts[2].data.subarray(0, 4096), 0x10000); // the (encrypted) firmware already there
    const before = board.flash.slice();
    const { events, onEvent } = collect();
    const err = await flashParts(board.port, { parts, eraseAll }, onEvent).catch((e: unknown) => e);
    expect(events.some((e) => e.state === "writing" || e.state === "erasing" || e.state === "stub-running")).toBe(
      false,
    );
    expect(firstDifference(board.flash, before)).toBe(-1);
    board.unplug();
    return { err, events };
  }

  it("an S3 with flash encryption (development mode) is refused before a byte is written", async () => {
    const { err, events } = await refusal({ chip: "ESP32-S3", security: { flashEncryption: "development" } });
    expect(err).toMatchObject({ code: "flash-encrypted", action: "none" });
    expect((err as Error).message).toMatch(/development mode.*idf\.py encrypted-flash/s);
    const connected = events.find((e) => e.state === "connected");
    expect(connected).toMatchObject({ chip: { security: { flashEncryption: true, source: "security-info" } } });
  });

  it("an S3 in release mode is refused, also for an erase, naming OTA as the way", async () => {
    const { err } = await refusal({ chip: "ESP32-S3", security: { flashEncryption: "release" } }, true);
    expect(err).toMatchObject({ code: "flash-encrypted" });
    expect((err as Error).message).toMatch(/release mode.*Erasing it.*OTA/s);
  });

  it("a C3 with secure boot is refused; an ESP32 with FLASH_CRYPT_CNT set is refused (read from eFuses)", async () => {
    expect((await refusal({ chip: "ESP32-C3", security: { secureBoot: true } })).err).toMatchObject({
      code: "secure-boot",
    });
    const esp32 = await refusal({ chip: "ESP32", security: { flashEncryption: "development" } });
    expect(esp32.err).toMatchObject({ code: "flash-encrypted" });
    expect(esp32.events.find((e) => e.state === "connected")).toMatchObject({
      chip: { security: { source: "efuse", flashEncryption: true } },
    });
  });

  it("secure download mode: refused at connect with its own sentence, nothing read or written", async () => {
    const { err } = await refusal({
      chip: "ESP32-S3",
      security: { flashEncryption: "release", secureDownloadMode: true },
    });
    expect(err).toMatchObject({ code: "secure-download-mode" });
    expect((err as Error).message).toMatch(/Secure Download Mode.*esptool/s);
  });

  it("a plain board reads as unlocked at connect and flashes as before", async () => {
    const board = new VirtualBoard({ chip: "ESP32-C3" });
    const session = await FlashSession.connect(board.port);
    expect(session.chip.security).toMatchObject({
      source: "security-info",
      flashEncryption: false,
      secureBoot: false,
      chipId: 5,
    });
    await session.close();
    const parts = threePartImage().slice(1);
    const report = await flashParts(board.port, { parts, reset: false });
    expect(firstDifference(board.flash, expectedFlash(board.flash, parts))).toBe(-1);
    expect(report.bytesWritten).toBeGreaterThan(0);
    board.unplug();
  });
});

describe("the locked profiles in the Connect step's picker", () => {
  it("come after the plain boards and build boards with those eFuses burnt", async () => {
    const { VIRTUAL_BOARD_MODELS } = await import("../../../src/virtual-board/board-models");
    const { createVirtualChoice } = await import("../../../src/demo/virtual-port");
    const locked = VIRTUAL_BOARD_MODELS.filter((m) => m.security);
    expect(locked.map((m) => m.id)).toEqual([
      "esp32s3-flash-encrypted",
      "esp32s3-encrypted-release",
      "esp32c3-secure-boot",
      "esp32-flash-encrypted",
      "esp32s3-secure-download",
    ]);
    expect(VIRTUAL_BOARD_MODELS[0].security).toBeUndefined();
    const choice = createVirtualChoice({ model: locked[2], makeApp: () => undefined });
    expect(choice.board.identity.security).toEqual({ secureBoot: true });
    choice.board.unplug();
  });
});
