/**
 * What werift's RTCPeerConnection and the browser's do alike: the offer/answer calls and the state
 * listeners. Both PeerHandle backends extend this, so the description logic exists once.
 */
import { waitForGatheringBy, type PeerStates } from "./peer";

interface SessionDescriptionLike {
  type?: "offer" | "answer" | "pranswer" | "rollback";
  sdp?: string;
}

/** The slice of an RTCPeerConnection (either stack) that offer/answer needs. */
export interface DescriptionConnection {
  createOffer(): Promise<SessionDescriptionLike>;
  createAnswer(): Promise<SessionDescriptionLike>;
  setLocalDescription(description: SessionDescriptionLike): Promise<unknown>;
  setRemoteDescription(description: { type: "offer" | "answer"; sdp: string }): Promise<unknown>;
  readonly localDescription: { sdp: string } | null | undefined;
  readonly remoteDescription: { sdp: string } | null | undefined;
}

export abstract class PeerBase<Connection extends DescriptionConnection> {
  private readonly stateListeners: Array<(s: PeerStates) => void> = [];

  protected constructor(protected readonly pc: Connection) {}

  abstract states(): PeerStates;

  onStateChange(listener: (states: PeerStates) => void): void {
    this.stateListeners.push(listener);
  }

  /** Subclasses call this from every state event their stack fires. */
  protected notifyStates(): void {
    const s = this.states();
    for (const l of this.stateListeners) l(s);
  }

  /** Both stacks report gathering changes among their state events, so those are enough to watch. */
  waitForGathering(timeoutMs: number): Promise<boolean> {
    return waitForGatheringBy(
      () => this.states(),
      (l) => this.onStateChange(() => l()),
      timeoutMs,
    );
  }

  private localDescriptionSdp(): string {
    const description = this.pc.localDescription;
    if (!description) throw new Error("setLocalDescription left no local description");
    return description.sdp;
  }

  async createOffer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.localDescriptionSdp();
  }
  async createAnswer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return this.localDescriptionSdp();
  }
  async setRemoteDescription(type: "offer" | "answer", sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type, sdp });
  }
  localSdp(): string | null {
    return this.pc.localDescription?.sdp ?? null;
  }
  remoteSdp(): string | null {
    return this.pc.remoteDescription?.sdp ?? null;
  }
}
