/**
 * The one place that loads the MicroPython WebAssembly build. In Node the package finds its own
 * .wasm next to micropython.mjs; in the browser the bundler must hand us the asset's URL, because
 * the pre-bundled module no longer sits next to the .wasm file.
 */
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript/micropython.mjs";

/** The subset of the package's API this runtime uses. */
export interface MicroPythonInstance {
  FS: EmscriptenFS;
  registerJsModule(name: string, module: object): void;
  pyimport(name: string): unknown;
  runPython(code: string): unknown;
  runPythonAsync(code: string): unknown;
  globals: { get(key: string): unknown; set(key: string, value: unknown): void; delete(key: string): void };
  _module: unknown;
}

/** The parts of Emscripten's FS used to save and restore the board's files. */
export interface EmscriptenFS {
  readdir(path: string): string[];
  stat(path: string): { mode: number };
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  mkdir(path: string): void;
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array | string): void;
  analyzePath(path: string): { exists: boolean };
}

export interface LoadOptions {
  /** Called with every byte MicroPython writes to stdout or stderr. */
  output: (bytes: Uint8Array) => void;
  /** Next console byte for sys.stdin, or null for "nothing waiting" (read as end of input). */
  input?: () => number | null;
  heapBytes?: number;
}

const isNode =
  typeof process !== "undefined" &&
  typeof (process.versions as Partial<typeof process.versions> | undefined)?.node === "string";

/**
 * The package's JS glue keeps its state on globalThis (Module, proxy tables, one
 * FinalizationRegistry), so a later instance takes those over. The registry's cleanup frees C-side
 * references through whatever `globalThis.Module` is at that moment: once an instance is replaced,
 * a garbage-collected proxy of the old one would free an unrelated object in the new one's heap.
 * Registries created while an instance loads are therefore guarded to act only while that
 * instance is the current one.
 */
let loading: { owner: () => unknown } | null = null;

function guardFinalizationRegistry(): () => void {
  const Original = globalThis.FinalizationRegistry;
  class Guarded<T> extends Original<T> {
    constructor(cleanup: (held: T) => void) {
      const load = loading;
      const owner = load?.owner;
      super((held: T) => {
        const module = owner?.();
        if (module === undefined || (globalThis as { Module?: unknown }).Module === module) cleanup(held);
      });
    }
  }
  globalThis.FinalizationRegistry = Guarded;
  return () => {
    globalThis.FinalizationRegistry = Original;
  };
}

let loadQueue: Promise<unknown> = Promise.resolve();

export function loadMicroPythonInstance(options: LoadOptions): Promise<MicroPythonInstance> {
  // One load at a time: the registry guard is per load, and the glue's globals are shared.
  const next = loadQueue.then(() => loadOne(options));
  loadQueue = next.catch(() => undefined);
  return next;
}

async function loadOne(options: LoadOptions): Promise<MicroPythonInstance> {
  const url = isNode ? undefined : await browserWasmUrl();
  let module: unknown;
  loading = { owner: () => module };
  const restore = guardFinalizationRegistry();
  try {
    const mp = (await loadMicroPython({
      url,
      heapsize: options.heapBytes ?? 1024 * 1024,
      // Without a source Emscripten would read the process's own stdin (Node) or prompt() (browser).
      stdin: options.input ?? (() => null),
      stdout: options.output,
      stderr: options.output,
      linebuffer: false,
    })) as MicroPythonInstance;
    module = mp._module;
    return mp;
  } finally {
    restore();
    loading = null;
  }
}

async function browserWasmUrl(): Promise<string> {
  const mod = await import("@micropython/micropython-webassembly-pyscript/micropython.wasm?url");
  return mod.default;
}
