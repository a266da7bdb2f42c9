// PLACEHOLDER (owned by the flash/virtual-board work): the ROM + flasher-stub protocol session.
import type { DownloadModeSession } from "../types";
import type { VirtualBoard } from "../virtual-board";

export function createDownloadSession(board: VirtualBoard): DownloadModeSession {
  board.print("waiting for download\r\n");
  return { receive: () => undefined, dispose: () => undefined };
}
