import { chipFacts, PARTITION_TABLE_OFFSET } from "./chips";
import type { CheckedPart, ChipContext, FirmwareCheck, PartToCheck } from "./firmware-check-types";
import { ImageError, imageErrorCollector } from "./errors";
import { hex, sha256Hex } from "./bytes";
import { readEspImage, ESP_IMAGE_MAGIC } from "./esp-image";
import { readAppDescription } from "./app-desc";
import { isAppPartition, readPartitionTable, type PartitionTable } from "./partition-table";
import { checkEsp8266Layout } from "./esp8266-firmware";
import { detectImageChip } from "./detect-chip";

export type { PartToCheck, ChipContext, PartKind, CheckedPart, FirmwareCheck } from "./firmware-check-types";

/**
 * Runs every check a part must pass before a byte is written: manifest SHA-256 and size, ESP image
 * structure for the detected chip, partition table, app-fits-partition and offsets. Collects all
 * problems instead of stopping at the first, so the CLI can list them; `assertFirmware` throws.
 */
export function checkFirmware(parts: PartToCheck[], chip: ChipContext): FirmwareCheck {
  const errors: ImageError[] = [];
  const warnings: string[] = [];
  const attempt = imageErrorCollector(errors);
  const facts = chipFacts(chip.family);
  const checked: CheckedPart[] = parts.map((p) => ({
    name: p.name,
    offset: p.offset,
    size: p.data.length,
    sha256: sha256Hex(p.data),
    kind: "data",
  }));

  parts.forEach((p, i) => {
    const c = checked[i];
    if (p.size !== undefined && p.size !== p.data.length) {
      errors.push(
        new ImageError(
          "size-mismatch",
          `${p.name} is ${p.data.length} bytes, but the manifest says ${p.size}; the download is incomplete or the file was replaced.`,
          { part: p.name },
        ),
      );
    }
    if (p.sha256 !== undefined && p.sha256.toLowerCase() !== c.sha256) {
      errors.push(
        new ImageError(
          "sha256-mismatch",
          `${p.name} does not match the SHA-256 in the manifest (expected ${p.sha256.toLowerCase()}, got ${c.sha256}); the file is corrupt or was replaced.`,
          { part: p.name },
        ),
      );
    }
    if (chip.flashSize && p.offset + p.data.length > chip.flashSize) {
      errors.push(
        new ImageError(
          "wrong-offset",
          `${p.name} at ${hex(p.offset)} runs past the end of this board's ${chip.flashSize / 1048576} MB flash.`,
          { part: p.name },
        ),
      );
    }
  });
  const byOffset = [...parts].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1];
    const cur = byOffset[i];
    if (prev.offset + prev.data.length > cur.offset) {
      errors.push(
        new ImageError(
          "wrong-offset",
          `${prev.name} (at ${hex(prev.offset)}, ${prev.data.length} bytes) overlaps ${cur.name} at ${hex(cur.offset)}.`,
          { part: cur.name },
        ),
      );
    }
  }

  // A complete image for another chip: its bootloader sits where that chip's ROM looks, and where
  // this chip's ROM looks there is none. Say so, rather than "no image magic" at our offset.
  const whole = parts.find((p) => p.offset === 0);
  const named = whole ? detectImageChip(whole.data) : null;
  const ownBoot = whole && (chip.family === "ESP8266" ? whole.data[0] : whole.data[facts.bootloaderOffset]);
  if (
    whole &&
    named &&
    named !== chip.family &&
    (named === "ESP8266" || chip.family === "ESP8266" || ownBoot !== ESP_IMAGE_MAGIC)
  ) {
    const where =
      named === "ESP8266"
        ? "an ESP8266 image at 0x0"
        : `its bootloader at ${hex(chipFacts(named).bootloaderOffset)}, where the ${named} ROM looks`;
    errors.push(
      new ImageError(
        "image-wrong-chip",
        `${whole.name} is built for ${named} (${where}), but this board is an ${chip.family}. Pick the firmware build for ${chip.family}.`,
        { part: whole.name },
      ),
    );
    return { parts: checked, errors, warnings };
  }

  if (chip.family === "ESP8266") {
    // ESP8266 builds have their own layouts and image formats (esp8266-firmware.ts).
    const layout = checkEsp8266Layout(parts, checked, chip);
    return { parts: checked, errors: [...errors, ...layout.errors], warnings: layout.warnings };
  }

  /** The bytes from `offset` to the end of whichever part covers it (merged images cover several). */
  const covering = (offset: number): { index: number; bytes: Uint8Array } | null => {
    const index = parts.findIndex((p) => offset >= p.offset && offset < p.offset + p.data.length);
    if (index < 0) return null;
    const p = parts[index];
    return { index, bytes: p.data.subarray(offset - p.offset) };
  };

  // Bootloader: the ROM reads it at one fixed offset per chip. An image starting elsewhere below the
  // table is a bootloader for another chip (ESP32 at 0x1000 vs S3 at 0x0), not a merged image.
  const misplacedBoot = (p: PartToCheck): boolean =>
    p.offset < PARTITION_TABLE_OFFSET && p.offset !== facts.bootloaderOffset && p.data[0] === ESP_IMAGE_MAGIC;
  parts.forEach((p) => {
    if (misplacedBoot(p)) {
      errors.push(
        new ImageError(
          "wrong-offset",
          `${p.name} is a bootloader image at ${hex(p.offset)}, but the ${chip.family} ROM loads its bootloader from ${hex(facts.bootloaderOffset)}. This build is for another chip or its offsets are wrong.`,
          { part: p.name },
        ),
      );
    }
  });
  const boot = covering(facts.bootloaderOffset);
  if (boot && !misplacedBoot(parts[boot.index])) {
    const p = parts[boot.index];
    const c = checked[boot.index];
    c.kind = "bootloader";
    const image = attempt(() =>
      readEspImage(boot.bytes, {
        chip: chip.family,
        chipRevision: chip.revision ?? null,
        flashSize: chip.flashSize ?? null,
        part: p.name,
      }),
    );
    if (image) c.image = image;
  }

  // Partition table at 0x8000 on every chip.
  let table: PartitionTable | undefined;
  const tableBytes = covering(PARTITION_TABLE_OFFSET);
  if (tableBytes) {
    const p = parts[tableBytes.index];
    const c = checked[tableBytes.index];
    if (c.kind === "data") c.kind = "partition-table";
    table = attempt(() =>
      readPartitionTable(tableBytes.bytes.subarray(0, 0x1000), { flashSize: chip.flashSize ?? null, part: p.name }),
    );
    if (table) c.partitionTable = table;
  }
  parts.forEach((p) => {
    if (p.offset !== PARTITION_TABLE_OFFSET && p.data[0] === 0xaa && p.data[1] === 0x50 && p.data.length <= 0x1000) {
      errors.push(
        new ImageError(
          "wrong-offset",
          `${p.name} is a partition table at ${hex(p.offset)}; the bootloader reads it from ${hex(PARTITION_TABLE_OFFSET)}.`,
          { part: p.name },
        ),
      );
    }
  });

  // Apps: every app partition the parts fill, and every image part that should be one.
  const appOffsets = new Set<number>();
  for (const entry of table?.entries.filter(isAppPartition) ?? []) {
    const found = covering(entry.offset);
    if (found && found.bytes[0] === ESP_IMAGE_MAGIC) appOffsets.add(entry.offset);
    else if (found && parts[found.index].offset === entry.offset) {
      const p = parts[found.index];
      errors.push(
        new ImageError(
          "image-bad-magic",
          `${p.name} is written to app partition "${entry.label}" at ${hex(entry.offset)} but is not an ESP app image (first byte ${hex(p.data.at(0) ?? 0, 2)}, expected 0xe9); the bootloader would refuse to boot it.`,
          { part: p.name },
        ),
      );
    }
  }
  parts.forEach((p) => {
    if (p.offset >= PARTITION_TABLE_OFFSET + 0x1000 && p.data[0] === ESP_IMAGE_MAGIC) appOffsets.add(p.offset);
  });
  for (const offset of [...appOffsets].sort((a, b) => a - b)) {
    const found = covering(offset);
    if (!found) continue; // each offset is a part's own, so a part covers it
    const p = parts[found.index];
    const c = checked[found.index];
    const label = p.offset === offset ? p.name : `${p.name} (app at ${hex(offset)})`;
    const partition = table?.entries.find((e) => e.offset === offset);
    if (table && !partition) {
      errors.push(
        new ImageError(
          "wrong-offset",
          `${label} is an app image at ${hex(offset)}, but no partition in the partition table starts there (apps start at ${table.entries
            .filter(isAppPartition)
            .map((e) => hex(e.offset))
            .join(", ")}).`,
          { part: p.name },
        ),
      );
      continue;
    }
    if (partition && !isAppPartition(partition)) {
      errors.push(
        new ImageError(
          "wrong-offset",
          `${label} is an app image, but partition "${partition.label}" at ${hex(offset)} is a data partition.`,
          { part: p.name },
        ),
      );
      continue;
    }
    const image = attempt(() =>
      readEspImage(found.bytes, {
        chip: chip.family,
        chipRevision: chip.revision ?? null,
        flashSize: chip.flashSize ?? null,
        part: label,
      }),
    );
    if (!image) continue;
    if (partition && image.length > partition.size) {
      errors.push(
        new ImageError(
          "app-too-large",
          `${label} is ${image.length} bytes but partition "${partition.label}" holds only ${partition.size}; it would overwrite the next partition. Use a partition table with a larger app partition.`,
          { part: p.name },
        ),
      );
    }
    if (c.kind === "data") {
      c.kind = "app";
      c.image = image;
      if (partition) c.partition = partition;
      const app = readAppDescription(found.bytes);
      if (app) c.app = app;
      else
        warnings.push(`${label} carries no app description (esp_app_desc_t), so its name and version cannot be shown.`);
    } else if (!c.app) {
      // A merged image: the app inside it names the firmware.
      const app = readAppDescription(found.bytes);
      if (app) c.app = app;
    }
  }

  // Data parts must land inside a partition (otadata, a filesystem image), not across two.
  if (table) {
    parts.forEach((p, i) => {
      const c = checked[i];
      if (c.kind !== "data") return;
      const home = table.entries.find((e) => p.offset >= e.offset && p.offset < e.offset + e.size);
      if (!home) {
        warnings.push(`${p.name} at ${hex(p.offset)} lies outside every partition in the table.`);
      } else {
        c.partition = home;
        if (p.offset + p.data.length > home.offset + home.size) {
          errors.push(
            new ImageError(
              "app-too-large",
              `${p.name} (${p.data.length} bytes at ${hex(p.offset)}) does not fit in partition "${home.label}" and would overwrite the next one.`,
              { part: p.name },
            ),
          );
        }
      }
    });
  }
  if (!boot && !parts.some((p) => p.offset >= PARTITION_TABLE_OFFSET))
    warnings.push("No part is written where the bootloader or an app lives.");
  return { parts: checked, errors, warnings };
}

/** checkFirmware, throwing the first problem found. */
export function assertFirmware(parts: PartToCheck[], chip: ChipContext): FirmwareCheck {
  const result = checkFirmware(parts, chip);
  if (result.errors.length > 0) throw result.errors[0];
  return result;
}
