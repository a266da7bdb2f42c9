/**
 * What a board runs, found in one raw-REPL exchange: the portal's own device scripts
 * (firmware/device: status lines and the serial signaling helper), pyDirect upstream's published
 * scripts (settings, the Wi-Fi module and HTTP signaling, but no status lines and no serial
 * helper), plain MicroPython, or something that offers no MicroPython REPL at all. Provisioning and
 * verification pick their path from it.
 */
import type { SerialPortLike } from "../port/serial-port";
import { ReplError } from "../repl/errors";
import { RawRepl, type RawReplOptions } from "../repl/raw-repl";
import { DETECT_DEVICE_KIND } from "./detect-script";

export type DeviceKind =
  /** firmware/device: prints `PYDIRECT {…}` status lines; `serialSignaling` when webrtc_signaling has serial_request/serial_poll. */
  | { kind: "pydirect"; version: string | null; statusLines: true; serialSignaling: boolean }
  /** pyDirect upstream's device-scripts: same settings file and keys, Wi-Fi and signaling over HTTPS only. */
  | { kind: "pydirect-upstream"; statusLines: false; serialSignaling: boolean; httpSignaling: boolean }
  /** MicroPython without either project's scripts: flash pyDirect first. */
  | { kind: "micropython"; platform: string }
  /** No MicroPython raw REPL answered (other firmware, a boot loop, download mode). */
  | { kind: "no-repl"; detail: string };

/** What a board that answered on its raw REPL runs. */
export type ReplDeviceKind = Exclude<DeviceKind, { kind: "no-repl" }>;

/** What the detection snippet prints (one JSON object). */
interface DetectionReply {
  files: Record<string, boolean | "frozen">;
  version: string | null;
  serial_helper: boolean | null;
  platform: string;
}

/** Classify the snippet's answer. Exported for tests of the rules themselves. */
export function classifyDetection(reply: DetectionReply): ReplDeviceKind {
  const has = (path: string): boolean => Boolean(reply.files[path]);
  if (has("/lib/sys/status.py")) {
    // Our scripts; an older build without the serial helper still prints status lines.
    return {
      kind: "pydirect",
      version: reply.version,
      statusLines: true,
      serialSignaling: reply.serial_helper !== false,
    };
  }
  const upstreamWifi = has("/lib/sys/network/wifi.py");
  const settings = has("/lib/sys/settings.py") || has("/settings/default_settings.json");
  if (settings && (upstreamWifi || has("/lib/sys/webrtc_signaling.py"))) {
    return {
      kind: "pydirect-upstream",
      statusLines: false,
      serialSignaling: reply.serial_helper === true,
      httpSignaling: has("/lib/sys/webrtc_signaling.py"),
    };
  }
  return { kind: "micropython", platform: reply.platform };
}

/** Detect on a raw REPL that is already open (one exchange). */
export async function detectDeviceKind(repl: RawRepl): Promise<ReplDeviceKind> {
  return classifyDetection(await repl.execJson<DetectionReply>(DETECT_DEVICE_KIND));
}

/** Open the port, detect, release it. A board without a MicroPython REPL is `no-repl`, not an error. */
export async function detectDeviceKindOnPort(port: SerialPortLike, options: RawReplOptions = {}): Promise<DeviceKind> {
  let repl: RawRepl;
  try {
    // Upstream's main.py restarts on Ctrl-C: its REPL is reached by interrupting boot.py.
    repl = await RawRepl.open(port, { interruptAtBoot: true, ...options });
  } catch (err) {
    if (err instanceof ReplError && (err.code === "no-repl" || err.code === "timeout"))
      return { kind: "no-repl", detail: err.message };
    throw err;
  }
  try {
    return await detectDeviceKind(repl);
  } finally {
    await repl.close().catch(() => undefined);
  }
}
