/**
 * One board's trip down the line: read it, install the shared firmware, provision it with its own
 * identity and certificate, verify it over WebRTC, and record it. The same `PortalJobs` the
 * single-board session uses do the work; this only sequences them and reports progress.
 */
import { PortalError } from "../errors";
import type { SerialPortLike } from "../port/serial-port";
import type { DeviceRecord, DeviceRegistry } from "../registry/device-record";
import { decideErase } from "../session/erase-decision";
import type { PortalJobs } from "../session/jobs";
import type { BoardSummary, ProvisionSummary } from "../session/session-types";
import { BoardProgress } from "./board-progress";
import type { LineBoardResult, LineBoardState, LineSettings } from "./line-types";

export interface BoardRunContext {
  jobs: PortalJobs;
  port: SerialPortLike;
  /** The port is the in-page virtual board (the only place the demo image may be installed). */
  virtual: boolean;
  settings: LineSettings;
  signal: AbortSignal;
  registry?: DeviceRegistry;
  now: () => number;
  /** Report a change of this board's state (the line coalesces nothing: the UI does). */
  update(patch: Partial<LineBoardState>): void;
}

export async function runLineBoard(ctx: BoardRunContext): Promise<LineBoardResult> {
  const { jobs, port, settings, signal } = ctx;
  const flashOnly = settings.wifi === null;
  const progress = new BoardProgress(flashOnly);
  const report = (phase: string) => ctx.update({ phase, progress: progress.value });

  ctx.update({ step: "connecting", phase: "Reading the board", progress: 0 });
  const board = await onceMoreIfSilent(ctx, () => jobs.inspect(port, signal));
  ctx.update({ chip: board.chip, mac: board.mac });

  progress.enter("installing");
  ctx.update({ step: "installing", phase: "Starting", progress: progress.value });
  const erase = settings.erase ?? decideErase(board, settings.offer).erase;
  await onceMoreIfSilent(ctx, () =>
    jobs.install(
      port,
      {
        offer: settings.offer,
        board,
        erase,
        virtualPort: ctx.virtual,
        signal,
        onParts: (names, sizes) => progress.parts(names, sizes ?? []),
      },
      (e) => report(progress.install(e)),
    ),
  );
  const installed: BoardSummary = {
    ...board,
    firmware: { name: settings.offer.name, version: settings.offer.version },
  };
  const { bytesWritten, bytesSkipped } = progress.installed;
  const flashed = `${settings.offer.name} ${settings.offer.version} installed (${bytesWritten} bytes written, ${bytesSkipped} already there)`;
  if (!settings.wifi) {
    return {
      hostname: null,
      deviceId: null,
      certFingerprint: null,
      roundTripMs: null,
      detail: flashed,
      webreplPassword: null,
    };
  }

  progress.enter("provisioning");
  ctx.update({ step: "provisioning", phase: "Making identity and certificate", progress: progress.value });
  // No device name: each board takes its default hostname, made from its own MAC.
  const provisioned = await jobs.provision(
    port,
    { wifi: settings.wifi, deviceName: "", board: installed, firmware: settings.offer, signal },
    (e) => {
      progress.phase();
      report(e.detail ? `${e.state}: ${e.detail}` : e.state);
    },
  );

  progress.enter("verifying");
  ctx.update({ step: "verifying", phase: "Opening a WebRTC DataChannel", progress: progress.value });
  let verified;
  try {
    verified = await jobs.verify(port, { board: installed, provisioned, signal }, (e) => {
      progress.phase();
      report(e.detail ? `${e.state}: ${e.detail}` : e.state);
    });
  } catch (err) {
    // Provisioned but not verified: the registry still learns the board and its certificate.
    await record(ctx, installed, provisioned, false, err instanceof Error ? err.message : String(err));
    throw err;
  }
  // A line moves on: the DataChannel the verification leaves open for a console is closed.
  verified.live?.close();
  if (!verified.ok) {
    await record(ctx, installed, provisioned, false, verified.detail);
    throw new PortalError(
      "verify-failed",
      `The board answered but the check failed: ${verified.detail}. Run it again; if it repeats, re-provision it.`,
    );
  }
  await record(ctx, installed, provisioned, true, verified.detail);
  return {
    hostname: provisioned.hostname,
    deviceId: provisioned.deviceId,
    certFingerprint: provisioned.certFingerprint,
    roundTripMs: verified.roundTripMs,
    detail: verified.detail,
    webreplPassword: provisioned.webreplPassword,
  };
}

/**
 * A board that did not answer the bootloader is reset and asked once more before it is failed, as
 * esptool retries its connect. On a line the host's one thread serves every board: a reply due
 * within esptool-js's short windows (200 ms for leaving RAM download mode) can miss them while
 * the thread works for another board (compressing its image, hashing), and a real board then
 * answers the second time.
 * Nothing has been written when this error comes (it is raised before the stub runs).
 */
async function onceMoreIfSilent<T>(ctx: BoardRunContext, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!(err instanceof PortalError && err.code === "no-response") || ctx.signal.aborted) throw err;
    ctx.update({ phase: "The board did not answer; resetting it and asking again" });
    return attempt();
  }
}

/** The registry entry for a board the line provisioned: only public facts, as the session writes. */
export function lineBoardRecord(
  board: BoardSummary,
  prov: ProvisionSummary,
  passed: boolean,
  summary: string,
  at: string,
  before: DeviceRecord | undefined,
): DeviceRecord {
  return {
    id: prov.deviceId,
    hostname: prov.hostname,
    chip: board.chip,
    mac: board.mac,
    firmwareVersion: board.firmware?.version ?? null,
    certFingerprint: prov.certFingerprint,
    certificatePem: prov.certificatePem,
    provisionedAt: before?.certFingerprint === prov.certFingerprint ? before.provisionedAt : at,
    lastVerification: { at, passed, summary },
  };
}

async function record(
  ctx: BoardRunContext,
  board: BoardSummary,
  prov: ProvisionSummary,
  passed: boolean,
  summary: string,
): Promise<void> {
  const registry = ctx.registry;
  if (!registry) return;
  try {
    const before = await registry.get(prov.deviceId);
    await registry.put(lineBoardRecord(board, prov, passed, summary, new Date(ctx.now()).toISOString(), before));
  } catch (err) {
    // The board itself is fine; say so in its phase rather than failing it.
    ctx.update({ phase: `Not saved to the device list: ${err instanceof Error ? err.message : String(err)}` });
  }
}
