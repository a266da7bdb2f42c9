/**
 * Starting the app runtime once a valid app has booted: the runtime gets the console, the flash
 * and a signal that aborts when the app stops (reset, power off, unplug), and may restart the
 * chip as esp_restart() does.
 */
import type { ResetCause } from "./boot";
import type { AppContext, AppRuntime, AppRuntimeFactory } from "./types";

/** What the running app reaches of the board. */
export interface AppBoard {
  sendToHost(bytes: Uint8Array): void;
  print(text: string): void;
  reset(into: "normal", cause: ResetCause): void;
}

/** How the board keeps hold of the app it launched. */
export interface AppHooks {
  /** Aborting `abort` stops the app (before or after its runtime started). */
  launched(abort: AbortController): void;
  /** The runtime started: the board feeds it input and stops it when the app stops. */
  started(runtime: AppRuntime): void;
}

/** Start the app's runtime. */
export function launchApp(
  factory: AppRuntimeFactory,
  app: Pick<AppContext, "board" | "flash" | "app" | "resetCause">,
  board: AppBoard,
  hooks: AppHooks,
): void {
  const abort = new AbortController();
  hooks.launched(abort);
  const ctx: AppContext = {
    ...app,
    write: (bytes: Uint8Array) => {
      if (!abort.signal.aborted) board.sendToHost(bytes);
    },
    signal: abort.signal,
    restart: () => {
      // On its own turn: the app is still inside the call that asked for it.
      if (!abort.signal.aborted) setTimeout(() => !abort.signal.aborted && board.reset("normal", "software"), 0);
    },
  };
  Promise.resolve(factory(ctx)).then(
    (runtime) => {
      if (abort.signal.aborted) void runtime.stop();
      else hooks.started(runtime);
    },
    (err: unknown) => {
      if (!abort.signal.aborted) board.print(`\r\nvirtual board: app failed to start: ${String(err)}\r\n`);
    },
  );
}
