/**
 * Folding the flash job's events into the Install step's state: one bar per part, a phase line,
 * and the few events worth a log line.
 */
import { describeBaud } from "../flash/fast-baud";
import type { InstallEvent } from "./jobs";
import type { PartProgress, SessionState } from "./session-types";

type FlashStep = SessionState["flash"];

export function foldInstallEvent(flash: FlashStep, e: InstallEvent): { flash: FlashStep; log?: string } {
  const phase = (text: string): FlashStep => ({ ...flash, phase: text });
  const part = (name: string, patch: Partial<PartProgress>, text: string): FlashStep => {
    const parts = [...flash.parts];
    const i = parts.findIndex((p) => p.name === name);
    if (i < 0) parts.push({ name, written: 0, total: 0, status: "pending", ...patch });
    else parts[i] = { ...parts[i], ...patch };
    return { ...flash, parts, phase: text };
  };
  switch (e.state) {
    case "downloading":
      return { flash: phase(`Downloading ${e.part}`) };
    case "connecting":
      return { flash: phase("Putting the board into download mode") };
    case "stub-running":
      return {
        flash: phase(`Flasher running at ${e.baudRate} baud`),
        log: `Flasher stub running at ${e.baudRate} baud`,
      };
    case "baud":
      switch (e.decision) {
        case "trying":
          return { flash: phase(`Trying ${describeBaud(e)}`) };
        case "refused":
          return {
            flash,
            log: `${describeBaud(e)}: ${e.reason === "write-failed" ? "a write failed, going slower" : "the link did not hold, going slower"}`,
          };
        case "settled":
          return { flash: phase(`Flashing at ${describeBaud(e)}`), log: `Flashing at ${describeBaud(e)}` };
        case "native-usb":
          return { flash, log: `${e.device ?? "Native USB"}: data moves at USB speed` };
      }
      return { flash };
    case "erasing":
      return { flash: phase("Erasing flash"), log: "Erasing flash" };
    case "comparing":
      return { flash: part(e.part, { status: "comparing" }, `Checking what is already on flash (${e.part})`) };
    case "writing":
      // A fully written part waits for its MD5 check, which comes after the last part is written.
      return {
        flash: part(
          e.part,
          { status: e.written >= e.total ? "written" : "writing", written: e.written, total: e.total },
          `Writing ${e.part}`,
        ),
      };
    case "verifying":
      return { flash: part(e.part, { status: "verifying" }, `Verifying ${e.part}`) };
    case "verified": {
      const total = flash.parts.find((p) => p.name === e.part)?.total ?? 0;
      return {
        flash: part(e.part, { status: e.skipped ? "skipped" : "done", written: total }, `${e.part} verified`),
        log: `${e.part}: ${e.skipped ? "already on flash, skipped" : "written"}, MD5 ${e.md5}`,
      };
    }
    case "resetting":
      return { flash: phase("Restarting the board") };
    default:
      return { flash };
  }
}
