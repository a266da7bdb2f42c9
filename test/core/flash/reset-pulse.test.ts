import { describe, expect, it } from "vitest";
import { FlashSession } from "../../../src/core/flash";
import { EN_LOW_MS } from "../../../src/core/flash/reset-pulse";
import { USB_BRIDGES, VirtualBoard, type ChipFamily } from "../../../src/virtual-board";
import { SIMULATED_CHIPS } from "../../../src/virtual-board/chips";
import { waitUntil } from "./helpers";

/** The lines the host drove, with when: EN is low while RTS alone is asserted, IO0 while DTR alone is. */
function recordLines(board: VirtualBoard): Array<{ t: number; en: boolean; io0: boolean }> {
  const log: Array<{ t: number; en: boolean; io0: boolean }> = [];
  const signals = board.signals.bind(board);
  board.signals = (dtr, rts, from) => {
    log.push({ t: performance.now(), en: !(rts && !dtr), io0: !(dtr && !rts) });
    signals(dtr, rts, from);
  };
  return log;
}

/** Each stretch of EN low, as [start, end] times. */
function enLowPulses(log: Array<{ t: number; en: boolean }>): Array<[number, number]> {
  const pulses: Array<[number, number]> = [];
  let since: number | null = null;
  for (const { t, en } of log) {
    if (!en && since === null) since = t;
    if (en && since !== null) {
      pulses.push([since, t]);
      since = null;
    }
  }
  return pulses;
}

const UART_CHIPS: readonly ChipFamily[] = SIMULATED_CHIPS;

/** Connect, check the chip, hard-reset, and wait for the board to leave its loader for its firmware. */
async function connectsAndResetsIntoFirmware(board: VirtualBoard, chip: ChipFamily): Promise<void> {
  const session = await FlashSession.connect(board.port);
  try {
    expect(session.chip.family).toBe(chip);
    await session.hardReset();
  } finally {
    await session.close();
  }
  await waitUntil(() => board.mode === "app" || board.mode === "boot-failed");
}

describe("resets through the auto-reset circuit", () => {
  for (const chip of UART_CHIPS) {
    for (const bridge of Object.values(USB_BRIDGES)) {
      it(`connects to an ${chip} behind a ${bridge.name}, and resets it into its firmware`, () =>
        connectsAndResetsIntoFirmware(new VirtualBoard({ chip, bridge }), chip));
    }
  }

  for (const chip of ["ESP32-S3", "ESP32-C3", "ESP32-P4"] as const) {
    it(`connects to an ${chip} over its USB-Serial-JTAG, and resets it into its firmware`, () =>
      connectsAndResetsIntoFirmware(new VirtualBoard({ chip, usbSerialJtag: true }), chip));
  }

  it("holds EN low for the data sheet's 50 µs many times over, and IO0 low for esptool's 50 ms after EN rises", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", paced: true });
    const log = recordLines(board);
    const session = await FlashSession.connect(board.port);
    await session.hardReset();
    await session.close();
    const pulses = enLowPulses(log);
    // One pulse into the loader, one out of it.
    expect(pulses).toHaveLength(2);
    for (const [start, end] of pulses) {
      expect(end - start).toBeGreaterThanOrEqual(EN_LOW_MS - 1);
      expect(EN_LOW_MS).toBeGreaterThanOrEqual(100 * 0.05); // 100 × tRST (50 µs)
    }
    // Into the loader: IO0 stays low from EN's release for esptool's 50 ms.
    const release = pulses[0][1];
    const io0Up = log.find((l) => l.t >= release && l.io0);
    expect(io0Up && io0Up.t - release).toBeGreaterThanOrEqual(49);
  });
});
