/**
 * How "connect again" reaches a board that was verified before: over HTTPS to the board's own
 * endpoint (needs the one-time certificate trust step in a browser), or, for the in-page virtual
 * board, which has no network the page can reach, over its serial link.
 */
import type { DeviceRecord } from "../registry/device-record";
import type { HandoffBase } from "./live-console-session";
import type { ProvisionSummary } from "./session-types";
import { deviceUrl } from "../verify/device-url";
import { localNetworkPermission } from "../signaling/local-network-access";
import { certificateTrustStep, type CertificateTrustStep } from "../signaling/transport";

export type ConnectAgainRoute =
  { kind: "https"; url: string; trust: CertificateTrustStep } | { kind: "serial"; url: string; reason: string };

export interface RouteContext {
  /** The port the session holds now is the in-page virtual board. */
  virtualPort: boolean;
  /** The board's IP when it reported one (straight after provisioning); else its mDNS name is used. */
  boardIp?: string | null;
}

export const VIRTUAL_BOARD_NO_NETWORK =
  "The virtual board lives inside this page and has no network address a browser could open, so connecting again goes over its serial link instead of HTTPS.";

/**
 * Async for its callers' sake (it once loaded the verify core; the URL now comes from a small
 * module, so "connect again" from the device list does not load x509 before reflect-metadata).
 */
export async function connectAgainRoute(
  record: Pick<DeviceRecord, "hostname" | "certFingerprint">,
  context: RouteContext,
): Promise<ConnectAgainRoute> {
  const url = deviceUrl(record, context.boardIp);
  if (context.virtualPort) return { kind: "serial", url, reason: VIRTUAL_BOARD_NO_NETWORK };
  return { kind: "https", url, trust: certificateTrustStep(record, url) };
}

/** The hand-off facts for a board that just passed: its URL and how "connect again" will reach it. */
export async function handoffFor(
  prov: Pick<ProvisionSummary, "deviceId" | "hostname" | "certFingerprint" | "address">,
  virtual: boolean,
): Promise<HandoffBase> {
  const route = await connectAgainRoute(prov, { virtualPort: virtual, boardIp: prov.address });
  return {
    deviceId: prov.deviceId,
    hostname: prov.hostname,
    deviceUrl: route.url,
    serialReason: route.kind === "serial" ? route.reason : null,
    trust: route.kind === "https" ? route.trust : null,
    localNetwork: route.kind === "https" ? await localNetworkPermission(route.url) : "unsupported",
  };
}
