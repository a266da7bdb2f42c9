import type { SerialPortLike } from "../port/serial-port";
import { validateWifiCredentials } from "../provision/wifi-settings";
import { ConsoleConnection } from "../repl/console-connection";
import { ImprovError } from "./errors";
import {
  IMPROV_ERRORS,
  IMPROV_STATES,
  ImprovCommand,
  ImprovPacketParser,
  ImprovPacketType,
  decodeStrings,
  encodePacket,
  encodeRpc,
  encodeStrings,
  rpcResultPayload,
  type ImprovDeviceError,
  type ImprovPacket,
  type ImprovState,
} from "./protocol";

export interface ImprovDeviceInfo {
  firmware: string;
  version: string;
  chip: string;
  name: string;
}

export interface ImprovNetwork {
  ssid: string;
  rssi: number;
  secured: boolean;
}

export interface ImprovProvisionResult {
  /** Where the device says it can be reached (its web UI), when it says. */
  url: string | null;
  /** Every URL the device listed. */
  urls: string[];
}

export interface ImprovOptions {
  baudRate?: number;
  /** How long to wait for the first answer; a board fresh from flashing needs a few seconds to boot. */
  detectTimeoutMs?: number;
  /** Per-request wait. */
  requestTimeoutMs?: number;
}

type Listener = (packet: ImprovPacket) => void;

/** What a packet means to a pending request: nothing yet (undefined), or its answer. */
type PacketStep<T> = (packet: ImprovPacket) => { value: T } | undefined;

interface AwaitOptions {
  timeoutMs: number;
  timeoutMessage?: string;
  /** Reject on an error-state packet, naming this request; absent: error states are ignored. */
  request?: string;
}

const NO_ANSWER = "The board did not answer the Improv request.";

const NEWLINE = new Uint8Array([0x0a]);

/**
 * ESPHome keeps trying a network for 30 s before it reports error 3; wait past that for its verdict.
 */
export const PROVISION_TIMEOUT_MS = 40_000;

/**
 * Client for boards that speak Improv Wi-Fi Serial (ESPHome, WLED, …): detect, read device info,
 * scan, send Wi-Fi settings and learn the device's URL.
 */
export class ImprovSerial {
  state: ImprovState = "unknown";
  lastError: ImprovDeviceError = "none";
  /** Packets with a wrong checksum or version seen so far (a noisy line shows up here). */
  badPackets = 0;
  private readonly listeners = new Set<Listener>();
  private readonly parser: ImprovPacketParser;
  private readonly offData: () => void;

  private constructor(
    readonly connection: ConsoleConnection,
    private readonly options: ImprovOptions,
  ) {
    this.parser = new ImprovPacketParser(
      (p) => this.dispatch(p),
      () => this.badPackets++,
    );
    this.offData = connection.onData((bytes) => {
      this.parser.push(bytes);
      // The packet parser has the bytes; the console buffer would only grow.
      connection.discardInput();
    });
  }

  /**
   * Open the port and ask for the current state until the board answers or `detectTimeoutMs`
   * passes. Resolves `null` (port released) when the firmware does not speak Improv.
   */
  static async detect(port: SerialPortLike, options: ImprovOptions = {}): Promise<ImprovSerial | null> {
    const connection = await ConsoleConnection.open(port, { baudRate: options.baudRate });
    const client = new ImprovSerial(connection, options);
    const deadline = Date.now() + (options.detectTimeoutMs ?? 10_000);
    try {
      while (Date.now() < deadline) {
        const answer = client.waitFor(
          (p) => p.type === ImprovPacketType.CurrentState,
          Math.min(1000, deadline - Date.now()),
        );
        try {
          await client.request(ImprovCommand.RequestCurrentState, new Uint8Array(), answer);
          return client;
        } catch (err) {
          if (!(err instanceof ImprovError) || err.code !== "timeout") throw err;
        }
      }
    } catch (err) {
      await client.close();
      throw err;
    }
    await client.close();
    return null;
  }

  async close(): Promise<void> {
    this.offData();
    await this.connection.close();
  }

  async requestCurrentState(): Promise<{ state: ImprovState; url: string | null }> {
    const urls = this.collectResult(ImprovCommand.RequestCurrentState, this.timeout());
    urls.catch(() => undefined); // awaited below only for a provisioned board
    const state = this.waitFor((p) => p.type === ImprovPacketType.CurrentState, this.timeout());
    await this.request(ImprovCommand.RequestCurrentState, new Uint8Array(), state);
    if (this.state !== "provisioned") return { state: this.state, url: null };
    // Provisioned devices follow the state with an RPC result holding their URL.
    const list = await urls.catch(() => [] as string[]);
    return { state: this.state, url: list[0] ?? null };
  }

  async deviceInfo(): Promise<ImprovDeviceInfo> {
    const result = this.collectResult(ImprovCommand.RequestDeviceInfo, this.timeout());
    const [firmware = "", version = "", chip = "", name = ""] = await this.request(
      ImprovCommand.RequestDeviceInfo,
      new Uint8Array(),
      result,
    );
    return { firmware, version, chip, name };
  }

  /** Networks the board sees; one RPC result per network, an empty one ends the list. */
  async scan(timeoutMs = 20_000): Promise<ImprovNetwork[]> {
    const networks: ImprovNetwork[] = [];
    const done = this.awaitPacket<undefined>(
      { timeoutMs, timeoutMessage: "The board did not finish its Wi-Fi scan in time. Try again.", request: "scan" },
      (p) => {
        const payload = rpcResultPayload(p, ImprovCommand.RequestScannedNetworks);
        if (!payload) return undefined;
        const strings = decodeStrings(payload);
        if (strings.length === 0) return { value: undefined };
        const [ssid = "", rssi = "0", auth = "NO"] = strings;
        networks.push({ ssid, rssi: Number.parseInt(rssi, 10), secured: auth.toUpperCase() === "YES" });
        return undefined;
      },
    );
    await this.request(ImprovCommand.RequestScannedNetworks, new Uint8Array(), done);
    return networks.sort((a, b) => b.rssi - a.rssi);
  }

  /**
   * Send Wi-Fi settings and wait for the outcome: provisioned (with the URL the board reports) or
   * a typed `ImprovError("unable-to-connect")` the user can correct and retry. Invalid input is a
   * `ProvisionError` naming the field, thrown before anything is sent.
   */
  async provision(ssid: string, password: string, timeoutMs = PROVISION_TIMEOUT_MS): Promise<ImprovProvisionResult> {
    // Same rules and typed errors (field + reason) as the pyDirect path, before anything is sent.
    validateWifiCredentials({ ssid, password });
    const outcome = this.awaitPacket<ImprovProvisionResult>(
      {
        timeoutMs,
        timeoutMessage:
          "The board did not report whether it joined the network. Check the Wi-Fi details and try again.",
        request: "provision",
      },
      (p) => {
        const payload = rpcResultPayload(p, ImprovCommand.SendWifiSettings);
        if (!payload) return undefined;
        const urls = decodeStrings(payload);
        return { value: { url: urls[0] ?? null, urls } };
      },
    );
    return this.request(ImprovCommand.SendWifiSettings, encodeStrings([ssid, password]), outcome);
  }

  async hostname(newName?: string): Promise<string> {
    const result = this.collectResult(ImprovCommand.Hostname, this.timeout());
    return (
      (
        await this.request(
          ImprovCommand.Hostname,
          newName === undefined ? new Uint8Array() : encodeStrings([newName]),
          result,
        )
      )[0] ?? ""
    );
  }

  // ---- internals --------------------------------------------------------------------------------

  private timeout(): number {
    return this.options.requestTimeoutMs ?? 3000;
  }

  /**
   * Send an RPC whose answer `pending` is already listening for (registered first, so a fast
   * board's reply is not missed). A failed send abandons `pending` rather than leaving it to
   * reject later with nobody listening.
   */
  private async request<T>(command: number, payload: Uint8Array, pending: Promise<T>): Promise<T> {
    try {
      await this.sendRpc(command, payload);
    } catch (err) {
      pending.catch(() => undefined);
      throw err;
    }
    return pending;
  }

  private async sendRpc(command: number, payload: Uint8Array): Promise<void> {
    const packet = encodePacket(ImprovPacketType.RpcCommand, encodeRpc(command, payload));
    // Line-oriented firmwares (and the REPL some share the port with) expect a newline after it.
    const framed = new Uint8Array(packet.length + 1);
    framed.set(packet);
    framed.set(NEWLINE, packet.length);
    try {
      await this.connection.write(framed);
    } catch (err) {
      throw new ImprovError("disconnected", "The board was disconnected. Plug it back in and try again.", {
        cause: err,
      });
    }
  }

  private dispatch(packet: ImprovPacket): void {
    if (packet.type === ImprovPacketType.CurrentState) this.state = IMPROV_STATES[packet.data.at(0) ?? 0] ?? "unknown";
    if (packet.type === ImprovPacketType.ErrorState)
      this.lastError = IMPROV_ERRORS[packet.data.at(0) ?? 0xff] ?? "unknown";
    for (const l of [...this.listeners]) l(packet);
  }

  private listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private errorOf(packet: ImprovPacket): ImprovDeviceError | null {
    if (packet.type !== ImprovPacketType.ErrorState) return null;
    const error = IMPROV_ERRORS[packet.data.at(0) ?? 0xff] ?? "unknown";
    return error === "none" ? null : error;
  }

  private rejection(error: ImprovDeviceError, what: string): ImprovError {
    if (error === "unable-to-connect") {
      return new ImprovError(
        "unable-to-connect",
        "The board could not join the network. Check the network name and password (and that the network is in range), then try again.",
      );
    }
    return new ImprovError("rejected", `The board refused the ${what} request (${error}).`);
  }

  private waitFor(match: (p: ImprovPacket) => boolean, timeoutMs: number): Promise<ImprovPacket> {
    return this.awaitPacket({ timeoutMs }, (p) => (match(p) ? { value: p } : undefined));
  }

  private collectResult(command: number, timeoutMs: number): Promise<string[]> {
    return this.awaitPacket({ timeoutMs, request: "device" }, (p) => {
      const payload = rpcResultPayload(p, command);
      return payload ? { value: decodeStrings(payload) } : undefined;
    });
  }

  /**
   * Feed every incoming packet to `step` until it gives an answer, the board reports an error
   * state (when `request` is set) or the time runs out. A malformed answer rejects rather than
   * throwing into the serial reader.
   */
  private awaitPacket<T>(options: AwaitOptions, step: PacketStep<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (finish: () => void) => {
        clearTimeout(timer);
        off();
        finish();
      };
      const timer = setTimeout(
        () => settle(() => reject(new ImprovError("timeout", options.timeoutMessage ?? NO_ANSWER))),
        Math.max(0, options.timeoutMs),
      );
      const off = this.listen((p) => {
        const request = options.request;
        const error = request === undefined ? null : this.errorOf(p);
        if (error && request !== undefined) {
          settle(() => reject(this.rejection(error, request)));
          return;
        }
        let answer: { value: T } | undefined;
        try {
          answer = step(p);
        } catch (err) {
          settle(() =>
            reject(new ImprovError("rejected", "The board sent a malformed Improv answer. Try again.", { cause: err })),
          );
          return;
        }
        if (answer) settle(() => resolve(answer.value));
      });
    });
  }
}
