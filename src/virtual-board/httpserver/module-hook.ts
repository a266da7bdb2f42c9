/**
 * NODE-ONLY: the hook that gives the virtual board's MicroPython an `httpserver` module
 * (`createMicroPythonApp({ modules: [httpServerModuleHook(h)] })`). One HTTPS server per boot,
 * closed at power-off/reset; `current` is the running one (tests read its port).
 */
import { createVirtualHttpsServer, type VirtualHttpsOptions, type VirtualHttpsServer } from "./https-server-node";
import { installPythonModule } from "../micropython/install-python-module";
import { HTTPSERVER_SHIM_PY } from "./httpserver-shim.py";

/** The slice of a MicroPython WebAssembly instance the hook needs. */
interface MicroPythonLike {
  registerJsModule(name: string, module: object): void;
  runPython(code: string): unknown;
  globals: { set(key: string, value: unknown): void };
}

export interface HttpServerHook {
  (mp: MicroPythonLike, ctx: { write(bytes: Uint8Array): void }): () => void;
  /** The server of the current boot (null before the first boot). */
  readonly current: VirtualHttpsServer | null;
  /** Resolves with the port of the next (or current) server once it listens. */
  listening(): Promise<number>;
}

export function httpServerModuleHook(options: VirtualHttpsOptions = {}): HttpServerHook {
  let current: VirtualHttpsServer | null = null;
  const waiters = new Set<(server: VirtualHttpsServer) => void>();
  const hook = (mp: MicroPythonLike, ctx: { write(bytes: Uint8Array): void }) => {
    const server = createVirtualHttpsServer({
      reportError: (text) => ctx.write(new TextEncoder().encode(`${text}\r\n`)),
      ...options,
    });
    current = server;
    mp.registerJsModule("_httpserver_js", server.module);
    installPythonModule(mp, "httpserver", HTTPSERVER_SHIM_PY);
    waiters.forEach((w) => w(server));
    waiters.clear();
    return () => void server.close();
  };
  // An accessor needs defineProperty: Object.assign would copy the getter's value (null) once.
  Object.defineProperty(hook, "current", { get: () => current, enumerable: true });
  return Object.assign(hook, {
    listening(): Promise<number> {
      if (current) return current.listening;
      return new Promise<VirtualHttpsServer>((resolve) => waiters.add(resolve)).then((s) => s.listening);
    },
  }) as HttpServerHook;
}
