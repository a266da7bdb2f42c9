/**
 * Faults a test injects into the host → board direction of the link, each at a byte offset of
 * the host's writes: a corrupted or dropped byte, the cable pulled or the chip reset mid-write,
 * the bridge's highest rate dropping.
 */
import type { LinkFaults } from "./types";

/** What becomes of one write from the host once the faults have had their say. */
export type FaultedWrite =
  | { kind: "send"; data: Uint8Array }
  /** Only `keep` reaches the board, then the cable is pulled or the chip resets. */
  | { kind: "disconnect" | "reset"; keep: Uint8Array };

export class LinkFaultInjector {
  private hostBytes = 0;

  constructor(private faults: LinkFaults = {}) {}

  inject(faults: LinkFaults): void {
    this.faults = faults;
    this.hostBytes = 0;
  }

  /** Apply the faults that fall within this write; `lowerMaxBaud` hears a bridge limit dropping. */
  apply(bytes: Uint8Array, lowerMaxBaud: (maxBaud: number) => void): FaultedWrite {
    let data = bytes;
    const f = this.faults;
    const start = this.hostBytes;
    const end = start + bytes.length;
    this.hostBytes = end;
    const within = (at: number | undefined): at is number => at !== undefined && at >= start && at < end;
    if (f.bridgeMaxBaudAfterBytes && within(f.bridgeMaxBaudAfterBytes.bytes)) {
      lowerMaxBaud(f.bridgeMaxBaudAfterBytes.maxBaud);
      f.bridgeMaxBaudAfterBytes = undefined;
    }
    if (within(f.disconnectAfterBytes)) {
      const keep = data.subarray(0, f.disconnectAfterBytes - start);
      f.disconnectAfterBytes = undefined;
      return { kind: "disconnect", keep };
    }
    if (within(f.resetAfterBytes)) {
      const keep = data.subarray(0, f.resetAfterBytes - start);
      f.resetAfterBytes = undefined;
      return { kind: "reset", keep };
    }
    if (within(f.corruptByteAt)) {
      data = data.slice();
      data[f.corruptByteAt - start] ^= 0x10;
      f.corruptByteAt = undefined;
    }
    if (within(f.dropByteAt)) {
      const i = f.dropByteAt - start;
      data = new Uint8Array([...data.subarray(0, i), ...data.subarray(i + 1)]);
      f.dropByteAt = undefined;
    }
    return { kind: "send", data };
  }
}
