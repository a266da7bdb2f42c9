import type { NegotiationRecord, SignalingShape } from "../signaling/negotiate";
import type { PeerStates } from "../signaling/peer";
import type { KeyProof } from "./proof";

/** `repl`: WebREPL (WBP) login and one expression, on boards whose channel speaks upstream's protocol. */
export type VerifyStep = "signaling" | "channel-open" | "identity" | "echo" | "repl" | "key";

export interface VerifyCheck {
  step: VerifyStep;
  passed: boolean;
  /** One sentence: what was seen, or what went wrong and what to do. */
  detail: string;
  /** On some failures: a stable word for what went wrong (`wrong-password`, …). */
  code?: string;
}

export interface RttFigures {
  count: number;
  medianMs: number;
  worstMs: number;
  samplesMs: number[];
}

/** Everything a user (or support) needs to see why a verification failed. Holds no secret. */
export interface VerifyDiagnostics {
  transport: "serial" | "https";
  endpoint: string;
  shape: SignalingShape;
  /** From the board's Wi-Fi status line, when the caller knew it. */
  boardIp: string | null;
  portalCandidates: string[];
  deviceCandidates: string[];
  /** Last states seen. */
  states: PeerStates | null;
  /** Every distinct value each state passed through, in order. */
  statesReached: { ice: string[]; dtls: string[]; connection: string[] };
  deviceFingerprint: string | null;
  certificateFingerprint: string;
  /** The step that did not complete, null on a pass. */
  stalledAt: VerifyStep | null;
}

export interface VerifyReport {
  passed: boolean;
  checks: VerifyCheck[];
  /** Signaling start to DataChannel open. */
  openMs: number | null;
  rtt: RttFigures | null;
  firmware: { version: string; hostname: string } | null;
  proof: KeyProof | null;
  /** The live console: "open" after serial signaling, "locked" until `DeviceChannel.unlock()`. */
  console: "open" | "locked" | null;
  negotiation: NegotiationRecord | null;
  diagnostics: VerifyDiagnostics;
  at: string;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const PROOF_NAMES: Record<KeyProof, string> = {
  "dtls-certificate": "DTLS certificate",
  "nonce-signature": "signed nonce",
  "https-certificate": "pinned HTTPS certificate",
  "trusted-https-certificate": "the HTTPS certificate you trusted",
};

/** One line for the device record and the session log. */
export function summarizeReport(report: VerifyReport): string {
  if (report.passed) {
    const rtt = report.rtt ? `, RTT median ${report.rtt.medianMs.toFixed(1)} ms` : "";
    const proof = PROOF_NAMES[report.proof ?? "nonce-signature"];
    if (report.checks.some((c) => c.step === "repl" && c.passed)) {
      const ms = report.rtt ? ` (round trip ${report.rtt.medianMs.toFixed(1)} ms)` : "";
      return `REPL over WebRTC works${ms}: verified over WebRTC with a WebREPL login (${report.diagnostics.transport} signaling, key proven by ${proof})`;
    }
    return `verified over WebRTC (${report.diagnostics.transport} signaling${rtt}, key proven by ${proof})`;
  }
  const failed = report.checks.find((c) => !c.passed);
  return failed ? `failed at ${failed.step}: ${failed.detail}` : "failed";
}
