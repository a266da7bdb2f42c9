import { demoParts, type DemoChip } from "../../../scripts/lib/demo-firmware";
import { VirtualBoard, type VirtualBoardOptions } from "../../../src/virtual-board";

/** A virtual board with the demo pyDirect image in flash, so it boots into `options.app`. */
export async function bootedBoard(options: VirtualBoardOptions & { chip?: DemoChip } = {}): Promise<VirtualBoard> {
  const chip = options.chip ?? "ESP32-S3";
  const board = new VirtualBoard({ ...options, chip });
  // The board boots a couple of ms after construction (EN rising): flash is in place by then.
  for (const part of demoParts(chip)) board.flash.set(part.data, part.offset);
  await board.waitForMode("app", 10_000);
  return board;
}
