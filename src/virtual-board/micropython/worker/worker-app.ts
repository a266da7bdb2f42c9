/**
 * The page side of a virtual board whose MicroPython runs in a worker. It is an ordinary
 * AppRuntimeFactory for VirtualBoard: console bytes and flash writes cross to and from the worker,
 * Ctrl-C also crosses through shared memory (so it can end a blocking sleep), and the `webrtc`
 * module's peers run on the page's WebRTC stack.
 *
 *     const app = createMicroPythonWorkerApp({ accessPoints, modules: ["webrtc"] });
 *     const board = new VirtualBoard({ app });
 */
import type { PeerBackend } from "../../../core/signaling/peer";
import type { AppContext, AppRuntime, AppRuntimeFactory } from "../../types";
import { servePeerBackend, type PeerServer } from "../../webrtc/remote-peer";
import { servePeerHost, type PeerHostServer } from "../../webrtc/peer-host";
import type { DeviceStatusEvent } from "../runtime";
import type { WifiEvent, WifiSnapshot } from "../virtual-wifi";
import { announceCtrlC } from "./ctrl-c-gate";
import type { FromBoardWorker, ToBoardWorker, WorkerAppOptions } from "./protocol";
import type { HostNotice } from "../../webrtc/peer-host";
import type { BoardNetwork } from "../../httpserver/worker-http";
import { WorkerHttpLink } from "./http-link";

/** What the page needs of a worker: a browser Worker, or an adapter over a Node worker thread. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "error", listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

export interface MicroPythonWorkerAppOptions extends WorkerAppOptions {
  /** Starts one worker running serveMicroPythonBoard (one per power-on). */
  spawn: () => WorkerLike | Promise<WorkerLike>;
  /** The stack the `webrtc` module's peers run on; required when modules has "webrtc". */
  peerBackend?: () => Promise<PeerBackend>;
  /** How long a stopping worker may take to save its files before it is ended. */
  stopTimeoutMs?: number;
}

export interface MicroPythonWorkerApp extends AppRuntimeFactory {
  (ctx: AppContext): Promise<AppRuntime>;
  /** Radio state of the running app, as its last Wi-Fi event left it. */
  readonly wifi: WifiSnapshot | undefined;
  onWifi(listener: (e: WifiEvent) => void): () => void;
  onStatus(listener: (e: DeviceStatusEvent) => void): () => void;
  /** Resolves when the running app has shown its first prompt. */
  whenReady(timeoutMs?: number): Promise<void>;
  /** The running board on the page's simulated LAN (with modules "httpserver": its server). */
  readonly network: BoardNetwork;
}

/** Only the serialisable options cross to the worker. */
function workerOptions(o: MicroPythonWorkerAppOptions): WorkerAppOptions {
  const { accessPoints, connectDelayMs, rawPaste, ip, frozenFiles, modules } = o;
  return { accessPoints, connectDelayMs, rawPaste, ip, frozenFiles, modules };
}

/** Shared memory for Ctrl-C, where the page may share memory with a worker. */
function ctrlCCell(): SharedArrayBuffer | null {
  if (typeof SharedArrayBuffer !== "function") return null;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return null;
  return new SharedArrayBuffer(4);
}

class WorkerRuntime implements AppRuntime {
  readonly ready: Promise<void>;
  readonly stopped: Promise<void>;
  private readonly ctrlC = ctrlCCell();
  private peers: PeerServer | null = null;
  private peerHost: PeerHostServer | null = null;
  readonly http = new WorkerHttpLink((message) => this.post(message));
  private stopping = false;
  private markReady!: () => void;
  private markStopped!: () => void;

  constructor(
    private readonly worker: WorkerLike,
    private readonly ctx: AppContext,
    private readonly options: MicroPythonWorkerAppOptions,
    private readonly events: {
      wifi(e: WifiEvent, snapshot: WifiSnapshot | undefined): void;
      status(e: DeviceStatusEvent): void;
    },
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.stopped = new Promise((resolve) => (this.markStopped = resolve));
    worker.addEventListener("message", (event) => this.receive(event.data as FromBoardWorker));
    worker.addEventListener("error", (event) => this.fault(event.message ?? "the worker failed"));
    ctx.signal.addEventListener("abort", () => void this.stop(), { once: true });
  }

  async start(): Promise<void> {
    const wantsWebrtc = this.options.modules?.includes("webrtc") ?? false;
    const backend = wantsWebrtc && this.options.peerBackend ? await this.options.peerBackend() : null;
    // With shared memory the peers run here whole (the worker's blocking sleeps cannot starve them);
    // without, only the stack does and the peers' logic runs in the worker.
    if (backend && this.ctrlC) {
      this.peerHost = servePeerHost(backend, {
        postMessage: (notice) => this.post({ type: "peer-host", notice: notice as HostNotice }),
      });
    } else if (backend) this.peers = servePeerBackend(backend, (notice) => this.post({ type: "peer", notice }));
    const flash = this.ctx.flash.slice();
    this.post(
      {
        type: "boot",
        board: this.ctx.board,
        app: this.ctx.app,
        flash,
        options: workerOptions(this.options),
        ctrlC: this.ctrlC,
        peerBackend: backend ? { name: backend.name, canChooseCertificate: backend.canChooseCertificate } : null,
        peerHost: this.peerHost !== null,
        resetCause: this.ctx.resetCause,
      },
      [flash.buffer],
    );
  }

  input(bytes: Uint8Array): void {
    if (this.stopping) return;
    announceCtrlC(this.ctrlC, bytes);
    const copy = bytes.slice();
    this.post({ type: "rx", bytes: copy }, [copy.buffer]);
  }

  /** The worker saves its files, then ends; one that does not answer in time is ended anyway. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.post({ type: "stop" });
      const timer = setTimeout(() => this.markStopped(), this.options.stopTimeoutMs ?? 1000);
      this.http.close();
      void this.stopped.then(() => {
        clearTimeout(timer);
        this.peers?.closeAll();
        this.peerHost?.closeAll();
        this.worker.terminate();
      });
    }
    return this.stopped;
  }

  private post(message: ToBoardWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(msg: FromBoardWorker): void {
    if (this.http.receive(msg)) return;
    switch (msg.type) {
      case "tx":
        this.ctx.write(msg.bytes);
        return;
      case "flash":
        // Written by the chip before it stopped: flash keeps it even after a reset.
        this.ctx.flash.set(msg.bytes, msg.offset);
        return;
      case "wifi":
        this.events.wifi(msg.event, msg.snapshot);
        return;
      case "status":
        this.events.status(msg.event);
        return;
      case "ready":
        this.markReady();
        return;
      case "restart":
        this.ctx.restart?.();
        return;
      case "stopped":
        this.markStopped();
        return;
      case "fault":
        this.fault(msg.message);
        return;
      case "peer":
        this.peers?.handle(msg.request);
        return;
      case "peer-host":
        this.peerHost?.handle(msg.request);
        return;
    }
  }

  private fault(message: string): void {
    if (this.stopping) return;
    this.ctx.write(new TextEncoder().encode(`\r\nvirtual board: MicroPython worker: ${message}\r\n`));
  }
}

export function createMicroPythonWorkerApp(options: MicroPythonWorkerAppOptions): MicroPythonWorkerApp {
  const wifiListeners = new Set<(e: WifiEvent) => void>();
  const statusListeners = new Set<(e: DeviceStatusEvent) => void>();
  let wifi: WifiSnapshot | undefined;
  let current: WorkerRuntime | undefined;
  let started: Promise<WorkerRuntime> | undefined;
  let startFirst!: (boot: Promise<WorkerRuntime>) => void;
  const firstStarted = new Promise<WorkerRuntime>((resolve) => (startFirst = resolve));
  // A new boot waits for the previous worker's last flash write, as the chip's flash would have it.
  let previousStop: Promise<void> = Promise.resolve();

  const factory = async (ctx: AppContext): Promise<AppRuntime> => {
    await previousStop;
    const boot = (async () => {
      const worker = await options.spawn();
      const runtime = new WorkerRuntime(worker, ctx, options, {
        wifi: (e, snapshot) => {
          if (current === runtime) wifi = snapshot;
          wifiListeners.forEach((l) => l(e));
        },
        status: (e) => statusListeners.forEach((l) => l(e)),
      });
      current = runtime;
      wifi = undefined;
      previousStop = runtime.stopped;
      await runtime.start();
      return runtime;
    })();
    started = boot;
    startFirst(boot);
    return boot;
  };

  const subscribe = <T>(set: Set<T>, listener: T): (() => void) => {
    set.add(listener);
    return () => set.delete(listener);
  };

  Object.defineProperty(factory, "wifi", { get: () => wifi, enumerable: true });
  const network: BoardNetwork = {
    get ip() {
      return wifi?.ip ?? null;
    },
    get mdnsName() {
      return wifi?.mdns ?? null;
    },
    get serving() {
      return current?.http.serving ?? null;
    },
    request: (scheme, request) =>
      current
        ? current.http.request(scheme, request)
        : Promise.resolve({ status: -1, statusText: "", headers: {}, body: "" }),
  };
  return Object.assign(factory, {
    network,
    onWifi: (l: (e: WifiEvent) => void) => subscribe(wifiListeners, l),
    onStatus: (l: (e: DeviceStatusEvent) => void) => subscribe(statusListeners, l),
    whenReady: async (timeoutMs = 20_000): Promise<void> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`virtual MicroPython worker: no prompt within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([(started ?? firstStarted).then((runtime) => runtime.ready), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  }) as MicroPythonWorkerApp;
}
