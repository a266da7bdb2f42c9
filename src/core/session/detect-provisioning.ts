/**
 * The probes behind `ProvisioningChoice`, on the serial port, one after the other and each
 * releasing the port: Improv (RPC 2 current state until the wait runs out, then RPC 3 device
 * info), then the raw REPL (the device-kind probe: pyDirect's scripts, upstream's, plain MicroPython).
 */
import { ImprovSerial } from "../improv/improv-serial";
import type { SerialPortLike } from "../port/serial-port";
import { detectDeviceKindOnPort } from "../device-kind/detect-device-kind";
import {
  decideProvisioning,
  looksLikeMicroPython,
  planProbes,
  type ImprovDevice,
  type ProvisioningChoice,
  type ReplEvidence,
} from "./provisioning-choice";

export interface DetectProvisioningRequest {
  /** The installed app's project name, when known (the app description). */
  appName: string | null;
  /** How long to look for Improv; null: do not look. */
  improvWaitMs: number | null;
  /**
   * Longest silence while entering the raw REPL: default 5 s when the app says MicroPython (it may
   * still be booting after the install), else 1.5 s (a MicroPython that is up answers within ms).
   */
  replEnterTimeoutMs?: number;
  signal?: AbortSignal;
  onProbe?: (probe: "improv" | "repl") => void;
}

export async function probeImprov(port: SerialPortLike, waitMs: number): Promise<ImprovDevice | null> {
  const client = await ImprovSerial.detect(port, { detectTimeoutMs: waitMs });
  if (!client) return null;
  try {
    const info = await client.deviceInfo();
    const { state, url } = await client.requestCurrentState();
    return { ...info, state, url };
  } finally {
    await client.close();
  }
}

/**
 * The board's raw REPL, asked by the device-kind probe (src/core/device-kind): the portal's own
 * scripts and pyDirect upstream's both take pyDirect provisioning; plain MicroPython does not.
 */
export async function probeRepl(port: SerialPortLike, enterTimeoutMs = 1500): Promise<ReplEvidence> {
  const found = await detectDeviceKindOnPort(port, { enterTimeoutMs });
  if (found.kind === "pydirect" || found.kind === "pydirect-upstream") return "pydirect";
  return found.kind === "micropython" ? "micropython" : "no-repl";
}

export async function detectProvisioning(
  port: SerialPortLike,
  request: DetectProvisioningRequest,
): Promise<ProvisioningChoice> {
  let improv: ImprovDevice | null = null;
  let repl: ReplEvidence | null = null;
  for (const probe of planProbes(request.appName, request.improvWaitMs)) {
    if (request.signal?.aborted) throw request.signal.reason;
    request.onProbe?.(probe);
    if (probe === "improv") {
      improv = await probeImprov(port, request.improvWaitMs ?? 0);
      if (improv) break;
    } else {
      repl = await probeRepl(port, request.replEnterTimeoutMs ?? (looksLikeMicroPython(request.appName) ? 5000 : 1500));
    }
  }
  return decideProvisioning({ improv, repl });
}
