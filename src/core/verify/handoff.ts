/**
 * After a pass: the device record gets its verification, the user gets the board's URL, and
 * "connect again" opens a new DataChannel later over HTTPS signaling to the board itself.
 */
import type { DeviceRecord } from "../registry/device-record";
import type { SignalingShape } from "../signaling/negotiate";
import type { PeerBackend } from "../signaling/peer";
import type { SignalingTransport } from "../signaling/transport";
import { summarizeReport, type VerifyReport } from "./report";
import { verifyDevice, type VerifyEvent, type VerifyOutcome } from "./verify-device";

/** A copy of `record` carrying this verification (and the version the board reported). */
export function recordVerification(record: DeviceRecord, report: VerifyReport): DeviceRecord {
  return {
    ...record,
    firmwareVersion: report.firmware?.version ?? record.firmwareVersion,
    lastVerification: { at: report.at, passed: report.passed, summary: summarizeReport(report) },
  };
}

export { deviceUrl } from "./device-url";

export interface ConnectAgainOptions {
  /** HTTPS transport to the board: pinned in Node (https-pinned-node.ts), fetch in a browser. */
  transport: SignalingTransport;
  backend: PeerBackend;
  /** The certificate the portal provisioned (PEM); the record's fingerprint must match it. */
  certificatePem: string;
  shape?: SignalingShape;
  echoCount?: number;
  /** "none" for firmware without the verification protocol (pyDirect upstream): no channel is kept. */
  channelProtocol?: "pydirect" | "none";
  signal?: AbortSignal;
}

/**
 * Open a DataChannel to an already provisioned board and re-check its identity and key, leaving the
 * channel open for the live console. The outcome's `channel` is null when the check failed; the
 * report says why.
 */
export function connectAgain(
  record: DeviceRecord,
  options: ConnectAgainOptions,
  onEvent?: (e: VerifyEvent) => void,
): Promise<VerifyOutcome> {
  return verifyDevice(
    {
      transport: options.transport,
      backend: options.backend,
      shape: options.shape,
      certificatePem: options.certificatePem,
      expect: { hostname: record.hostname },
      echoCount: options.echoCount ?? 3,
      ...(options.channelProtocol ? { channelProtocol: options.channelProtocol } : {}),
      keepOpen: options.channelProtocol !== "none",
      signal: options.signal,
    },
    onEvent,
  );
}
