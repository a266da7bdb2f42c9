import { describe, expect, it } from "vitest";
import { LinkDirection } from "../../src/virtual-board/link";

function collector() {
  const received: number[] = [];
  const direction = (bps: number | null) =>
    new LinkDirection((bytes) => {
      for (const b of bytes) received.push(b);
    }, bps);
  return { received, direction };
}

describe("LinkDirection", () => {
  it("delivers paced chunks in wire order, whatever their sizes and the timer rounding", async () => {
    const { received, direction } = collector();
    // 921600 baud: a byte takes ~10.9 µs, so small chunks land within the same millisecond as the
    // tail of a big one — where per-chunk timers used to fire out of order.
    const link = direction(921_600);
    const sent: number[] = [];
    let value = 0;
    for (let round = 0; round < 60; round++) {
      const size = round % 3 === 0 ? 700 + (round % 7) * 13 : 1 + (round % 5);
      const chunk = new Uint8Array(size);
      for (let i = 0; i < size; i++) chunk[i] = value++ & 0xff;
      sent.push(...chunk);
      void link.send(chunk);
      if (round % 4 === 0) await new Promise((r) => setTimeout(r, 0.3));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(received.length).toBe(sent.length);
    expect(received).toEqual(sent);
  });

  it("takes the wire time the baud rate implies", async () => {
    const { received, direction } = collector();
    const link = direction(115_200);
    const started = performance.now();
    void link.send(new Uint8Array(1152)); // 100 ms at 115200 baud, 10 bits a byte
    while (received.length < 1152) await new Promise((r) => setTimeout(r, 5));
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(link.stats.busyMs).toBeCloseTo(100, 0);
  });

  it("drops what is in flight when the link is cut, and carries on afterwards", async () => {
    const { received, direction } = collector();
    const link = direction(115_200);
    void link.send(new Uint8Array(100).fill(1));
    link.cut();
    void link.send(new Uint8Array([7, 8, 9]));
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual([7, 8, 9]);
  });

  it("delivers unpaced bytes on the next turn, in order", async () => {
    const { received, direction } = collector();
    const link = direction(null);
    void link.send(new Uint8Array([1, 2]));
    void link.send(new Uint8Array([3]));
    expect(received).toEqual([]);
    await new Promise((r) => setTimeout(r, 5));
    expect(received).toEqual([1, 2, 3]);
  });
});
