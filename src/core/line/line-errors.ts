import { PortalError, type RecoveryAction } from "../errors";

export type LineErrorCode =
  "line-full" | "port-already-added" | "line-running" | "no-boards" | "no-wifi" | "board-unplugged" | "stopped";

/** Failures of the line itself; each board's own failure is the job's error as-is. */
export class LineError extends PortalError {
  declare readonly code: LineErrorCode;
  constructor(code: LineErrorCode, message: string, options: { action?: RecoveryAction; cause?: unknown } = {}) {
    super(code, message, options);
  }

  static full(max: number): LineError {
    return new LineError(
      "line-full",
      `The line already has ${max} boards, as many as it runs at once. Remove a finished board (or clear the finished ones) before adding another.`,
      {
        action: "none",
      },
    );
  }

  static alreadyAdded(label: string): LineError {
    return new LineError("port-already-added", `${label} is already on the line. Pick another port.`, {
      action: "pick-another-port",
    });
  }

  static running(): LineError {
    return new LineError(
      "line-running",
      "The line is running. Stop it first, or wait until every board has finished.",
      { action: "none" },
    );
  }

  static noBoards(): LineError {
    return new LineError("no-boards", "No board is waiting on the line. Add ports (or virtual boards) first.", {
      action: "none",
    });
  }

  static noWifi(): LineError {
    return new LineError(
      "no-wifi",
      "Enter the Wi-Fi network every board should join (or choose Flash only), then start the line.",
      { action: "fix-input" },
    );
  }

  static unplugged(label: string): LineError {
    return new LineError(
      "board-unplugged",
      `${label} was unplugged. Plug it back in, add its port again and run it again; the other boards went on.`,
      {
        action: "pick-another-port",
      },
    );
  }

  static stopped(): LineError {
    return new LineError("stopped", "Stopped before this board finished. Start the line again to run it.", {
      action: "retry",
    });
  }
}
