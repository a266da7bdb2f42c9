/**
 * "What is this board?": chip facts from the ROM, and the app already on flash read back through
 * the flasher stub (partition table, then the app's own description).
 */
import { FlashSession } from "../flash/flash-session";
import { connectWithManualBoot, manualBootGuidance, type ManualBootGuidance } from "../flash/manual-boot";
import { usbConnection } from "../port/usb-connector";
import type { DetectedChip } from "../flash/types";
import {
  APP_DESC_OFFSET,
  ImageError,
  PARTITION_TABLE_OFFSET,
  isAppPartition,
  readAppDescription,
  readPartitionTable,
} from "../image";
import type { SerialPortLike } from "../port/serial-port";
import type { BoardSummary, InstalledFirmware } from "./session-types";

const PARTITION_TABLE_BYTES = 0xc00;
const APP_DESC_BYTES = 256;

export function summarizeChip(chip: DetectedChip, firmware: InstalledFirmware | null): BoardSummary {
  return {
    chip: chip.family,
    description: chip.description,
    mac: chip.mac,
    flashSize: chip.flashSize,
    usbSerialJtag: chip.usbSerialJtag,
    firmware,
    ...(chip.security ? { security: chip.security } : {}),
  };
}

/**
 * Open the bootloader, read chip and installed app, reset back into the app, close. When the reset
 * lines get no answer, `onManualBoot` shows the by-hand way in, and the ROM is polled until it answers.
 */
export async function inspectBoard(
  port: SerialPortLike,
  signal: AbortSignal,
  baudRate?: number,
  onManualBoot?: (guidance: ManualBootGuidance | null) => void,
): Promise<BoardSummary> {
  const connect = (mode: "auto" | "manual") =>
    FlashSession.open(port, {
      signal,
      ...(baudRate ? { baudRate } : {}),
      ...(mode === "manual" ? { resetMode: "no_reset", connectAttempts: 1 } : {}),
    });
  // Guidance needs someone to read it: without a listener (a production line's unattended board)
  // a silent board fails at once, as it did before manual boot existed.
  const { result: session, manual } = onManualBoot
    ? await connectWithManualBoot(connect, {
        signal,
        onGuidance: () => onManualBoot(manualBootGuidance(null, usbConnection(port.getInfo()).connector)),
      })
    : { result: await connect("auto"), manual: false };
  if (manual) onManualBoot?.(null);
  try {
    const firmware = await readInstalledFirmware(session);
    // A blank chip talking through its ROM's USB-OTG device goes back into its loader: a reset into
    // flash would run nothing, and its port would stay off the bus until BOOT and RESET by hand
    // again (ESP-IDF "USB OTG Console", initial upload), so the install after would find no port.
    const otgLoader = usbConnection(port.getInfo(), session.chip.family).device === "usb-otg-rom";
    if (firmware === null && otgLoader) await session.resetIntoLoader();
    else await session.hardReset();
    return summarizeChip(session.chip, firmware);
  } finally {
    await session.close();
  }
}

async function readInstalledFirmware(session: FlashSession): Promise<InstalledFirmware | null> {
  let table;
  try {
    table = readPartitionTable(await session.readFlash(PARTITION_TABLE_OFFSET, PARTITION_TABLE_BYTES), {
      flashSize: session.chip.flashSize,
      layout: false,
    });
  } catch (err) {
    // A blank or foreign flash has no table we can read: that is "no firmware", not a failure.
    if (err instanceof ImageError) return null;
    throw err;
  }
  const app = table.entries.find(isAppPartition);
  if (!app) return null;
  const head = await session.readFlash(app.offset, APP_DESC_OFFSET + APP_DESC_BYTES);
  const desc = readAppDescription(head);
  return desc ? { name: desc.projectName, version: desc.version } : null;
}
