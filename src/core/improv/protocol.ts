/**
 * Improv Wi-Fi Serial framing (improv-wifi.com/serial): "IMPROV", version 1, type, length, data,
 * checksum (low byte of the sum of everything before it). Shared by the client and the virtual
 * Improv firmware.
 */
export const IMPROV_HEADER = new TextEncoder().encode("IMPROV");
export const IMPROV_VERSION = 1;

export const ImprovPacketType = {
  CurrentState: 0x01,
  ErrorState: 0x02,
  RpcCommand: 0x03,
  RpcResult: 0x04,
} as const;

export const ImprovCommand = {
  SendWifiSettings: 0x01,
  RequestCurrentState: 0x02,
  RequestDeviceInfo: 0x03,
  RequestScannedNetworks: 0x04,
  Hostname: 0x05,
  DeviceName: 0x06,
} as const;

/** Current-state codes, as both ends of the link put them on the wire. */
export const ImprovStateCode = {
  AuthorizationRequired: 0x01,
  Ready: 0x02,
  Provisioning: 0x03,
  Provisioned: 0x04,
} as const;

export type ImprovState = "ready" | "provisioning" | "provisioned" | "authorization-required" | "unknown";

export const IMPROV_STATES: Record<number, ImprovState> = {
  [ImprovStateCode.AuthorizationRequired]: "authorization-required",
  [ImprovStateCode.Ready]: "ready",
  [ImprovStateCode.Provisioning]: "provisioning",
  [ImprovStateCode.Provisioned]: "provisioned",
};

/** Error-state codes. */
export const ImprovErrorStateCode = {
  None: 0x00,
  InvalidRpc: 0x01,
  UnknownRpc: 0x02,
  UnableToConnect: 0x03,
  BadHostname: 0x05,
  Unknown: 0xff,
} as const;

export type ImprovDeviceError =
  "none" | "invalid-rpc" | "unknown-rpc" | "unable-to-connect" | "bad-hostname" | "unknown";

export const IMPROV_ERRORS: Record<number, ImprovDeviceError> = {
  [ImprovErrorStateCode.None]: "none",
  [ImprovErrorStateCode.InvalidRpc]: "invalid-rpc",
  [ImprovErrorStateCode.UnknownRpc]: "unknown-rpc",
  [ImprovErrorStateCode.UnableToConnect]: "unable-to-connect",
  [ImprovErrorStateCode.BadHostname]: "bad-hostname",
  [ImprovErrorStateCode.Unknown]: "unknown",
};

export interface ImprovPacket {
  type: number;
  data: Uint8Array;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function encodePacket(type: number, data: Uint8Array): Uint8Array {
  if (data.length > 255)
    throw new RangeError(`An Improv packet carries at most 255 bytes of data, not ${data.length}.`);
  const out = new Uint8Array(IMPROV_HEADER.length + 3 + data.length + 1);
  out.set(IMPROV_HEADER, 0);
  out[6] = IMPROV_VERSION;
  out[7] = type;
  out[8] = data.length;
  out.set(data, 9);
  let sum = 0;
  for (let i = 0; i < out.length - 1; i++) sum += out[i];
  out[out.length - 1] = sum & 0xff;
  return out;
}

/** Strings as Improv carries them: each one length byte, then UTF-8. */
export function encodeStrings(strings: readonly string[]): Uint8Array {
  const parts = strings.map((s) => utf8.encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    if (p.length > 255) throw new RangeError("An Improv string is at most 255 bytes.");
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function decodeStrings(data: Uint8Array): string[] {
  const out: string[] = [];
  for (let at = 0; at < data.length;) {
    const len = data[at++];
    if (at + len > data.length) throw new RangeError("Truncated Improv string list.");
    out.push(fromUtf8.decode(data.subarray(at, at + len)));
    at += len;
  }
  return out;
}

/** An RPC command or result body: command, length, payload. */
export function encodeRpc(command: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + payload.length);
  out[0] = command;
  out[1] = payload.length;
  out.set(payload, 2);
  return out;
}

export function decodeRpc(data: Uint8Array): { command: number; payload: Uint8Array } | null {
  if (data.length < 2 || data[1] + 2 > data.length) return null;
  return { command: data[0], payload: data.subarray(2, 2 + data[1]) };
}

/** The payload of `packet` when it is an RPC result for `command`, else null. */
export function rpcResultPayload(packet: ImprovPacket, command: number): Uint8Array | null {
  if (packet.type !== ImprovPacketType.RpcResult) return null;
  const rpc = decodeRpc(packet.data);
  return rpc && rpc.command === command ? rpc.payload : null;
}

/**
 * Finds Improv packets in a console byte stream that also carries log lines. Bytes that are not
 * part of a well-formed packet (wrong version, bad checksum) are skipped; `onBadPacket` counts
 * them for the caller.
 */
export class ImprovPacketParser {
  private buf: number[] = [];

  constructor(
    private readonly onPacket: (packet: ImprovPacket) => void,
    private readonly onBadPacket?: (reason: string) => void,
  ) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.buf.push(b);
    this.scan();
  }

  private scan(): void {
    for (;;) {
      const start = this.findHeader();
      if (start < 0) {
        // Keep a possible partial header at the end.
        this.buf = this.buf.slice(Math.max(0, this.buf.length - (IMPROV_HEADER.length - 1)));
        return;
      }
      if (start > 0) this.buf = this.buf.slice(start);
      if (this.buf.length < 9) return;
      const len = this.buf[8];
      const total = 9 + len + 1;
      if (this.buf.length < total) return;
      let sum = 0;
      for (let i = 0; i < total - 1; i++) sum += this.buf[i];
      const version = this.buf[6];
      if (version !== IMPROV_VERSION || (sum & 0xff) !== this.buf[total - 1]) {
        this.onBadPacket?.(version !== IMPROV_VERSION ? `version ${version}` : "checksum");
        this.buf = this.buf.slice(1);
        continue;
      }
      const packet = { type: this.buf[7], data: new Uint8Array(this.buf.slice(9, 9 + len)) };
      this.buf = this.buf.slice(total);
      this.onPacket(packet);
    }
  }

  private findHeader(): number {
    const h = IMPROV_HEADER;
    outer: for (let i = 0; i + h.length <= this.buf.length; i++) {
      for (let j = 0; j < h.length; j++) if (this.buf[i + j] !== h[j]) continue outer;
      return i;
    }
    return -1;
  }
}
