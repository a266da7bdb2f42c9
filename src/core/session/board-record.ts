import type { DeviceRecord } from "../registry/device-record";
import type { SessionState } from "./session-types";

/**
 * The registry entry for the board a session just verified (or failed to). Only identifying,
 * non-secret facts; a board re-verified under the same certificate keeps its provisioning time.
 */
export function finishedBoardRecord(
  state: SessionState,
  passed: boolean,
  at: string,
  before: DeviceRecord | undefined,
): DeviceRecord | null {
  const board = state.connect.result;
  const prov = state.provision.result;
  if (!board || !prov) return null;
  const v = state.verify;
  return {
    id: prov.deviceId,
    hostname: prov.hostname,
    chip: board.chip,
    mac: board.mac,
    firmwareVersion: board.firmware?.version ?? state.firmware.result?.version ?? null,
    certFingerprint: prov.certFingerprint,
    certificatePem: prov.certificatePem,
    ...(prov.deviceScripts
      ? { deviceScripts: prov.deviceScripts.kind }
      : before?.deviceScripts
        ? { deviceScripts: before.deviceScripts }
        : {}),
    provisionedAt: before?.certFingerprint === prov.certFingerprint ? before.provisionedAt : at,
    lastVerification: {
      at,
      passed,
      summary: passed ? (v.result?.detail ?? "verified") : (v.error?.message ?? "verification failed"),
    },
  };
}

/** The registry entry after "connect again" to a known board (it also gains the certificate, if it lacked it). */
export function reconnectedBoardRecord(
  record: DeviceRecord,
  verify: SessionState["verify"],
  passed: boolean,
  certificatePem: string,
  at: string,
): DeviceRecord {
  const summary = passed ? (verify.result?.detail ?? "verified") : (verify.error?.message ?? "verification failed");
  return { ...record, certificatePem, lastVerification: { at, passed, summary } };
}
