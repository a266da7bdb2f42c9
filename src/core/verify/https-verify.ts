/**
 * Verification over the network, for boards without the serial signaling helper (pyDirect
 * upstream's image): signaling goes to the board's own HTTPS endpoint in upstream's
 * `POST /webrtc/offer` shape. Straight after provisioning the board is still restarting and
 * joining Wi-Fi, so the endpoint is polled (`GET /webrtc/status`) until it answers first.
 */
import { SignalingError } from "../signaling/errors";
import { STATUS_PATH } from "../signaling/messages";
import type { SignalingTransport } from "../signaling/transport";
import { verifyDevice, type VerifyEvent, type VerifyOutcome, type VerifyRequest } from "./verify-device";

export interface HttpsVerifyRequest extends Omit<VerifyRequest, "transport" | "shape"> {
  /** How long to wait for the board's HTTPS endpoint to answer at all; default 45 s (reboot, Wi-Fi, server start). */
  readyTimeoutMs?: number;
}

/** How long a server that is up may lack the signaling routes before that counts as the answer. */
const ROUTE_GRACE_MS = 6_000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Resolves once the endpoint answers with anything, or when waiting stops making sense (a
 * certificate that is not the pinned one, a reply that is not JSON, the deadline): the
 * verification that follows then reports what went wrong in its own words.
 */
export async function waitForSignalingEndpoint(
  transport: SignalingTransport,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let routeMissingSince: number | null = null;
  for (;;) {
    if (signal?.aborted) return false;
    try {
      await transport.request("GET", STATUS_PATH, undefined, signal);
      return true;
    } catch (err) {
      const code = err instanceof SignalingError ? err.code : null;
      // Upstream's main.py starts the server before signaling registers its routes: a 404 for a
      // moment is the boot still under way; one that lasts is a board that will never serve them.
      if (code === "no-webrtc-endpoint") routeMissingSince ??= Date.now();
      const routeGrace = routeMissingSince !== null && Date.now() - routeMissingSince < ROUTE_GRACE_MS;
      const retry = code === "unreachable" || code === "timeout" || routeGrace;
      if (!retry || Date.now() >= deadline) return false;
    }
    await sleep(1000, signal);
  }
}

export async function verifyOverHttps(
  transport: SignalingTransport,
  request: HttpsVerifyRequest,
  onEvent?: (e: VerifyEvent) => void,
): Promise<VerifyOutcome> {
  const { readyTimeoutMs, ...verify } = request;
  await waitForSignalingEndpoint(transport, readyTimeoutMs ?? 45_000, request.signal);
  return verifyDevice({ ...verify, transport, shape: "portal-offers" }, onEvent);
}
