import type { DeviceRegistry } from "../registry/device-record";
import { ProvisionError } from "./errors";

export const DEFAULT_HOSTNAME_PREFIX = "pyDirect";
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** What the portal reads from a board before provisioning it. */
export interface DeviceIdentity {
  /** "aa:bb:cc:dd:ee:ff", the station MAC. */
  mac: string;
  /** machine.unique_id() as lower-case hex. */
  uniqueId: string;
  /** e.g. "ESP32S3 module with ESP32S3" (os.uname().machine). */
  chip: string;
  /** MicroPython release (os.uname().release). */
  micropythonVersion: string;
  /** pyDirect firmware version, or null when the board does not say. */
  firmwareVersion: string | null;
  /** `wifi.hostname_prefix` from the board's settings (default "pyDirect"). */
  hostnamePrefix: string;
  /** `device.hostname` already set on the board, if any. */
  hostname: string | null;
}

/**
 * pyDirect's hostname pattern with the last three MAC bytes instead of two: a batch of a few
 * hundred boards from one vendor (same OUI, sequential NIC ids) would collide on two bytes.
 */
export function defaultHostname(mac: string, prefix: string = DEFAULT_HOSTNAME_PREFIX): string {
  const hex = mac.replace(/[^0-9a-fA-F]/g, "").toLowerCase();
  if (hex.length !== 12)
    throw new ProvisionError("invalid-hostname", `"${mac}" is not a MAC address.`, {
      field: "hostname",
      reason: "bad-mac",
    });
  return validateHostname(`${prefix}-${hex.slice(6)}`);
}

/** A DNS label: 1–63 letters, digits and hyphens, not starting or ending with a hyphen. */
export function validateHostname(hostname: string): string {
  const fail = (reason: string, message: string) =>
    new ProvisionError("invalid-hostname", message, { field: "hostname", reason });
  if (hostname.length === 0) throw fail("empty", "Enter a hostname for the board.");
  if (hostname.length > 63)
    throw fail("too-long", `The hostname has ${hostname.length} characters; a DNS name part allows at most 63.`);
  if (!/^[A-Za-z0-9-]+$/.test(hostname)) {
    throw fail(
      "bad-character",
      "The hostname may only contain letters, digits and hyphens (no spaces, dots or underscores).",
    );
  }
  if (!DNS_LABEL.test(hostname)) throw fail("hyphen-edge", "The hostname cannot start or end with a hyphen.");
  return hostname;
}

/**
 * Refuse a hostname another board in the registry already uses (names are case-insensitive on
 * the network). The board being re-provisioned may keep its own name.
 */
export async function checkHostnameAvailable(
  registry: DeviceRegistry,
  hostname: string,
  deviceId: string,
): Promise<void> {
  validateHostname(hostname);
  // A shared inventory may hold this board and another under the same name: look at all of them.
  const named = registry.findAllByHostname
    ? await registry.findAllByHostname(hostname)
    : [await registry.findByHostname(hostname)];
  const other = named.find((r) => r && r.id !== deviceId);
  if (other) {
    throw new ProvisionError(
      "hostname-taken",
      `Another board in the device list (${other.mac}, possibly from another station) is already called ${other.hostname}; choose a different hostname.`,
      { field: "hostname", reason: "taken" },
    );
  }
}
