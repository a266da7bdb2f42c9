/**
 * The verification job: open a DataChannel to a freshly provisioned board and check, in order,
 * that it opens in time, that the firmware names itself, that round trips work (median and worst
 * RTT), and that the board holds the provisioned private key. It never reports a pass on failure:
 * every check must have run and passed.
 */
import {
  negotiateDeviceOffers,
  negotiatePortalOffers,
  type Negotiation,
  type SignalingShape,
} from "../signaling/negotiate";
import { fingerprintInSdp, candidatesInSdp } from "../signaling/messages";
import type { ChannelHandle, PeerBackend, PeerHandle, PeerStates } from "../signaling/peer";
import type { SignalingTransport } from "../signaling/transport";
import { DeviceChannel, NONCE_BYTES } from "./device-channel";
import { VerifyError } from "./errors";
import { parseCertificate, sameFingerprint, verifyNonceSignature, type KeyProof } from "./proof";
import { ReplCheckFailure, checkReplOverWbp } from "./wbp-check";
import { median, type VerifyCheck, type VerifyDiagnostics, type VerifyReport, type VerifyStep } from "./report";

export const CHANNEL_LABEL = "pydirect";

export interface VerifyRequest {
  transport: SignalingTransport;
  backend: PeerBackend;
  /** Default "portal-offers" (`/webrtc/offer`); "device-offers" is the module's `/webrtc-signal`. */
  shape?: SignalingShape;
  /** The certificate the portal installed (PEM). */
  certificatePem: string;
  expect?: { hostname?: string; version?: string };
  boardIp?: string | null;
  echoCount?: number;
  /** Signaling start to DataChannel open. Default 20 s. */
  openTimeoutMs?: number;
  /** Each DataChannel call. Default 5 s. */
  callTimeoutMs?: number;
  iceServers?: string[];
  /** Trickle candidates both ways where the board supports it (`device-offers`). Default true. */
  trickle?: boolean;
  /** Leave the DataChannel open after a pass (the live console, "connect again"). */
  keepOpen?: boolean;
  /**
   * What the board speaks on the DataChannel. "pydirect" (default): the verification protocol
   * (hello, echo, prove). "none": firmware whose channel carries something else (pyDirect upstream's
   * WebREPL binary protocol): the channel must open, and the key is proven by the HTTPS certificate
   * signaling went to; firmware identity and round trips are not measured.
   */
  channelProtocol?: "pydirect" | "none" | "wbp";
  /** For "wbp": the WebREPL password to log in with (the one provisioning set). Never stored. */
  webreplPassword?: { reveal(): string } | string;
  signal?: AbortSignal;
}

export type VerifyEvent =
  | { state: "signaling"; transport: "serial" | "https"; shape: SignalingShape }
  | { state: "connecting"; states: PeerStates }
  | { state: "channel-open"; openMs: number }
  | { state: "identified"; version: string; hostname: string }
  | { state: "echo"; index: number; total: number; rttMs: number }
  | { state: "proving"; method: KeyProof }
  | { state: "check"; check: VerifyCheck }
  | { state: "done"; report: VerifyReport };

export interface VerifyOutcome {
  report: VerifyReport;
  /** The open channel after a pass with `keepOpen`; otherwise null. */
  channel: DeviceChannel | null;
  peer: PeerHandle | null;
}

class StepFailure extends Error {
  constructor(
    readonly step: VerifyStep,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export async function verifyDevice(
  request: VerifyRequest,
  onEvent: (e: VerifyEvent) => void = () => {},
): Promise<VerifyOutcome> {
  const certificate = await parseCertificate(request.certificatePem);
  const shape = request.shape ?? "portal-offers";
  const channelProtocol = request.channelProtocol ?? "pydirect";
  const echoCount = request.echoCount ?? 10;
  const callTimeout = request.callTimeoutMs ?? 5_000;
  const checks: VerifyCheck[] = [];
  const portalCandidates: string[] = [];
  const reached = { ice: [] as string[], dtls: [] as string[], connection: [] as string[] };
  const note = (list: string[], value: string) => list[list.length - 1] !== value && list.push(value);
  let negotiation: Negotiation | null = null;
  let openMs: number | null = null;
  let firmware: VerifyReport["firmware"] = null;
  let rtt: VerifyReport["rtt"] = null;
  let proof: KeyProof | null = null;
  let consoleState: VerifyReport["console"] = null;
  let channel: DeviceChannel | null = null;
  let stalledAt: VerifyStep | null = null;

  const pass = (step: VerifyStep, detail: string) => {
    const check = { step, passed: true, detail };
    checks.push(check);
    onEvent({ state: "check", check });
  };

  const peer = request.backend.createPeer({ iceServers: request.iceServers ?? [] });
  peer.onIceCandidate((c) => c && portalCandidates.push(c));
  let finished = false;
  peer.onStateChange((s) => {
    if (finished) return;
    note(reached.ice, s.ice);
    note(reached.dtls, s.dtls);
    note(reached.connection, s.connection);
    onEvent({ state: "connecting", states: s });
  });

  const started = performance.now();
  try {
    if (request.signal?.aborted) throw new VerifyError("cancelled", "Verification was cancelled.");
    onEvent({ state: "signaling", transport: request.transport.kind, shape });
    const channelPromise = openChannel(peer, shape);
    try {
      const options = { signal: request.signal, trickle: request.trickle };
      negotiation =
        shape === "portal-offers"
          ? await negotiatePortalOffers(peer, request.transport, options)
          : await negotiateDeviceOffers(peer, request.transport, options);
    } catch (err) {
      throw new StepFailure("signaling", (err as Error).message);
    }
    pass(
      "signaling",
      `Offer and answer exchanged over ${request.transport.kind === "serial" ? "the serial link" : request.transport.endpoint}.`,
    );

    const openTimeout = request.openTimeoutMs ?? 20_000;
    const remaining = Math.max(0, openTimeout - (performance.now() - started));
    const raw = await withTimeout(channelPromise, remaining, request.signal).catch(() => null);
    if (!raw) {
      const s = peer.states();
      throw new StepFailure(
        "channel-open",
        `The DataChannel did not open within ${openTimeout} ms (ICE ${s.ice}, DTLS ${s.dtls}). ` +
          (s.ice === "checking" || s.ice === "new" || s.ice === "failed"
            ? "No network path was found: check the board joined the same Wi-Fi network as this computer."
            : "The secure handshake did not finish: reset the board and try again."),
      );
    }
    openMs = performance.now() - started;
    // A path exists: candidates still trickling cannot matter any more, and the transport is free.
    await negotiation.stop();
    channel = new DeviceChannel(raw, callTimeout);
    onEvent({ state: "channel-open", openMs });
    pass("channel-open", `DataChannel open after ${Math.round(openMs)} ms.`);

    if (channelProtocol === "wbp") {
      const password = request.webreplPassword;
      try {
        const repl = await checkReplOverWbp(
          raw,
          typeof password === "string" ? password : (password?.reveal() ?? null),
          callTimeout,
        );
        rtt = { count: 1, medianMs: repl.rttMs, worstMs: repl.rttMs, samplesMs: [repl.rttMs] };
        pass("repl", repl.detail);
      } catch (err) {
        if (err instanceof ReplCheckFailure) throw new StepFailure("repl", err.message, err.code);
        throw err;
      }
    }
    if (channelProtocol !== "pydirect") {
      proof = proveByTransport(request.transport, certificate.fingerprint);
      onEvent({ state: "proving", method: proof });
      // Without the REPL check nothing measured the firmware itself; say so.
      pass("key", channelProtocol === "none" ? `${PROOF_DETAIL[proof]} ${NOT_MEASURED}` : PROOF_DETAIL[proof]);
    } else {
      let hello;
      try {
        hello = await channel.hello();
      } catch (err) {
        throw new StepFailure("identity", `The firmware did not identify itself: ${(err as Error).message}`);
      }
      firmware = { version: hello.version, hostname: hello.hostname };
      consoleState = hello.console;
      onEvent({ state: "identified", version: hello.version, hostname: hello.hostname });
      const expectHost = request.expect?.hostname;
      if (expectHost && expectHost.toLowerCase() !== hello.hostname.toLowerCase()) {
        throw new StepFailure(
          "identity",
          `The board calls itself ${hello.hostname}, not ${expectHost}: a different board answered, or provisioning did not take.`,
        );
      }
      if (request.expect?.version && request.expect.version !== hello.version) {
        throw new StepFailure(
          "identity",
          `The board runs firmware ${hello.version}, not the ${request.expect.version} that was installed.`,
        );
      }
      pass("identity", `Firmware ${hello.version} on ${hello.hostname}.`);

      const samples: number[] = [];
      for (let i = 0; i < echoCount; i++) {
        try {
          samples.push(await channel.echo(`echo-${i}-${Math.random().toString(36).slice(2)}`));
        } catch (err) {
          throw new StepFailure("echo", `Echo ${i + 1} of ${echoCount} failed: ${(err as Error).message}`);
        }
        onEvent({ state: "echo", index: i, total: echoCount, rttMs: samples[i] });
      }
      if (samples.length) {
        rtt = { count: samples.length, medianMs: median(samples), worstMs: Math.max(...samples), samplesMs: samples };
        pass(
          "echo",
          `${samples.length} round trips, median ${rtt.medianMs.toFixed(1)} ms, worst ${rtt.worstMs.toFixed(1)} ms.`,
        );
      }

      const deviceFingerprint = fingerprintInSdp(peer.remoteSdp() ?? "");
      if (sameFingerprint(deviceFingerprint, certificate.fingerprint)) {
        proof = "dtls-certificate";
        onEvent({ state: "proving", method: proof });
        pass(
          "key",
          "The board's DTLS certificate is the provisioned certificate: the completed handshake proves it holds the key.",
        );
      } else {
        proof = "nonce-signature";
        onEvent({ state: "proving", method: proof });
        const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
        let signature: Uint8Array;
        try {
          signature = await channel.prove(nonce);
        } catch (err) {
          throw new StepFailure(
            "key",
            `The board could not sign with the provisioned key: ${(err as Error).message} Provision the board again.`,
          );
        }
        if (!(await verifyNonceSignature(certificate.publicKey, nonce, signature))) {
          throw new StepFailure(
            "key",
            "The board signed with a key that does not match the provisioned certificate (an old certificate left over?). Provision the board again.",
          );
        }
        pass("key", "The board signed a fresh nonce with the provisioned certificate's key (checked with WebCrypto).");
      }
    }
  } catch (err) {
    if (err instanceof StepFailure) {
      stalledAt = err.step;
      const check: VerifyCheck = { step: err.step, passed: false, detail: err.message };
      if (err.code !== undefined) check.code = err.code;
      checks.push(check);
      onEvent({ state: "check", check });
    } else if (err instanceof VerifyError && err.code === "cancelled") {
      stalledAt = stalledAtFrom(checks);
      checks.push({ step: stalledAt, passed: false, detail: err.message });
    } else {
      stalledAt = stalledAtFrom(checks);
      checks.push({ step: stalledAt, passed: false, detail: (err as Partial<Error>).message ?? String(err) });
    }
  }

  await negotiation?.stop();
  const expected: VerifyStep[] =
    channelProtocol === "none"
      ? ["signaling", "channel-open", "key"]
      : channelProtocol === "wbp"
        ? ["signaling", "channel-open", "repl", "key"]
        : echoCount > 0
          ? ["signaling", "channel-open", "identity", "echo", "key"]
          : ["signaling", "channel-open", "identity", "key"];
  const passed = stalledAt === null && expected.every((step) => checks.some((c) => c.step === step && c.passed));
  const diagnostics: VerifyDiagnostics = {
    transport: request.transport.kind,
    endpoint: request.transport.endpoint,
    shape,
    boardIp: request.boardIp ?? null,
    portalCandidates: unique([...portalCandidates, ...candidatesInSdp(peer.localSdp() ?? "")]),
    deviceCandidates: unique([
      ...(negotiation?.record.deviceCandidates ?? []),
      ...candidatesInSdp(peer.remoteSdp() ?? ""),
    ]),
    states: peer.states(),
    statesReached: reached,
    deviceFingerprint: fingerprintInSdp(peer.remoteSdp() ?? ""),
    certificateFingerprint: certificate.fingerprint,
    stalledAt: passed ? null : (stalledAt ?? stalledAtFrom(checks)),
  };
  const report: VerifyReport = {
    passed,
    checks,
    openMs,
    rtt,
    firmware,
    proof,
    console: consoleState,
    negotiation: negotiation?.record ?? null,
    diagnostics,
    at: new Date().toISOString(),
  };
  finished = true;
  onEvent({ state: "done", report });

  if (passed && request.keepOpen && channel) return { report, channel, peer };
  channel?.close();
  peer.close();
  return { report, channel: null, peer: null };
}

const PROOF_DETAIL: Record<"https-certificate" | "trusted-https-certificate", string> = {
  "https-certificate":
    "The board's HTTPS server presented the provisioned certificate (pinned by its SHA-256 fingerprint), so the TLS handshake proved it holds the key.",
  "trusted-https-certificate":
    "The board answered over HTTPS with the certificate this browser was told to trust in the trust step, where you compared its fingerprint with the provisioned one.",
};
const NOT_MEASURED =
  "Its firmware's DataChannel does not speak the portal's verification protocol: firmware identity and round trips were not measured.";

/**
 * Key proof for firmware without the verification protocol: only the certificate signaling went
 * to can show it. A pinned transport checked the exact certificate; a browser's fetch reached the
 * board only through the certificate the user chose to trust; a serial link proves nothing.
 */
function proveByTransport(
  transport: SignalingTransport,
  provisioned: string,
): "https-certificate" | "trusted-https-certificate" {
  if (transport.pinnedFingerprint !== undefined) {
    if (transport.pinnedFingerprint.toUpperCase() !== provisioned.toUpperCase()) {
      throw new StepFailure(
        "key",
        `Signaling went to a server pinned to the certificate ${transport.pinnedFingerprint}, not the provisioned ${provisioned}: this proves nothing about the board's key. Connect with the board's own record.`,
      );
    }
    return "https-certificate";
  }
  if (transport.kind === "https") return "trusted-https-certificate";
  throw new StepFailure(
    "key",
    "This firmware's DataChannel has no key-proof call, and signaling over the serial link shows nothing about the key: verify the board over HTTPS once it is on the network.",
  );
}

function openChannel(peer: PeerHandle, shape: SignalingShape): Promise<ChannelHandle> {
  const whenOpen = (ch: ChannelHandle) =>
    new Promise<ChannelHandle>((resolve) => {
      if (ch.readyState === "open") resolve(ch);
      else ch.onOpen(() => resolve(ch));
    });
  if (shape === "portal-offers") return whenOpen(peer.createDataChannel(CHANNEL_LABEL));
  return new Promise((resolve) => peer.onDataChannel((ch) => void whenOpen(ch).then(resolve)));
}

function withTimeout<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    signal?.addEventListener("abort", () => reject(new VerifyError("cancelled", "Verification was cancelled.")), {
      once: true,
    });
    promise.finally(() => clearTimeout(timer)).then(resolve, reject);
  });
}

const ORDER: VerifyStep[] = ["signaling", "channel-open", "identity", "echo", "repl", "key"];
function stalledAtFrom(checks: VerifyCheck[]): VerifyStep {
  return ORDER.find((step) => !checks.some((c) => c.step === step && c.passed)) ?? "key";
}

const unique = (xs: string[]) => [...new Set(xs)];
