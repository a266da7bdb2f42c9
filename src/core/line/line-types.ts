/**
 * The production line's state and events: several boards, each going through
 * connect → install → provision → verify on its own port at the same time. Plain data only (no
 * DOM, no ports, never a secret): the grid renders it, tests assert on it.
 */
import type { PortalError } from "../errors";
import type { WifiCredentials } from "../session/jobs";
import type { FirmwareOffer } from "../session/session-types";

/** Where one board is. "waiting" until a slot frees; the last three are final. */
export type LineStep =
  "waiting" | "connecting" | "installing" | "provisioning" | "verifying" | "done" | "failed" | "stopped";

export const FINAL_STEPS: ReadonlySet<LineStep> = new Set<LineStep>(["done", "failed", "stopped"]);

/** What a finished board ended up as. */
export interface LineBoardResult {
  /** null when the line only flashes. */
  hostname: string | null;
  deviceId: string | null;
  certFingerprint: string | null;
  roundTripMs: number | null;
  detail: string;
  /**
   * The board's fresh WebREPL password, for the user's eyes only (a SecretText: it stringifies to
   * a placeholder, so state dumps and logs never carry it).
   */
  webreplPassword: { reveal(): string } | null;
}

export interface LineBoardState {
  /** Stable key for the board's row ("board-3"). */
  id: string;
  /** 1-based number shown to the user; the order boards were added. */
  number: number;
  /** The port as the user knows it ("Silicon Labs CP210x (10c4:ea60)", "Virtual ESP32-S3 #2"). */
  label: string;
  virtual: boolean;
  /** Chip and MAC once the board has been read. */
  chip: string | null;
  mac: string | null;
  step: LineStep;
  /** Latest human-readable phase ("Writing esp32s3/pydirect.bin", "joining Wi-Fi"). */
  phase: string;
  /** The whole flow for this board, 0..1. */
  progress: number;
  result: LineBoardResult | null;
  error: PortalError | null;
  /** Clock readings (the line's `now()`, ms) when this board's run started and ended. */
  startedAt: number | null;
  finishedAt: number | null;
}

/** Time a board has taken so far (or took), ms; 0 before it starts. */
export function boardElapsedMs(board: LineBoardState, now: number): number {
  if (board.startedAt === null) return 0;
  return Math.max(0, (board.finishedAt ?? now) - board.startedAt);
}

/** What every board on the line shares. The Wi-Fi password stays in the line's memory only. */
export interface LineSettings {
  offer: FirmwareOffer;
  /** null: flash only (no provisioning, no verification). */
  wifi: WifiCredentials | null;
  /** Erase before installing: the user's choice for every board; undefined decides per board as the session does. */
  erase?: boolean;
}

export interface LineState {
  running: boolean;
  boards: LineBoardState[];
}

export interface LineSummary {
  passed: number;
  failed: number;
  stopped: number;
  elapsedMs: number;
}

export type LineEvent =
  | { type: "board-added"; board: LineBoardState }
  | { type: "board-removed"; id: string }
  /** Any change of one board (step, phase, progress); many a second while boards write. */
  | { type: "board-changed"; board: LineBoardState }
  /** A board reached done, failed or stopped. */
  | { type: "board-finished"; board: LineBoardState }
  | { type: "line-started"; boards: number }
  | { type: "line-finished"; summary: LineSummary };
