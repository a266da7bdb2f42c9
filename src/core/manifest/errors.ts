import { PortalError } from "../errors";
import type { ManifestIssue } from "./types";

export type ManifestErrorCode =
  "manifest-not-json" | "manifest-invalid" | "manifest-fetch-failed" | "manifest-no-build" | "manifest-no-firmware";

export class ManifestError extends PortalError {
  declare readonly code: ManifestErrorCode;
  readonly issues: ManifestIssue[];

  constructor(code: ManifestErrorCode, message: string, options: { issues?: ManifestIssue[]; cause?: unknown } = {}) {
    super(code, message, {
      action: code === "manifest-fetch-failed" ? "retry" : "choose-another-firmware",
      cause: options.cause,
    });
    this.issues = options.issues ?? [];
  }
}
