/**
 * How "connect again" reaches a board that was verified before: over HTTPS to the board's own
 * endpoint (needs the one-time certificate trust step in a browser), or, for the in-page virtual
 * board, through its serial link: read back there, then verified the way it always is (over serial
 * for boards with the serial signaling helper; over HTTPS on the page's simulated network for
 * upstream pyDirect's image, which has none).
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
  /** The board is verified over its own HTTPS endpoint (no serial signaling helper). */
  overNetwork?: boolean;
}

export const VIRTUAL_BOARD_NO_NETWORK =
  "The virtual board lives inside this page and has no network address a browser could open, so connecting again goes over its serial link instead of HTTPS.";

/**
 * Why "connect again" to the in-page upstream board starts on its serial link, and where it then
 * reaches the board. The serial read gives its certificate, not its address (which may change as
 * it rejoins), so the board is reached at the name its mDNS responder answers for: MicroPython's
 * esp32 port runs one for `network.hostname()` once the station has an address.
 */
export function virtualBoardOnPageNetwork(url: string): string {
  return `The virtual board lives inside this page, on the page's simulated network: connecting again reads its certificate back over its serial link (not its address), restarts it into its app, then reaches it over HTTPS at ${url}, the name its mDNS responder answers for once it is back on Wi-Fi.`;
}

/**
 * Async for its callers' sake (it once loaded the verify core; the URL now comes from a small
 * module, so "connect again" from the device list does not load x509 before reflect-metadata).
 */
export async function connectAgainRoute(
  record: Pick<DeviceRecord, "hostname" | "certFingerprint" | "deviceScripts">,
  context: RouteContext,
): Promise<ConnectAgainRoute> {
  const url = deviceUrl(record, context.boardIp);
  const overNetwork = context.overNetwork ?? record.deviceScripts === "pydirect-upstream";
  if (context.virtualPort && overNetwork) {
    // Read back over serial first (the address is not read there): the board's mDNS name.
    const named = deviceUrl(record);
    return { kind: "serial", url: named, reason: virtualBoardOnPageNetwork(named) };
  }
  if (context.virtualPort) return { kind: "serial", url, reason: VIRTUAL_BOARD_NO_NETWORK };
  return { kind: "https", url, trust: certificateTrustStep(record, url) };
}

/** The hand-off facts for a board that just passed: its URL and how "connect again" will reach it. */
export async function handoffFor(
  prov: Pick<ProvisionSummary, "deviceId" | "hostname" | "certFingerprint" | "address" | "deviceScripts">,
  virtual: boolean,
): Promise<HandoffBase> {
  const route = await connectAgainRoute(
    { hostname: prov.hostname, certFingerprint: prov.certFingerprint },
    {
      virtualPort: virtual,
      boardIp: prov.address,
      overNetwork: prov.deviceScripts?.serialSignaling === false,
    },
  );
  return {
    deviceId: prov.deviceId,
    hostname: prov.hostname,
    deviceUrl: route.url,
    serialReason: route.kind === "serial" ? route.reason : null,
    trust: route.kind === "https" ? route.trust : null,
    localNetwork: route.kind === "https" ? await localNetworkPermission(route.url) : "unsupported",
  };
}
