/**
 * The portal session's side of following a board across ports (port-follow.ts): which ports to
 * follow to, when a lost port means "it re-enumerated" rather than "it was unplugged", and retrying
 * the job that was cut off on the port the board came back on.
 */
import type { ChipFamily } from "../image/chips";
import type { PortProvider } from "../port/port-provider";
import type { SerialPortLike } from "../port/serial-port";
import { ESPRESSIF_VID, consolePlan, usbConnection, type ConsolePlan, type PortFilter } from "../port/usb-connector";
import { PortFollower, FOLLOW_AUTO_WAIT_MS } from "./port-follow";
import type { SessionLog } from "./session-log";
import type { FirmwareOffer, SessionState } from "./session-types";

export interface FollowHost {
  log: SessionLog;
  port(): SerialPortLike | null;
  /** Use this port from now on, keeping every step's state. */
  adopt(port: SerialPortLike): void;
  /** Let go of the current port without calling it an unplug. */
  release(): void;
  update(patch: Partial<SessionState>): void;
}

const REAPPEARS =
  "The board restarted as another USB device on the same connector; the portal carries on as soon as it is back.";

/** A job that was cut off by the board leaving its port is run again on the new one, at most this often. */
const MAX_FOLLOWS_PER_JOB = 2;

export class FollowController {
  private readonly follower: PortFollower | null;
  private following: Promise<SerialPortLike | null> | null = null;
  private expected: { filters: readonly PortFilter[]; sentence: string } | null = null;

  constructor(
    private readonly host: FollowHost,
    provider: PortProvider | undefined,
    waitMs = FOLLOW_AUTO_WAIT_MS,
  ) {
    this.follower = provider ? new PortFollower(provider, (portFollow) => host.update({ portFollow }), waitMs) : null;
  }

  /** Where the offer's console will be for this board on this port. */
  plan(port: SerialPortLike, chip: ChipFamily, offer: FirmwareOffer): ConsolePlan {
    return consolePlan(port.getInfo(), offer.consoleByChip?.[chip], chip);
  }

  /** Before installing: the board will leave this port for one matching the plan. */
  expect(plan: ConsolePlan): void {
    this.expected = plan.kind === "same-port" ? null : { filters: plan.filters, sentence: plan.sentence };
  }

  /**
   * The held port went away. With a port provider, a native-USB port (or one the plan said would
   * go) is followed instead of being reported as an unplug; false: treat it as an unplug.
   */
  portLeft(lost: SerialPortLike): boolean {
    if (!this.follower) return false;
    if (!this.expected && usbConnection(lost.getInfo()).connector !== "native") return false;
    const target = this.expected ?? { filters: [{ usbVendorId: ESPRESSIF_VID }], sentence: REAPPEARS };
    this.expected = null;
    this.host.release();
    this.host.log.portal("The board left its port after a reset; waiting for it on its next port.");
    this.start(target.filters, [lost], target.sentence);
    return true;
  }

  /** After an install whose console is on the other connector: go there even if this port stays. */
  moveNow(plan: ConsolePlan): void {
    const port = this.host.port();
    if (!this.follower || plan.kind !== "other-connector" || !port || this.following) return;
    this.expected = null;
    this.host.release();
    this.start(plan.filters, [port], plan.sentence);
  }

  /** Resolves once any follow in progress has ended (with the new port adopted, or not). */
  async settled(): Promise<void> {
    await this.following;
  }

  /** Run `job` on the port; when the board left that port mid-job, run it again where it came back. */
  async retry<R>(port: SerialPortLike, job: (port: SerialPortLike) => Promise<R>): Promise<R> {
    for (let follows = 0; ; follows++) {
      try {
        return await job(port);
      } catch (err) {
        // The port's "disconnect" listeners have run by now: a follow has started if it applies.
        // Or it has already ended: the board is on another port than the one the job was given.
        const held = this.host.port();
        const moved = held !== null && held !== port ? held : null;
        const next = follows >= MAX_FOLLOWS_PER_JOB ? null : this.following ? await this.following : moved;
        if (!next) throw err;
        this.host.log.portal("Carrying on where the board came back.");
        port = next;
      }
    }
  }

  /**
   * Where the board is now that `lost` went away in the middle of a job that keeps going (the Wi-Fi
   * report after provisioning's restart): the port a follow ends on, or null when it is not followed.
   */
  async whereNext(lost: SerialPortLike): Promise<SerialPortLike | null> {
    // The job may see its stream end before the port's "disconnect" listeners start the follow.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (this.following) return this.following;
    const held = this.host.port();
    return held !== null && held !== lost ? held : null;
  }

  /**
   * Wait for a port matching `filters` that is not one of `exclude` (granted ones by themselves,
   * else the user's click), saying `sentence` meanwhile; null without a port provider or on abort.
   */
  async awaitPort(
    filters: readonly PortFilter[],
    exclude: readonly SerialPortLike[],
    sentence: string,
    signal?: AbortSignal,
  ): Promise<SerialPortLike | null> {
    return this.follower ? this.follower.follow(filters, exclude, sentence, signal) : null;
  }

  /** The user's click on "pick the port". */
  pick(): Promise<boolean> {
    return this.follower?.pick() ?? Promise.resolve(false);
  }

  cancel(): void {
    this.expected = null;
    this.follower?.cancel();
  }

  private start(filters: readonly PortFilter[], exclude: SerialPortLike[], sentence: string): void {
    const follower = this.follower;
    if (!follower) return;
    const following = follower.follow(filters, exclude, sentence).then((port) => {
      if (this.following === following) this.following = null;
      if (port) this.host.adopt(port);
      return port;
    });
    this.following = following;
  }
}
