import { PortalError, type RecoveryAction } from "../errors";

export type ProvisionErrorCode =
  | "invalid-hostname"
  | "hostname-taken"
  | "invalid-validity"
  | "invalid-ip-address"
  | "invalid-ssid"
  | "invalid-password"
  | "invalid-webrepl-password"
  | "device-not-pydirect"
  | "write-failed"
  | "verify-mismatch"
  | "disconnected"
  | "wifi-wrong-password"
  | "wifi-network-not-found"
  | "wifi-timeout"
  | "no-status"
  | "cancelled";

/** Which field of the provisioning form an input error belongs to, so the UI can mark it. */
export type ProvisionField = "hostname" | "ssid" | "password" | "validityDays" | "ipAddress" | "webreplPassword";

const ACTIONS: Partial<Record<ProvisionErrorCode, RecoveryAction>> = {
  "invalid-hostname": "fix-input",
  "hostname-taken": "fix-input",
  "invalid-validity": "fix-input",
  "invalid-ip-address": "fix-input",
  "invalid-ssid": "fix-input",
  "invalid-password": "fix-input",
  "invalid-webrepl-password": "fix-input",
  "device-not-pydirect": "choose-another-firmware",
  "wifi-wrong-password": "check-wifi",
  "wifi-network-not-found": "check-wifi",
  "wifi-timeout": "check-wifi",
  cancelled: "none",
};

export class ProvisionError extends PortalError {
  declare readonly code: ProvisionErrorCode;
  /** Set for input errors: the form field to correct. */
  readonly field?: ProvisionField;
  /** Set for input errors: a stable word for what is wrong ("too-long", "nul-character", …). */
  readonly reason?: string;

  constructor(
    code: ProvisionErrorCode,
    message: string,
    options: { field?: ProvisionField; reason?: string; cause?: unknown; action?: RecoveryAction } = {},
  ) {
    super(code, message, { action: options.action ?? ACTIONS[code] ?? "retry", cause: options.cause });
    if (options.field !== undefined) this.field = options.field;
    if (options.reason !== undefined) this.reason = options.reason;
  }
}
