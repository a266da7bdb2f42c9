import { PortalError } from "../errors";

/**
 * Why a firmware part was refused before anything was written. Codes are stable: the UI, the CLI
 * and tests switch on them.
 *
 * image-truncated      the file ends inside its header, a segment, the checksum or the digest
 * image-bad-magic      not an ESP image (first byte not 0xE9) / not a partition table (no 0xAA50)
 * image-bad-header     segment count 0 or > 16, unknown flash mode, frequency or size code
 * image-wrong-chip     the extended header's chip id names another chip than the detected one
 * image-chip-revision  the image needs a newer chip revision than the board has
 * image-checksum       the XOR checksum over segment data does not match
 * image-digest         the appended SHA-256 does not match the image
 * image-flash-size     the header asks for more flash than the board has
 * partition-bad-entry  zero size, unaligned, or past the end of flash
 * partition-md5        the table's MD5 entry does not match its entries
 * partition-overlap    two partitions overlap, or one overlaps the bootloader/table
 * partition-no-app     no app partition to boot
 * app-too-large        an app (or data part) is bigger than the partition it lands in
 * wrong-offset         a bootloader, table or app at an address the chip will not look at,
 *                      parts overlapping each other, or a part past the end of flash
 * sha256-mismatch      the file's SHA-256 differs from the manifest's
 * size-mismatch        the file's size differs from the manifest's
 */
export type ImageErrorCode =
  | "image-truncated"
  | "image-bad-magic"
  | "image-bad-header"
  | "image-wrong-chip"
  | "image-chip-revision"
  | "image-checksum"
  | "image-digest"
  | "image-flash-size"
  | "partition-bad-entry"
  | "partition-md5"
  | "partition-overlap"
  | "partition-no-app"
  | "app-too-large"
  | "wrong-offset"
  | "sha256-mismatch"
  | "size-mismatch";

export class ImageError extends PortalError {
  declare readonly code: ImageErrorCode;
  /** Which part (manifest path or name) the problem is in, when known. */
  part: string | undefined;

  constructor(code: ImageErrorCode, message: string, options: { part?: string; cause?: unknown } = {}) {
    super(code, message, { action: "choose-another-firmware", cause: options.cause });
    this.part = options.part;
  }
}

/**
 * Runs one check at a time, keeping each ImageError in `errors` and going on, so every problem of a
 * firmware is listed at once; any other error is a bug and is thrown.
 */
export function imageErrorCollector(errors: ImageError[]): <T>(fn: () => T) => T | undefined {
  return (fn) => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ImageError) {
        errors.push(err);
        return undefined;
      }
      throw err;
    }
  };
}
