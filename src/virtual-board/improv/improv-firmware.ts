import {
  ImprovCommand,
  ImprovErrorStateCode,
  ImprovPacketParser,
  ImprovPacketType,
  decodeRpc,
  decodeStrings,
  encodePacket,
  encodeRpc,
  encodeStrings,
  ImprovStateCode,
  type ImprovPacket,
} from "../../core/improv/protocol";
import type { AppContext, AppRuntime, AppRuntimeFactory } from "../types";

/** A network the simulated radio can see. `password` absent means open. */
export interface SimulatedAccessPoint {
  ssid: string;
  password?: string;
  rssi?: number;
  /** Present but not broadcast: found by a connect attempt, absent from scans. */
  hidden?: boolean;
}

export interface ImprovFirmwareOptions {
  firmware?: string;
  version?: string;
  chipFamily?: string;
  deviceName?: string;
  accessPoints?: SimulatedAccessPoint[];
  /** Time a successful join takes (association + DHCP); the virtual radio's 1.5 s (micropython/virtual-wifi.ts). */
  connectDelayMs?: number;
  /**
   * How long a failing join is retried before the device gives up with error 3: ESPHome's
   * improv_serial sets a 30 s "wifi-connect-timeout" when it receives the settings.
   */
  connectTimeoutMs?: number;
  scanDelayMs?: number;
  /** Address handed out once connected. */
  ipAddress?: string;
  /** Log lines printed at boot and around connects, as ESPHome/WLED do on the same UART. */
  chatty?: boolean;
}

/**
 * Firmware that speaks Improv Wi-Fi Serial on the console, as ESPHome and WLED do: answers state
 * and device-info requests, scans the simulated air, and joins a network only with the right
 * password. Used to test the portal's Improv client without hardware.
 */
export function createImprovFirmware(options: ImprovFirmwareOptions = {}): AppRuntimeFactory {
  return (ctx: AppContext): AppRuntime => new ImprovFirmware(ctx, options);
}

class ImprovFirmware implements AppRuntime {
  private state: number = ImprovStateCode.Ready;
  private hostname: string;
  private readonly parser: ImprovPacketParser;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly ctx: AppContext,
    private readonly options: ImprovFirmwareOptions,
  ) {
    this.hostname = options.deviceName ?? "esphome-web";
    this.parser = new ImprovPacketParser(
      (p) => this.handle(p),
      () => this.sendError(ImprovErrorStateCode.InvalidRpc),
    );
    if (options.chatty ?? true) this.log(`[I][app:029]: Running through setup()...`);
  }

  input(bytes: Uint8Array): void {
    this.parser.push(bytes);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.ctx.signal.aborted) fn();
    }, ms);
    this.timers.add(t);
  }

  private log(line: string): void {
    this.ctx.write(new TextEncoder().encode(`${line}\r\n`));
  }

  private send(type: number, data: Uint8Array): void {
    // ESPHome ends every packet with a newline after the checksum, so log readers see whole lines.
    const packet = encodePacket(type, data);
    const line = new Uint8Array(packet.length + 1);
    line.set(packet);
    line[packet.length] = 0x0a;
    this.ctx.write(line);
  }

  private sendState(): void {
    this.send(ImprovPacketType.CurrentState, new Uint8Array([this.state]));
  }

  private sendError(code: number): void {
    this.send(ImprovPacketType.ErrorState, new Uint8Array([code]));
  }

  private sendResult(command: number, strings: string[]): void {
    this.send(ImprovPacketType.RpcResult, encodeRpc(command, encodeStrings(strings)));
  }

  private url(): string {
    return `http://${this.options.ipAddress ?? "192.168.4.50"}`;
  }

  private handle(packet: ImprovPacket): void {
    if (packet.type !== ImprovPacketType.RpcCommand) return;
    const rpc = decodeRpc(packet.data);
    if (!rpc) {
      this.sendError(ImprovErrorStateCode.InvalidRpc);
      return;
    }
    switch (rpc.command) {
      case ImprovCommand.RequestCurrentState:
        this.sendState();
        if (this.state === ImprovStateCode.Provisioned)
          this.sendResult(ImprovCommand.RequestCurrentState, [this.url()]);
        return;
      case ImprovCommand.RequestDeviceInfo:
        this.sendResult(ImprovCommand.RequestDeviceInfo, [
          this.options.firmware ?? "ESPHome",
          this.options.version ?? "2025.11.0",
          this.options.chipFamily ?? this.ctx.board.chip,
          this.hostname,
        ]);
        return;
      case ImprovCommand.RequestScannedNetworks:
        this.later(this.options.scanDelayMs ?? 30, () => {
          // As ESPHome answers RPC 4: one result per SSID (its scan list is strongest first), hidden ones
          // left out, then an empty result to end the list.
          const sent = new Set<string>();
          const byStrength = [...(this.options.accessPoints ?? [])].sort((a, b) => (b.rssi ?? -60) - (a.rssi ?? -60));
          for (const ap of byStrength) {
            if (ap.hidden || sent.has(ap.ssid)) continue;
            sent.add(ap.ssid);
            this.sendResult(ImprovCommand.RequestScannedNetworks, [
              ap.ssid,
              String(ap.rssi ?? -60),
              ap.password ? "YES" : "NO",
            ]);
          }
          this.sendResult(ImprovCommand.RequestScannedNetworks, []);
        });
        return;
      case ImprovCommand.SendWifiSettings:
        this.connect(rpc.payload);
        return;
      case ImprovCommand.Hostname: {
        const name = decodeStrings(rpc.payload).at(0);
        if (name !== undefined) this.hostname = name;
        this.sendResult(ImprovCommand.Hostname, [this.hostname]);
        return;
      }
      default:
        this.sendError(ImprovErrorStateCode.UnknownRpc);
    }
  }

  private connect(payload: Uint8Array): void {
    let ssid: string;
    let password: string;
    try {
      [ssid = "", password = ""] = decodeStrings(payload);
    } catch {
      this.sendError(ImprovErrorStateCode.InvalidRpc);
      return;
    }
    this.state = ImprovStateCode.Provisioning;
    this.sendState();
    if (this.options.chatty ?? true) this.log(`[I][wifi:313]: WiFi Connecting to '${ssid}'...`);
    const ap = (this.options.accessPoints ?? []).find((a) => a.ssid === ssid);
    const ok = ap !== undefined && (ap.password ?? "") === password;
    // A wrong password or a missing network is not reported by the radio as such: the device keeps
    // trying until its timeout, then says error 3 (unable to connect) and goes back to "ready".
    this.later(ok ? (this.options.connectDelayMs ?? 1500) : (this.options.connectTimeoutMs ?? 30_000), () => {
      if (!ok) {
        this.state = ImprovStateCode.Ready;
        if (this.options.chatty ?? true) this.log(`[W][wifi:627]: Error while connecting to network.`);
        this.sendError(ImprovErrorStateCode.UnableToConnect);
        this.sendState();
        return;
      }
      this.state = ImprovStateCode.Provisioned;
      this.sendState();
      this.sendResult(ImprovCommand.SendWifiSettings, [this.url()]);
    });
  }
}
