/**
 * The worker side: runs the virtual board's MicroPython app (the same MicroPythonRuntime as in
 * Node) against a copy of the board's flash, and reports console output, flash writes, Wi-Fi and
 * status events to the page. `micropython.worker.ts` starts it in a browser worker; tests start it
 * in a Node worker thread.
 */
import type { AppContext, AppRuntime } from "../../types";
import { webrtcModuleHook } from "../../webrtc/module-hook";
import { createRemotePeerBackend, type RemotePeerBackend } from "../../webrtc/remote-peer";
import { createUpstreamPyDirectApp } from "../../upstream/upstream-app";
import { createMicroPythonApp, type MicroPythonModuleHook } from "../index";
import { CtrlCGate } from "./ctrl-c-gate";
import type { FromBoardWorker, MessageEndpoint, ToBoardWorker } from "./protocol";

export function serveMicroPythonBoard(endpoint: MessageEndpoint): void {
  let runtime: AppRuntime | undefined;
  let gate = new CtrlCGate(null);
  let peers: RemotePeerBackend | null = null;
  const abort = new AbortController();
  const post = (message: FromBoardWorker, transfer: Transferable[] = []): void =>
    endpoint.postMessage(message, transfer);

  const boot = (msg: Extract<ToBoardWorker, { type: "boot" }>): void => {
    gate = new CtrlCGate(msg.ctrlC);
    const modules: MicroPythonModuleHook[] = [];
    const upstream = msg.options.modules?.includes("upstream") ?? false;
    if (msg.options.modules?.includes("webrtc") && msg.peerBackend) {
      peers = createRemotePeerBackend(msg.peerBackend, (request) => post({ type: "peer", request }));
      // An upstream image's app adds the webrtc hook itself.
      if (!upstream) modules.push(webrtcModuleHook({ backend: peers.backend }));
    }
    const flash = msg.flash;
    const create = upstream
      ? (options: Parameters<typeof createMicroPythonApp>[0]) =>
          createUpstreamPyDirectApp({ ...options, webrtc: peers ? { backend: peers.backend } : false })
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
      case "stop":
        // Stopping persists the files (a last flash message), then the page may end the worker.
        abort.abort();
        void Promise.resolve(runtime?.stop()).finally(() => post({ type: "stopped" }));
        return;
    }
  });
}
