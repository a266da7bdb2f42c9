import { PortalError, type RecoveryAction } from "../errors";
import type { WrongFileCode } from "../image/wrong-file";

/**
 * Why a firmware source could not give firmware. Codes are stable: the UI and tests switch on them.
 *
 * rate-limited        the GitHub API refused more requests for now (403/429 with the rate-limit headers)
 * offline             the browser is offline / the network is unreachable
 * no-cors-mirror      the release exists, but no copy of the image is served with CORS headers
 * not-found           the repository, release, index or manifest does not exist (404)
 * source-failed       the server answered with another error status, or with something unreadable
 * html-not-manifest   the address answers with a web page, not a manifest
 * manifest-cors       the manifest could not be fetched: network failure or no CORS headers
 * manifest-insecure   the manifest's address is plain http:// on another site, which the page's policy blocks
 * unrecognised-file   a local file is none of: manifest, merged image, bootloader, partition table, app
 * conflicting-files   local files contradict each other (two bootloaders, two chips)
 * missing-part        a local manifest names a part file that was not given
 * zip-bomb            a ZIP whose entries would unpack beyond the portal's limits (or beyond their own declared sizes)
 * zip-unsafe-path     a ZIP entry named with "..", an absolute path or a drive letter
 * zip-unsupported     a ZIP that is encrypted, ZIP64, or uses a compression other than stored/deflate
 * zip-damaged         a ZIP whose directory or data does not read back (CRC, truncation)
 * elf-file, uf2-file, …  a file picked by mistake, named as what it is (image/wrong-file.ts)
 */
export type FirmwareSourceErrorCode =
  | "rate-limited"
  | "offline"
  | "no-cors-mirror"
  | "not-found"
  | "source-failed"
  | "html-not-manifest"
  | "manifest-cors"
  | "manifest-insecure"
  | "unrecognised-file"
  | "conflicting-files"
  | "missing-part"
  | "zip-bomb"
  | "zip-unsafe-path"
  | "zip-unsupported"
  | "zip-damaged"
  | WrongFileCode;

const ACTIONS: Record<FirmwareSourceErrorCode, RecoveryAction> = {
  "rate-limited": "retry",
  offline: "retry",
  "no-cors-mirror": "choose-another-firmware",
  "not-found": "fix-input",
  "source-failed": "retry",
  "html-not-manifest": "fix-input",
  "manifest-cors": "fix-input",
  "manifest-insecure": "fix-input",
  "unrecognised-file": "fix-input",
  "conflicting-files": "fix-input",
  "missing-part": "fix-input",
  "zip-bomb": "choose-another-firmware",
  "zip-unsafe-path": "choose-another-firmware",
  "zip-unsupported": "fix-input",
  "zip-damaged": "choose-another-firmware",
  "elf-file": "fix-input",
  "uf2-file": "fix-input",
  "zip-file": "fix-input",
  "archive-file": "fix-input",
  "intel-hex-file": "fix-input",
  "html-file": "fix-input",
  "json-not-manifest": "fix-input",
  "partition-csv": "fix-input",
  "linker-map": "fix-input",
  "python-file": "fix-input",
  "mpy-file": "fix-input",
  "text-file": "fix-input",
  "nvs-image": "fix-input",
  "littlefs-image": "fix-input",
  "spiffs-image": "fix-input",
  "fat-image": "fix-input",
};

export class FirmwareSourceError extends PortalError {
  declare readonly code: FirmwareSourceErrorCode;
  /** rate-limited: when the limit resets (ms since the epoch), when the server said. */
  readonly resetAt: number | null;
  /** no-cors-mirror: the release page where the user can download the .bin by hand. */
  readonly releasePageUrl: string | null;
  /** unrecognised-file / missing-part / conflicting-files: the files concerned. */
  readonly files: string[];

  constructor(
    code: FirmwareSourceErrorCode,
    message: string,
    options: { cause?: unknown; resetAt?: number | null; releasePageUrl?: string | null; files?: string[] } = {},
  ) {
    super(code, message, { action: ACTIONS[code], cause: options.cause });
    this.resetAt = options.resetAt ?? null;
    this.releasePageUrl = options.releasePageUrl ?? null;
    this.files = options.files ?? [];
  }
}
