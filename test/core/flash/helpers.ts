import { syntheticFirmware } from "../../../bench/lib/synthetic-firmware";
import type { FlashEvent, FlashPart } from "../../../src/core/flash";

/** A bootloader, partition table and app for an ESP32-S3-style layout. */
export function threePartImage(seed = 7): FlashPart[] {
  return [
    { name: "bootloader", offset: 0x0, data: syntheticFirmware({ size: 21_000, seed }) },
    { name: "partition-table", offset: 0x8000, data: syntheticFirmware({ size: 3_072, seed: seed + 1 }) },
    { name: "app", offset: 0x10000, data: syntheticFirmware({ size: 300_000, seed: seed + 2 }) },
  ];
}

/** What the whole flash should hold after writing `parts` onto `before`. */
export function expectedFlash(before: Uint8Array, parts: FlashPart[]): Uint8Array {
  const out = before.slice();
  for (const p of parts) out.set(p.data, p.offset);
  return out;
}

export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

export function collect(): { events: FlashEvent[]; onEvent: (e: FlashEvent) => void } {
  const events: FlashEvent[] = [];
  return { events, onEvent: (e) => void events.push(e) };
}

export async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
