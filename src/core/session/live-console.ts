/**
 * The DataChannel left open after a pass, as the session uses it: a console that runs one line of
 * Python at a time, locked after network signaling until the board's WebREPL password unlocks it.
 */
import type { PeerHandle } from "../signaling/peer";
import type { DeviceChannel, ExecResult } from "../verify/device-channel";

export interface LiveConsole {
  /** How the channel was signaled: "serial" opens the console, "https" needs `unlock`. */
  readonly transport: "serial" | "https";
  readonly locked: boolean;
  readonly isOpen: boolean;
  exec(line: string): Promise<ExecResult>;
  unlock(password: string): Promise<void>;
  /** Called once when the channel goes away (closed here, by the board, or by the network). */
  onClosed(listener: () => void): void;
  close(): void;
}

/** Wraps the verify core's channel and its peer, so closing the console also ends the peer. */
export function liveConsoleFor(
  channel: DeviceChannel,
  peer: PeerHandle | null,
  transport: "serial" | "https",
  locked: boolean,
): LiveConsole {
  let isLocked = locked;
  let closed = false;
  const listeners: (() => void)[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const l of listeners) l();
  };
  channel.channel.onClose(finish);
  return {
    transport,
    get locked() {
      return isLocked;
    },
    get isOpen() {
      return !closed && channel.isOpen;
    },
    exec: (line) => channel.exec(line),
    async unlock(password) {
      await channel.unlock(password);
      isLocked = false;
    },
    onClosed(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
    close() {
      channel.close();
      peer?.close();
      finish();
    },
  };
}
