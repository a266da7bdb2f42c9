/**
 * One number per board for the grid's progress bar: the whole flow, 0..1. Installing is measured
 * in bytes (the parts' sizes are known before the first is written); provisioning and verifying
 * report phases, not amounts, so each phase moves the bar a share of the way that is left in its
 * stage, which never overshoots the stage's end.
 */
import { foldInstallEvent } from "../session/install-progress";
import type { InstallEvent } from "../session/jobs";
import type { SessionState } from "../session/session-types";

export type ProgressStage = "connecting" | "installing" | "provisioning" | "verifying";

/** [start, end] of each stage on the board's bar. Flashing dominates the time on a real line. */
const FULL_FLOW: Record<ProgressStage, readonly [number, number]> = {
  connecting: [0, 0.04],
  installing: [0.04, 0.65],
  provisioning: [0.65, 0.88],
  verifying: [0.88, 1],
};
const FLASH_ONLY: Record<ProgressStage, readonly [number, number]> = {
  connecting: [0, 0.05],
  installing: [0.05, 1],
  provisioning: [1, 1],
  verifying: [1, 1],
};

/** How far into a phase-reported stage each phase moves (of what is left). */
const PHASE_SHARE = 0.35;

type FlashState = SessionState["flash"];

export class BoardProgress {
  private readonly stages: Record<ProgressStage, readonly [number, number]>;
  private stage: ProgressStage = "connecting";
  private within = 0;
  private flash: FlashState = { status: "running", phase: "", error: null, result: null, parts: [] };
  private sizes = new Map<string, number>();

  constructor(flashOnly: boolean) {
    this.stages = flashOnly ? FLASH_ONLY : FULL_FLOW;
  }

  /** The board's bar, 0..1. */
  get value(): number {
    const [start, end] = this.stages[this.stage];
    return start + (end - start) * Math.min(1, Math.max(0, this.within));
  }

  enter(stage: ProgressStage): void {
    this.stage = stage;
    this.within = 0;
  }

  /** A phase of a stage reported by phases: the bar moves part of the way that is left. */
  phase(): void {
    this.within += (1 - this.within) * PHASE_SHARE;
  }

  /** The install plan is known: part names and sizes in flash order. */
  parts(names: string[], sizes: number[]): void {
    this.sizes = new Map(names.map((name, i) => [name, sizes[i] ?? 0]));
    this.flash = {
      ...this.flash,
      parts: names.map((name, i) => ({ name, written: 0, total: sizes[i] ?? 0, status: "pending" })),
    };
  }

  /** Fold one install event; returns the phase text it gives (the session's own wording). */
  install(e: InstallEvent): string {
    this.flash = foldInstallEvent(this.flash, e).flash;
    const parts = this.flash.parts;
    const total = parts.reduce((sum, p) => sum + (this.sizes.get(p.name) ?? p.total), 0);
    if (total > 0) {
      const done = parts.reduce((sum, p) => {
        const size = this.sizes.get(p.name) ?? p.total;
        return sum + (p.status === "done" || p.status === "skipped" ? size : Math.min(size, p.written));
      }, 0);
      // Writing is most of installing; the MD5 checks and the reset are the last bit.
      this.within =
        Math.min(0.97, done / total) + (parts.every((p) => p.status === "done" || p.status === "skipped") ? 0.03 : 0);
    }
    return this.flash.phase;
  }

  /** Install totals for the board's result line. */
  get installed(): { bytesWritten: number; bytesSkipped: number } {
    const parts = this.flash.parts;
    return {
      bytesWritten: parts.filter((p) => p.status !== "skipped").reduce((n, p) => n + p.total, 0),
      bytesSkipped: parts.filter((p) => p.status === "skipped").reduce((n, p) => n + p.total, 0),
    };
  }
}
