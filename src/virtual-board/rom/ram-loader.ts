import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { ChipFamily } from "../types";
import { SHIPPED_STUBS, type ShippedStub } from "./stub-images";

interface Segment {
  start: number;
  bytes: Uint8Array;
  filled: number;
}

/**
 * What MEM_BEGIN / MEM_DATA put into the chip's RAM, kept so that MEM_END can tell what it is about to
 * jump into: the flasher stub built for this chip, or anything else.
 */
export class RamLoader {
  private readonly segments: Segment[] = [];
  private current: Segment | null = null;

  /** MEM_BEGIN: `size` bytes will follow for `offset` (stub_commands.c handle_mem_begin keeps the same two). */
  begin(size: number, offset: number): void {
    this.current = { start: offset, bytes: new Uint8Array(size), filled: 0 };
    this.segments.push(this.current);
  }

  get loading(): boolean {
    return this.current !== null;
  }

  /** MEM_DATA: the block lands after what came before it; false when no MEM_BEGIN announced it. */
  data(block: Uint8Array): boolean {
    const seg = this.current;
    if (!seg) return false;
    const room = seg.bytes.length - seg.filled;
    seg.bytes.set(block.subarray(0, room), seg.filled);
    seg.filled += Math.min(room, block.length);
    return true;
  }

  /** Bytes MEM_BEGIN announced that have not arrived yet (stub_commands.c mem_remaining). */
  get remaining(): number {
    const seg = this.current;
    return seg ? seg.bytes.length - seg.filled : 0;
  }

  end(): void {
    this.current = null;
  }

  /** The stub esptool-js ships whose text and data (by SHA-256) are in RAM, and whose entry is `entry`. */
  identify(entry: number): ShippedStub | null {
    const hashes = this.segments
      .filter((s) => s.filled === s.bytes.length)
      .map((s) => ({ start: s.start, sha: bytesToHex(sha256(s.bytes)) }));
    const loaded = (start: number, sha: string) => hashes.some((h) => h.start === start && h.sha === sha);
    return (
      SHIPPED_STUBS.find(
        (stub) =>
          stub.entry === entry && loaded(stub.textStart, stub.textSha256) && loaded(stub.dataStart, stub.dataSha256),
      ) ?? null
    );
  }
}

/** Whether `stub` is the one built for this chip and silicon revision (major * 100 + minor). */
export function stubFits(stub: ShippedStub | null, chip: ChipFamily, revision: number): boolean {
  if (!stub || stub.chip !== chip) return false;
  return !stub.revisions || (revision >= stub.revisions[0] && revision < stub.revisions[1]);
}
