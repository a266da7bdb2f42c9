/**
 * What the page and the virtual board's MicroPython worker say to each other. In a browser the
 * board's interpreter runs in a dedicated worker, so that a `time.sleep` in a plain function can
 * block its own thread (Atomics.wait) instead of spinning the page's; the page keeps the board's
 * link, flash and WebRTC stack. One worker lives from one power-on (or hard reset) to the next.
 */
import type { DeviceStatusEvent } from "../runtime";
import type { ConnectDelays, VirtualAccessPoint, WifiEvent, WifiSnapshot } from "../virtual-wifi";
import type { BackendInfo, PeerNotice, PeerRequest } from "../../webrtc/remote-peer";
import type { HostNotice, HostRequest } from "../../webrtc/peer-host";
import type { AppContext, BoardIdentity, BootedApp } from "../../types";
import type { HttpReplyOut, HttpRequestIn } from "../../httpserver/upstream-http-core";
import type { HttpServing } from "../../httpserver/worker-http";

/**
 * JS-backed modules the worker can register by name (functions cannot cross to a worker).
 * "upstream": the image is upstream pyDirect's (src/virtual-board/upstream: esp.osdebug and
 * ESP-IDF's log lines, webrepl_binary, …). "httpserver": upstream's `httpserver` module, its
 * requests routed by the page (src/virtual-board/httpserver/worker-http.ts).
 */
export type WorkerModuleName = "webrtc" | "upstream" | "httpserver";

/** The serialisable part of MicroPythonAppOptions. */
export interface WorkerAppOptions {
  accessPoints?: VirtualAccessPoint[];
  connectDelayMs?: number | Partial<ConnectDelays>;
  rawPaste?: boolean;
  ip?: string;
  frozenFiles?: Record<string, string>;
  modules?: WorkerModuleName[];
}

export type ToBoardWorker =
  | {
      type: "boot";
      board: BoardIdentity;
      app: BootedApp;
      /** A copy of the board's flash; the worker sends back what it writes. */
      flash: Uint8Array;
      options: WorkerAppOptions;
      /**
       * Int32 cell 0 counts the Ctrl-C bytes the page has forwarded, bumped before the bytes are
       * posted, so a blocking sleep can wake on one that is still queued. null where the page
       * cannot share memory (not cross-origin isolated): sleeps still block without CPU, on memory
       * of the worker's own, but Ctrl-C reaches the program only once the sleep is over.
       */
      ctrlC: SharedArrayBuffer | null;
      /** The page's WebRTC stack, when it serves one for the `webrtc` module. */
      peerBackend: BackendInfo | null;
      /**
       * The page runs the peers themselves (peer-host.ts) and the worker calls them synchronously
       * over shared memory, so a blocking sleep still sees them progress. False where the page
       * cannot share memory: the peers' logic then runs in the worker (remote-peer.ts).
       */
      peerHost?: boolean;
      resetCause: AppContext["resetCause"];
    }
  | { type: "rx"; bytes: Uint8Array }
  | { type: "stop" }
  | { type: "peer"; notice: PeerNotice }
  | { type: "peer-host"; notice: HostNotice }
  /** A request the page routed to the board's port 80 ("http") or 443 ("https"). */
  | { type: "http-request"; id: number; scheme: "http" | "https"; request: HttpRequestIn };

export type FromBoardWorker =
  | { type: "tx"; bytes: Uint8Array }
  | { type: "flash"; offset: number; bytes: Uint8Array }
  | { type: "wifi"; event: WifiEvent; snapshot: WifiSnapshot | undefined }
  | { type: "status"; event: DeviceStatusEvent }
  | { type: "ready" }
  /** machine.reset(): restart the chip (AppContext.restart). */
  | { type: "restart" }
  | { type: "stopped" }
  | { type: "fault"; message: string }
  | { type: "peer"; request: PeerRequest }
  | { type: "peer-host"; request: HostRequest }
  /** What the board's `httpserver` serves now (null: stopped). */
  | { type: "http-serving"; serving: HttpServing | null }
  /** The answer to "http-request" `id`; status -1: the connection was refused or closed. */
  | { type: "http-reply"; id: number; reply: HttpReplyOut };

/** The side of a Worker (or of a worker's global scope, or a MessagePort) that messages use. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

export const CTRL_C = 0x03;
