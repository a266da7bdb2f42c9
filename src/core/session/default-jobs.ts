/**
 * The real cores wired into the session's `PortalJobs`: manifest + install + flash, provisioning,
 * verification over serial signaling. Heavy cores (esptool-js, x509, WebRTC glue) load on first
 * use, so the page itself stays small.
 */
import { PortalError } from "../errors";
import type { LoadedFirmware } from "../firmware-sources/types";
import type { BaudMemory } from "../flash/baud-memory";
import type { ChipFamily } from "../image/chips";
import type { DeviceRegistry } from "../registry/device-record";
import type { DeviceRecord } from "../registry/device-record";
import type { PeerBackend } from "../signaling/peer";
import { certificateTrustStep, createFetchTransport, type SignalingTransport } from "../signaling/transport";
import { deviceUrl } from "../verify/device-url";
import type { VerifyEvent, VerifyOutcome } from "../verify/verify-device";
import type { ReplDeviceKind } from "../device-kind/detect-device-kind";
import type { PhaseEvent, PortalJobs, VerifyJobResult, VerifyRequest } from "./jobs";
import type { DeviceScripts } from "./session-types";
import { createFirmwareSourceJobs, isVirtualBoardOnly, offersOf } from "./firmware-source-jobs";
import { virtualBoardOnlyError } from "./session-errors";
import { createWifiJobs } from "./wifi-jobs";

export interface PortalJobsOptions {
  /** Checked by provisioning for hostname clashes. */
  registry?: DeviceRegistry;
  /** WebRTC implementation for verification; the browser's RTCPeerConnection by default. */
  peerBackend?: PeerBackend | (() => Promise<PeerBackend>);
  /** fetch for manifests and parts (tests in Node serve files without a server). */
  fetch?: typeof fetch;
  /** Baud rate for flashing; default the flash core's (921600, stepping down when refused). */
  baudRate?: number;
  /**
   * After the stub starts, flash faster than `baudRate` where the link carries it (2–3 Mbaud on
   * common bridges). Default: on, unless a `baudRate` was given.
   */
  fastBaud?: boolean;
  /** What rate worked per USB identity; default localStorage where the page has it, else memory. */
  baudMemory?: BaudMemory;
  /** How long provisioning waits for the board's Wi-Fi report. */
  wifiTimeoutMs?: number;
  /** HTTPS signaling for "connect again"; fetch by default (Node tests pin the certificate instead). */
  httpsTransport?: (baseUrl: string, record: DeviceRecord) => SignalingTransport;
}

/**
 * @peculiar/x509 (via tsyringe) checks for Reflect metadata when its module is evaluated. Bundlers
 * hoist the x509 chunk above the `import "reflect-metadata"` in the modules that use it, so load
 * the polyfill on its own first.
 */
async function loadCertificateSupport(): Promise<void> {
  await import("reflect-metadata");
}

export function createPortalJobs(options: PortalJobsOptions = {}): PortalJobs {
  /** Firmware loaded so far, by the manifest URL its offers carry (a pseudo URL for local files). */
  const loaded = new Map<string, LoadedFirmware>();
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const firmwareSources = createFirmwareSourceJobs(doFetch);
  const fastBaud = options.fastBaud ?? options.baudRate === undefined;
  let baudMemory = options.baudMemory;
  /**
   * The HTTPS route `verifyTrust` asked about, kept so verification signals through the very
   * transport whose pinning decided whether the user had to trust the certificate first.
   */
  let networkRoute: { key: string; url: string; transport: SignalingTransport } | null = null;

  return {
    firmwareSources,
    wifi: createWifiJobs(options.wifiTimeoutMs ? { wifiTimeoutMs: options.wifiTimeoutMs } : {}),

    async inspect(port, signal, onManualBoot) {
      const { inspectBoard } = await import("./board-inspect");
      return inspectBoard(port, signal, options.baudRate, onManualBoot);
    },

    async loadFirmware(firmware, signal) {
      // A manifest URL is fetched again each time it is picked (it may have been republished).
      const fw = typeof firmware === "string" ? await firmwareSources.loadManifestUrl(firmware, signal) : firmware;
      loaded.set(fw.manifestUrl, fw);
      return offersOf(fw);
    },

    async install(port, request, onEvent) {
      const firmware =
        loaded.get(request.offer.manifestUrl) ??
        (await firmwareSources.loadManifestUrl(request.offer.manifestUrl, request.signal));
      if (isVirtualBoardOnly(firmware.manifest) && !request.virtualPort)
        throw virtualBoardOnlyError(request.offer.name, request.board.chip);
      const [{ flashParts, defaultBaudMemory }, { planInstall }, { defaultPartCache }] = await Promise.all([
        import("../flash"),
        import("../install"),
        import("../download"),
      ]);
      const source = {
        manifest: firmware.manifest,
        manifestUrl: firmware.manifestUrl,
        ...(firmware.files ? { files: firmware.files } : {}),
      };
      // With a listener (the session knows this board's reset lines do not reach the chip), a
      // board that does not answer gets the by-hand guidance again and the install goes on once the
      // ROM syncs. "no-response" comes from the connect, before any byte is written: retrying is safe.
      const flashOnce = (mode: "auto" | "manual") =>
        flashParts(
          port,
          {
            ...(mode === "manual" ? { resetMode: "no_reset" as const, connectAttempts: 1 } : {}),
            parts: async (chip) => {
              const plan = await planInstall(
                source,
                chip,
                {
                  signal: request.signal,
                  cache: defaultPartCache(),
                  fetch: doFetch,
                  choice: { version: request.offer.version, channel: "beta" },
                },
                (e) => {
                  if (e.state === "downloading")
                    onEvent({ state: "downloading", part: e.part, received: e.received, total: e.total });
                },
              );
              request.onParts?.(
                plan.parts.map((p) => p.name),
                plan.parts.map((p) => p.data.length),
              );
              if (request.onAppImage) {
                const { readAppDescription } = await import("../image/app-desc");
                const app = plan.parts.map((p) => readAppDescription(p.data)).find((d) => d !== null);
                if (app) request.onAppImage({ projectName: app.projectName, version: app.version });
              }
              return plan.parts;
            },
            eraseAll: request.erase,
            signal: request.signal,
            ...(options.baudRate ? { baudRate: options.baudRate } : {}),
            ...(fastBaud ? { fastBaud: { memory: (baudMemory ??= defaultBaudMemory()) } } : {}),
          },
          (e) => {
            // The ROM answered: the by-hand guidance has done its work.
            if (mode === "manual" && e.state === "preparing") request.onManualBoot?.(null);
            onEvent(e);
          },
        );
      const onManualBoot = request.onManualBoot;
      if (!onManualBoot) {
        await flashOnce("auto");
        return;
      }
      const { connectWithManualBoot, manualBootGuidance } = await import("../flash/manual-boot");
      const { usbConnection } = await import("../port/usb-connector");
      await connectWithManualBoot(flashOnce, {
        signal: request.signal,
        onGuidance: () =>
          onManualBoot(manualBootGuidance(request.board.chip as ChipFamily, usbConnection(port.getInfo()).connector)),
      });
    },

    async provision(port, request, onEvent) {
      await loadCertificateSupport();
      const [{ provisionDevice }, { SecretText }] = await Promise.all([
        import("../provision/provision-job"),
        import("../provision/secret"),
      ]);
      const result = await provisionDevice(
        port,
        {
          wifi: { ssid: request.wifi.ssid, password: request.wifi.password },
          ...(request.deviceName ? { hostname: request.deviceName } : {}),
          ...(options.registry ? { registry: options.registry } : {}),
          ...(options.wifiTimeoutMs ? { wifiTimeoutMs: options.wifiTimeoutMs } : {}),
          ...(request.webreplPassword ? { webreplPassword: new SecretText(request.webreplPassword) } : {}),
          ...(request.nextPort ? { nextPort: request.nextPort } : {}),
          signal: request.signal,
        },
        (e) => {
          switch (e.state) {
            case "writing":
              onEvent({ state: "writing", detail: `${e.file} (${e.index + 1} of ${e.count})` });
              return;
            case "waiting-for-wifi":
            case "wifi-connecting":
              onEvent({
                state: e.state === "wifi-connecting" ? "joining Wi-Fi" : "waiting for the board",
                detail: e.ssid,
              });
              return;
            case "certificate-ready":
              onEvent({ state: "certificate ready", detail: e.fingerprint });
              return;
            case "identified":
              onEvent({ state: "identified", detail: e.hostname });
              return;
            case "done":
            case "error":
            case "wifi-result":
              return;
            default:
              onEvent({ state: e.state.replace(/-/g, " ") });
          }
        },
      );
      if (result.wifi.state === "failed") throw result.wifi.error;
      return {
        deviceId: result.record.id,
        hostname: result.hostname,
        deviceName: result.hostname,
        certFingerprint: result.certFingerprint,
        certificatePem: result.certificatePem,
        webreplPassword: result.webreplPassword,
        address: result.wifi.ip,
        deviceScripts: scriptsOf(result.deviceKind),
      };
    },

    async readProvisioned(port, signal) {
      await loadCertificateSupport();
      const [{ RawRepl, DeviceFiles }, provision, { CERT_PATH }] = await Promise.all([
        import("../repl"),
        import("../provision"),
        import("../provision/settings-file"),
      ]);
      const { readBoardSettings, readDeviceIdentity } = await import("../provision/device-queries");
      const { detectDeviceKind } = await import("../device-kind/detect-device-kind");
      if (signal.aborted) throw signal.reason;
      const repl = await RawRepl.open(port, { interruptAtBoot: true });
      try {
        const files = new DeviceFiles(repl);
        const identity = await readDeviceIdentity(repl, await readBoardSettings(files));
        if (!(await files.exists(CERT_PATH))) {
          throw new PortalError(
            "not-provisioned",
            "This board has no certificate yet: provision it first, then verify it.",
            { action: "none" },
          );
        }
        const certificatePem = await files.readText(CERT_PATH);
        const deviceScripts = scriptsOf(await detectDeviceKind(repl));
        const hostname = identity.hostname ?? provision.defaultHostname(identity.mac, identity.hostnamePrefix);
        // A board verified over its own network endpoint must run its app for that: held at the
        // REPL (main.py stopped, or skipped by the boot interrupt) it serves nothing. Restart it.
        if (deviceScripts && !deviceScripts.serialSignaling) {
          const { resetBoard } = await import("../provision/wifi-outcome");
          await resetBoard(repl);
        }
        return {
          deviceId: identity.uniqueId,
          hostname,
          deviceName: hostname,
          certFingerprint: await provision.pemCertificateFingerprint(certificatePem),
          certificatePem,
          webreplPassword: null,
          address: null,
          deviceScripts,
        };
      } finally {
        await repl.close().catch(() => undefined);
      }
    },

    async verify(port, request, onEvent) {
      await loadCertificateSupport();
      const scripts = request.provisioned.deviceScripts;
      if (scripts && !scripts.serialSignaling) return verifyOverNetwork(request, scripts, onEvent);
      const [{ verifyOverSerial }, backend] = await Promise.all([import("../verify"), peerBackend()]);
      const outcome = await verifyOverSerial(
        port,
        {
          backend,
          certificatePem: request.provisioned.certificatePem,
          expect: { hostname: request.provisioned.hostname },
          boardIp: request.provisioned.address,
          keepOpen: true,
          signal: request.signal,
        },
        verifyPhases(onEvent),
      );
      return verifyResult(outcome, "serial");
    },

    verifyTrust(request) {
      const scripts = request.provisioned.deviceScripts;
      if (!scripts || scripts.serialSignaling) return null;
      const { url, transport } = routeOverNetwork(request);
      return transport.pinnedFingerprint ? null : certificateTrustStep(request.provisioned, url);
    },

    async connectAgain(record, request, onEvent) {
      await loadCertificateSupport();
      const [{ connectAgain }, backend] = await Promise.all([import("../verify"), peerBackend()]);
      const transport = options.httpsTransport
        ? options.httpsTransport(request.baseUrl, record)
        : createFetchTransport(request.baseUrl);
      const channelProtocol = record.deviceScripts === "pydirect-upstream" ? "none" : "pydirect";
      const outcome = await connectAgain(
        record,
        { transport, backend, certificatePem: request.certificatePem, channelProtocol, signal: request.signal },
        verifyPhases(onEvent),
      );
      return verifyResult(outcome, "https");
    },
  };

  /**
   * Boards without the serial signaling helper (pyDirect upstream's image) are verified over HTTPS
   * to their own endpoint once they are on the network, in upstream's `/webrtc/offer` shape.
   */
  async function verifyOverNetwork(
    request: VerifyRequest,
    scripts: DeviceScripts,
    onEvent: (e: PhaseEvent) => void,
  ): Promise<VerifyJobResult> {
    const [{ verifyOverHttps }, backend] = await Promise.all([import("../verify"), peerBackend()]);
    const prov = request.provisioned;
    const { transport } = routeOverNetwork(request);
    // Upstream's DataChannel carries its WebREPL binary protocol, not the verification protocol:
    // with the password provisioning just set, log in and run an expression; without it (the
    // portal never stores it) the channel opening is all that can be checked.
    const channelProtocol = scripts.kind !== "pydirect-upstream" ? "pydirect" : prov.webreplPassword ? "wbp" : "none";
    const outcome = await verifyOverHttps(
      transport,
      {
        backend,
        certificatePem: prov.certificatePem,
        expect: { hostname: prov.hostname },
        boardIp: prov.address,
        channelProtocol,
        ...(prov.webreplPassword ? { webreplPassword: prov.webreplPassword } : {}),
        keepOpen: channelProtocol === "pydirect",
        signal: request.signal,
      },
      verifyPhases(onEvent),
    );
    return { ...(await verifyResult(outcome, "https")), transport: "https" };
  }

  /** The board's own URL and the HTTPS transport to it (made once per URL and certificate). */
  function routeOverNetwork(request: Omit<VerifyRequest, "signal">): { url: string; transport: SignalingTransport } {
    const prov = request.provisioned;
    const url = deviceUrl(prov, prov.address);
    const key = `${url} ${prov.certFingerprint}`;
    if (networkRoute?.key === key) return networkRoute;
    const record: DeviceRecord = {
      id: prov.deviceId,
      hostname: prov.hostname,
      chip: request.board.chip,
      mac: request.board.mac,
      firmwareVersion: request.board.firmware?.version ?? null,
      certFingerprint: prov.certFingerprint,
      provisionedAt: new Date().toISOString(),
      certificatePem: prov.certificatePem,
    };
    const transport = options.httpsTransport ? options.httpsTransport(url, record) : createFetchTransport(url);
    networkRoute = { key, url, transport };
    return networkRoute;
  }

  async function peerBackend(): Promise<PeerBackend> {
    if (typeof options.peerBackend === "function") return options.peerBackend();
    if (options.peerBackend) return options.peerBackend;
    return (await import("../signaling")).browserPeerBackend;
  }
}

function scriptsOf(kind: ReplDeviceKind): DeviceScripts | null {
  return kind.kind === "micropython" ? null : { kind: kind.kind, serialSignaling: kind.serialSignaling };
}

function verifyPhases(onEvent: (e: PhaseEvent) => void): (e: VerifyEvent) => void {
  return (e) => {
    if (e.state === "check") onEvent({ state: e.check.step, detail: e.check.passed ? "passed" : e.check.detail });
    else if (e.state === "echo")
      onEvent({ state: "echo", detail: `${e.index + 1} of ${e.total}, ${e.rttMs.toFixed(1)} ms` });
    else if (e.state !== "done" && e.state !== "connecting") onEvent({ state: e.state });
  };
}

async function verifyResult(outcome: VerifyOutcome, transport: "serial" | "https"): Promise<VerifyJobResult> {
  const { summarizeReport } = await import("../verify");
  const { liveConsoleFor } = await import("./live-console");
  const { report } = outcome;
  if (!report.passed) {
    outcome.channel?.close();
    outcome.peer?.close();
    const failed = report.checks.find((c) => !c.passed);
    throw new PortalError("verify-failed", failed?.detail ?? summarizeReport(report), { action: "retry" });
  }
  const live = outcome.channel
    ? liveConsoleFor(outcome.channel, outcome.peer, transport, report.console !== "open")
    : null;
  return { ok: true, roundTripMs: report.rtt?.medianMs ?? null, detail: summarizeReport(report), live };
}
