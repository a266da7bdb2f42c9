/**
 * The worker side: runs the virtual board's MicroPython app (the same MicroPythonRuntime as in
 * Node) against a copy of the board's flash, and reports console output, flash writes, Wi-Fi and
 * status events to the page. `micropython.worker.ts` starts it in a browser worker; tests start it
 * in a Node worker thread.
 */
import type { AppContext, AppRuntime } from "../../types";
import { webrtcModuleHook } from "../../webrtc/module-hook";
import { createRemotePeerBackend, type RemotePeerBackend } from "../../webrtc/remote-peer";
import { PeerHostLink } from "../../webrtc/peer-host-client";
import type { HostNotice, HostRequest } from "../../webrtc/peer-host";
import { createUpstreamPyDirectApp, type UpstreamAppFactory } from "../../upstream/upstream-app";
import { workerHttpServerHook, type WorkerHttpServerHook } from "../../httpserver/worker-http";
import { createMicroPythonApp, type MicroPythonModuleHook } from "../index";
import { CtrlCGate } from "./ctrl-c-gate";
import type { FromBoardWorker, MessageEndpoint, ToBoardWorker } from "./protocol";

export function serveMicroPythonBoard(endpoint: MessageEndpoint): void {
  let runtime: AppRuntime | undefined;
  let gate = new CtrlCGate(null);
  let peers: RemotePeerBackend | null = null;
  let http: WorkerHttpServerHook | null = null;
  const hostListeners = new Set<(event: { data: unknown }) => void>();
  const abort = new AbortController();
  const post = (message: FromBoardWorker, transfer: Transferable[] = []): void =>
    endpoint.postMessage(message, transfer);

  const boot = (msg: Extract<ToBoardWorker, { type: "boot" }>): void => {
    gate = new CtrlCGate(msg.ctrlC);
    const modules: MicroPythonModuleHook[] = [];
    const upstream = msg.options.modules?.includes("upstream") ?? false;
    let webrtc: Parameters<typeof webrtcModuleHook>[0] | null = null;
    if (msg.options.modules?.includes("webrtc") && msg.peerBackend && msg.peerHost) {
      // The peers run on the page; calls reach them synchronously over shared memory.
      const link = new PeerHostLink({
        postMessage: (request) => post({ type: "peer-host", request: request as HostRequest }),
        addEventListener: (_type, listener) => hostListeners.add(listener),
      });
      webrtc = { peerHost: link };
    } else if (msg.options.modules?.includes("webrtc") && msg.peerBackend) {
      peers = createRemotePeerBackend(msg.peerBackend, (request) => post({ type: "peer", request }));
      webrtc = { backend: peers.backend };
    }
    // An upstream image's app adds the webrtc hook itself.
    if (webrtc && !upstream) modules.push(webrtcModuleHook(webrtc));
    // The module's ESP_LOGx lines (tag HTTPSERVER) go to an upstream image's ESP-IDF log.
    const logTo: { app?: UpstreamAppFactory } = {};
    if (msg.options.modules?.includes("httpserver")) {
      http = workerHttpServerHook(
        (serving) => post({ type: "http-serving", serving }),
        (level, text, inline) =>
          inline
            ? logTo.app?.idfLog.logInline(level, "HTTPSERVER", text)
            : logTo.app?.idfLog.log(level, "HTTPSERVER", text),
      );
      modules.push(http);
    }
    const flash = msg.flash;
    const create = upstream
      ? (options: Parameters<typeof createMicroPythonApp>[0]) =>
          (logTo.app = createUpstreamPyDirectApp({ ...options, webrtc: webrtc ?? false }))
      : createMicroPythonApp;
    const app = create({
      ...msg.options,
      modules,
      blockingWait: gate.wait,
      onFlashWritten: (offset, length) => {
        const bytes = flash.slice(offset, offset + length);
        post({ type: "flash", offset, bytes }, [bytes.buffer]);
      },
    });
    app.onWifi((event) => post({ type: "wifi", event, snapshot: app.wifi }));
    app.onStatus((event) => post({ type: "status", event }));
    const ctx: AppContext = {
      board: msg.board,
      flash,
      app: msg.app,
      write: (bytes) => {
        const copy = bytes.slice();
        post({ type: "tx", bytes: copy }, [copy.buffer]);
      },
      signal: abort.signal,
      resetCause: msg.resetCause,
      restart: () => post({ type: "restart" }),
    };
    const started = app(ctx);
    runtime = started;
    started.ready.then(
      () => post({ type: "ready" }),
      (err: unknown) => post({ type: "fault", message: String(err) }),
    );
  };

  endpoint.addEventListener("message", (event) => {
    const msg = event.data as ToBoardWorker;
    switch (msg.type) {
      case "boot":
        if (!runtime) boot(msg);
        return;
      case "rx":
        runtime?.input(gate.filter(msg.bytes));
        return;
      case "peer":
        peers?.handle(msg.notice);
        return;
      case "peer-host":
        hostListeners.forEach((l) => l({ data: msg.notice satisfies HostNotice }));
        return;
      case "http-request": {
        const refused = { status: -1, statusText: "", headers: {}, body: "" };
        void (http?.handle(msg.scheme, msg.request) ?? Promise.resolve(refused)).then((reply) =>
          post({ type: "http-reply", id: msg.id, reply }),
        );
        return;
      }
      case "stop":
        // Stopping persists the files (a last flash message), then the page may end the worker.
        abort.abort();
        void Promise.resolve(runtime?.stop()).finally(() => post({ type: "stopped" }));
        return;
    }
  });
}
