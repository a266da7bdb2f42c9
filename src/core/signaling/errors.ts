import { PortalError, type RecoveryAction } from "../errors";

export type SignalingErrorCode =
  | "bad-message"
  | "device-refused"
  | "unreachable"
  | "no-webrtc-endpoint"
  | "local-network-denied"
  | "certificate-mismatch"
  | "timeout"
  | "cancelled";

const ACTIONS: Record<SignalingErrorCode, RecoveryAction> = {
  "bad-message": "retry",
  "device-refused": "retry",
  unreachable: "check-wifi",
  "no-webrtc-endpoint": "retry",
  "local-network-denied": "none",
  "certificate-mismatch": "none",
  timeout: "retry",
  cancelled: "none",
};

/** A signaling exchange with the board failed; `code` says which way. */
export class SignalingError extends PortalError {
  declare readonly code: SignalingErrorCode;

  constructor(code: SignalingErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { action: ACTIONS[code], cause: options.cause });
  }
}

/**
 * The board's HTTP server is up but has no such route: ESP-IDF's httpd answers a URI nobody
 * registered with a plain 404 and no CORS headers (upstream httpserver/modhttpserver.c). On an
 * upstream image that means main.py never started signaling: it runs the setup server instead
 * (`setup_mode`), or HTTPS is off (`server.https_enabled`).
 */
export function noWebrtcEndpoint(origin: string, how: string): SignalingError {
  return new SignalingError(
    "no-webrtc-endpoint",
    `The board's server has no WebRTC endpoint: ${origin} ${how}. The board is up, but it is in setup mode (waiting for a WebREPL password) or its HTTPS is off, so it does not serve /webrtc/offer. Provision it again with this portal, which sets the WebREPL password, ends setup mode and turns HTTPS on; then verify again.`,
  );
}
