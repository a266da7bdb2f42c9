/** The session's starting state and the pieces of it that steps reset to. */
import { SessionError } from "./session-errors";
import type { FirmwareSource, SessionState, StepState } from "./session-types";

export function idle<R>(): StepState<R> {
  return { status: "idle", phase: "", error: null, result: null };
}

export function idleVerify(): SessionState["verify"] {
  return { ...idle(), trust: null };
}

export function initialState(
  sources: FirmwareSource[],
  selected: string | null = sources[0]?.id ?? null,
): SessionState {
  return {
    step: "connect",
    port: null,
    connect: idle(),
    firmware: { ...idle(), sources, selected, choices: [], releases: null, includeBeta: false, local: null },
    erase: null,
    flash: { ...idle(), parts: [] },
    provision: { ...idle(), wifi: null },
    verify: idleVerify(),
    boardsDone: 0,
    productionLine: false,
    handoff: null,
    terminal: { status: "closed", repl: false, error: null },
    wifiSetup: initialWifiSetup(),
    wifiChange: null,
  };
}

export function initialWifiSetup(): SessionState["wifiSetup"] {
  return { choice: null, status: "idle", phase: "", networks: null, scanError: null, improvResult: null, error: null };
}

export function unpluggedError(): SessionError {
  return new SessionError("board-unplugged", "The board was unplugged. Plug it back in and pick its port again.", {
    action: "pick-another-port",
  });
}
