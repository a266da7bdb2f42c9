/**
 * Following a board from one port to another without starting over: after a reset the portal
 * caused, a board on native USB may leave its port and come back as another USB device (TinyUSB
 * CDC ↔ the ROM's USB-Serial-JTAG), and a build whose console is on the other connector needs that
 * connector's port. Where the browser already granted the new port it is taken by itself; where not,
 * the page shows one button, because asking for a port needs a click.
 */
import type { PortProvider } from "../port/port-provider";
import { waitForGrantedPort } from "../port/port-provider";
import type { SerialPortLike } from "../port/serial-port";
import { matchesFilters, type PortFilter } from "../port/usb-connector";
import { explainRequestPortFailure } from "./environment";

export type PortFollowState =
  /** Waiting for the board to come back on a port this site may already use. */
  | { status: "waiting"; sentence: string }
  /** Not granted yet: the page asks for a click (`PortalSession.pickFollowedPort`). */
  | { status: "needs-click"; sentence: string; problem?: string };

/** How long a granted port has to come back by itself before the page asks for a click. */
export const FOLLOW_AUTO_WAIT_MS = 4000;

export class PortFollower {
  private pending: {
    filters: readonly PortFilter[];
    sentence: string;
    done: (port: SerialPortLike | null) => void;
  } | null = null;

  constructor(
    private readonly provider: PortProvider,
    private readonly onState: (state: PortFollowState | null) => void,
    private readonly autoWaitMs = FOLLOW_AUTO_WAIT_MS,
  ) {}

  get waiting(): boolean {
    return this.pending !== null;
  }

  /** The port the board came back on, or null when the follow was cancelled. */
  async follow(
    filters: readonly PortFilter[],
    exclude: readonly SerialPortLike[],
    sentence: string,
    signal?: AbortSignal,
  ): Promise<SerialPortLike | null> {
    this.onState({ status: "waiting", sentence });
    const found = await waitForGrantedPort(this.provider, { filters, exclude, timeoutMs: this.autoWaitMs, signal });
    if (found || signal?.aborted) {
      this.onState(null);
      return found;
    }
    this.onState({ status: "needs-click", sentence });
    return new Promise<SerialPortLike | null>((resolve) => {
      // A granted device plugged in meanwhile (the cable moved) ends the wait as the click does.
      const off = this.provider.onConnect((p) => {
        if (!exclude.includes(p) && matchesFilters(p.getInfo(), filters)) done(p);
      });
      const onAbort = () => done(null);
      const done = (port: SerialPortLike | null) => {
        off();
        signal?.removeEventListener("abort", onAbort);
        this.pending = null;
        this.onState(null);
        resolve(port);
      };
      signal?.addEventListener("abort", onAbort);
      this.pending = { filters, sentence, done };
    });
  }

  /** The user's click: ask the browser for a port of the kind the board is now. */
  async pick(): Promise<boolean> {
    const pending = this.pending;
    if (!pending) return false;
    try {
      pending.done(await this.provider.request(pending.filters));
      return true;
    } catch (err) {
      this.onState({
        status: "needs-click",
        sentence: pending.sentence,
        problem: explainRequestPortFailure(err).message,
      });
      return false;
    }
  }

  /** Stop following (the user picked another board). */
  cancel(): void {
    this.pending?.done(null);
  }
}
