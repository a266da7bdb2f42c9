/**
 * The app of the demo's upstream pyDirect look-alike image: MicroPython with upstream's modules
 * (ESP-IDF's log lines, `webrepl_binary`, `webrtc` without end-of-candidates) and its `httpserver`,
 * running OUR scripts written to behave like upstream's (test/fixtures/upstream-device, frozen into
 * upstream-demo-files.generated.ts). In a browser the interpreter runs in a worker and the board's
 * server is reached through the page's simulated LAN (virtual-lan.ts); without workers (Node) it
 * runs in this thread with the same server core. Loaded on first boot of such an image.
 */
import type { BoardNetwork } from "../virtual-board/httpserver/worker-http";
import type { VirtualAccessPoint } from "../virtual-board/micropython/virtual-wifi";
import type { AppRuntimeFactory } from "../virtual-board/types";

export function demoUpstreamApp(
  accessPoints: VirtualAccessPoint[],
  lan: { network: BoardNetwork | null },
): AppRuntimeFactory {
  let app: Promise<AppRuntimeFactory> | null = null;
  const inWorker = typeof Worker === "function" && typeof location !== "undefined";
  return (ctx) => {
    app ??= inWorker ? inWorkerApp(accessPoints, lan) : inThreadApp(accessPoints, lan);
    return app.then((factory) => factory(ctx));
  };
}

async function inWorkerApp(
  accessPoints: VirtualAccessPoint[],
  lan: { network: BoardNetwork | null },
): Promise<AppRuntimeFactory> {
  const [{ createMicroPythonWorkerApp }, { spawnBrowserBoardWorker }, { browserPeerBackend }, { UPSTREAM_DEMO_FILES }] =
    await Promise.all([
      import("../virtual-board/micropython/worker/worker-app"),
      import("../virtual-board/micropython/worker/spawn-browser-worker"),
      import("../core/signaling/browser-peer"),
      import("./upstream-demo-files.generated"),
    ]);
  const app = createMicroPythonWorkerApp({
    accessPoints,
    modules: ["webrtc", "upstream", "httpserver"],
    frozenFiles: UPSTREAM_DEMO_FILES,
    spawn: spawnBrowserBoardWorker,
    peerBackend: async () => browserPeerBackend,
  });
  lan.network = app.network;
  return app;
}

async function inThreadApp(
  accessPoints: VirtualAccessPoint[],
  lan: { network: BoardNetwork | null },
): Promise<AppRuntimeFactory> {
  const [{ createUpstreamPyDirectApp }, { workerHttpServerHook }, { UPSTREAM_DEMO_FILES }] = await Promise.all([
    import("../virtual-board/upstream/upstream-app"),
    import("../virtual-board/httpserver/worker-http"),
    import("./upstream-demo-files.generated"),
  ]);
  let serving: BoardNetwork["serving"] = null;
  const log: { to?: (level: 1 | 2 | 3, text: string, inline?: boolean) => void } = {};
  const http = workerHttpServerHook(
    (s) => (serving = s),
    (level, text, inline) => log.to?.(level, text, inline),
  );
  const app = createUpstreamPyDirectApp({ accessPoints, frozenFiles: UPSTREAM_DEMO_FILES, modules: [http] });
  log.to = (level, text, inline) =>
    inline ? app.idfLog.logInline(level, "HTTPSERVER", text) : app.idfLog.log(level, "HTTPSERVER", text);
  lan.network = {
    get ip() {
      return app.wifi?.ip ?? null;
    },
    get mdnsName() {
      return app.wifi?.mdns ?? null;
    },
    get serving() {
      return serving;
    },
    request: (scheme, request) => http.handle(scheme, request),
  };
  return app;
}
