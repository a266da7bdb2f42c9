// PLACEHOLDER (owned by the manifest/image work): what the boot ROM and bootloader make of flash.
import type { BoardIdentity, BootOutcome } from "./types";

export function bootFromFlash(board: BoardIdentity, flash: Uint8Array): BootOutcome {
  const ok = flash[0x0] === 0xe9 || flash[0x1000] === 0xe9;
  return ok
    ? { ok, log: `ESP-ROM: ${board.chip}\r\n`, app: { offset: 0x10000, projectName: "unknown", version: "0", idfVersion: "" } }
    : { ok, log: "invalid header: 0xffffffff\r\n" };
}
