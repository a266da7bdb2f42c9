/**
 * One MicroPython interpreter (one boot of the board): the wasm instance, the `_vboard` bridge
 * its shims call, cooperative sleeps and Ctrl-C. A soft reset throws the instance away and starts
 * another, which is how a real soft reset clears the heap.
 */
import { makeSleepsCooperative } from "./cooperative-source";
import { loadMicroPythonInstance, type MicroPythonInstance } from "./load-wasm";
import { BOARD_SHIMS_PY } from "./python-shims";
import type { VirtualWifi } from "./virtual-wifi";

export type ResetKind = "soft" | "hard";

export type ExecOutcome =
  | { kind: "ok" }
  | { kind: "exception"; type: string; traceback: string }
  /** SystemExit: the REPL answers it with a soft reset (or the reset machine.* asked for). */
  | { kind: "exit"; reset: ResetKind };

/** What the bridge needs from the board around the interpreter. */
export interface InterpreterHost {
  wifi: VirtualWifi;
  mac: Uint8Array;
  resetCause: number;
  /** Every byte the interpreter prints (stdout and stderr are one stream on a board's console). */
  output(bytes: Uint8Array): void;
  /** A console byte for sys.stdin, if one is waiting. */
  input(): number | null;
  /** A whole line typed while code runs, if one is complete (input()). */
  inputLine(): string | null;
  /** sys.implementation._machine, e.g. "pyDirect with ESP32S3". */
  machine: string;
  /** sys.platform: "esp32" for the ESP32 family. */
  platform: string;
  /** Size of the flash filesystem partition and bytes its files take, for os.statvfs. */
  filesystemUsage(): { size: number; used: number };
  /**
   * How a sleep inside a plain function waits (no await is possible there). Returns true when a
   * Ctrl-C cut the wait short; `interruptible` is false while no console code runs (a background
   * task's sleep must not take the console's KeyboardInterrupt). `blockFor` is the plain,
   * uninterruptible way.
   */
  blockingWait(ms: number, interruptible: boolean): boolean;
}

/**
 * A cell to Atomics.wait on. A page that is not cross-origin isolated has no SharedArrayBuffer
 * constructor, but its workers may still make shared WebAssembly memory, whose buffer is one.
 */
function makeBlockCell(): Int32Array | null {
  if (typeof SharedArrayBuffer === "function") return new Int32Array(new SharedArrayBuffer(4));
  try {
    return new Int32Array(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer);
  } catch {
    return null;
  }
}
const blockCell = makeBlockCell();
/** Atomics.wait is refused on a browser's main thread; there the blocking fallback has to spin. */
const canBlockWithoutSpinning = ((): boolean => {
  if (!blockCell) return false;
  try {
    Atomics.wait(blockCell, 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

export function blockFor(ms: number): void {
  if (!(ms > 0)) return;
  if (canBlockWithoutSpinning && blockCell) {
    Atomics.wait(blockCell, 0, 0, ms);
    return;
  }
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // No way to yield from synchronous Python on this platform; documented limitation.
  }
}

/** The wasm build keeps its state in globals (globalThis.Module), so one interpreter per JS realm. */
let liveInterpreter: Interpreter | undefined;

export class Interpreter {
  /** Set when another board's interpreter took over this realm's MicroPython globals. */
  onDisplaced: (() => void) | undefined;
  private disposed = false;
  private running = false;
  private interruptPending = false;
  private resetRequest: ResetKind | undefined;
  private readonly lineWaiters = new Set<(line: string | null) => void>();
  private readonly sleeps = new Set<{
    timer: ReturnType<typeof setTimeout>;
    resolve: (interrupted: boolean) => void;
  }>();

  private constructor(
    readonly mp: MicroPythonInstance,
    private readonly host: InterpreterHost,
  ) {}

  static async start(host: InterpreterHost): Promise<Interpreter> {
    // The old instance must be quiesced while the glue's globals still point at it.
    const previous = liveInterpreter;
    if (previous && !previous.disposed) {
      previous.dispose();
      previous.onDisplaced?.();
    }
    // Output goes to the interpreter once it exists (it may be replaced later), to the host before.
    const route: { to?: Interpreter } = {};
    const mp = await loadMicroPythonInstance({
      output: (b) => (route.to ? route.to.emit(b) : host.output(b)),
      input: () => host.input(),
    });
    const self = new Interpreter(mp, host);
    route.to = self;
    liveInterpreter = self;
    mp.registerJsModule("_vboard", self.bridge());
    mp.globals.set("__vb_shim_src", BOARD_SHIMS_PY);
    mp.runPython("exec(__vb_shim_src, {'__name__': 'vboard'})\ndel __vb_shim_src");
    return self;
  }

  /**
   * Runs code as the console does: in __main__, tracebacks naming `<stdin>` (or `filename`).
   * `cooperative` rewrites top-level sleeps into awaits (see cooperative-source.ts).
   */
  async exec(code: string, options: { cooperative?: boolean; filename?: string } = {}): Promise<ExecOutcome> {
    if (this.disposed)
      return { kind: "exception", type: "RuntimeError", traceback: "RuntimeError: interpreter stopped\n" };
    const source = options.cooperative === false ? code : makeSleepsCooperative(code);
    this.running = true;
    this.resetRequest = undefined;
    let outcome: ExecOutcome;
    try {
      const result = this.mp.runPythonAsync(source);
      if (result instanceof Promise) await result;
      outcome = { kind: "ok" };
    } catch (err) {
      outcome = this.outcomeOf(err, options.filename);
    } finally {
      this.running = false;
    }
    this.interruptPending = false;
    return outcome;
  }

  /** The friendly REPL prints the value of an expression statement. */
  isExpression(source: string): boolean {
    this.mp.globals.set("__vb_src", source);
    try {
      this.mp.runPython("compile(__vb_src, '<stdin>', 'eval')");
      return true;
    } catch {
      return false;
    } finally {
      this.mp.globals.delete("__vb_src");
    }
  }

  /**
   * Ctrl-C while code runs. KeyboardInterrupt must surface in the console's own code, never in a
   * background asyncio callback (it would escape into a JS timer), so it is raised only by the
   * console's own sleeps: the one waiting now resumes and raises it, or the next one the code
   * makes does.
   */
  interrupt(): void {
    if (!this.running || this.disposed) return;
    for (const resolve of this.lineWaiters) resolve(null);
    const waited = this.lineWaiters.size > 0;
    this.lineWaiters.clear();
    if (this.sleeps.size === 0 && !waited) {
      this.interruptPending = true;
      // Not in a console sleep: an asyncio.run main task is cancelled (its runner turns that
      // into KeyboardInterrupt); otherwise the next sleep the code makes raises it.
      const interruptMain = this.mp.globals.get("__vb_interrupt_main") as (() => boolean) | undefined;
      try {
        interruptMain?.();
      } catch {
        // Nothing to cancel.
      }
      return;
    }
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.resolve(true);
    }
    this.sleeps.clear();
  }

  /** Power off: timers stop, the asyncio loop stops rescheduling, the bridge goes quiet. */
  dispose(): void {
    if (this.disposed) return;
    try {
      this.mp.runPython(QUIESCE_ASYNCIO_PY);
    } catch {
      // A broken interpreter has nothing left to quiesce.
    }
    this.disposed = true;
    for (const s of this.sleeps) clearTimeout(s.timer);
    this.sleeps.clear();
    this.lineWaiters.clear();
    if (liveInterpreter === this) liveInterpreter = undefined;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private emit(bytes: Uint8Array): void {
    if (!this.disposed) this.host.output(bytes);
  }

  private outcomeOf(err: unknown, filename: string | undefined): ExecOutcome {
    const e = err as { name?: string; type?: string; message?: string };
    if ((e as typeof e | null)?.name !== "PythonError") {
      return {
        kind: "exception",
        type: "RuntimeError",
        traceback: `RuntimeError: ${String((err as Partial<Error> | null)?.message ?? err)}\n`,
      };
    }
    const type = e.type ?? "Exception";
    if (type === "SystemExit") return { kind: "exit", reset: this.resetRequest ?? "soft" };
    // time.sleep and input() are native code on the chip: their Python stand-ins (the shims) leave no frames.
    let traceback = (e.message ?? `${type}\n`).replace(
      /^ {2}File "<string>", line \d+, in _{1,2}(vb_)?(sleep|sleep_ms|sleep_us|block_ms|input)\n/gm,
      "",
    );
    if (filename) traceback = traceback.split('File "<stdin>"').join(`File "${filename}"`);
    return { kind: "exception", type, traceback };
  }

  /** The host typed something: an input() waiting for a line may have it now. */
  inputArrived(): void {
    for (const resolve of this.lineWaiters) {
      const line = this.host.inputLine();
      if (line === null) return;
      this.lineWaiters.delete(resolve);
      resolve(line);
    }
  }

  /** input() in console code (see __vb_input): the next line, or null when Ctrl-C ended the wait. */
  private readLine(): Promise<string | null> {
    if (this.disposed) return new Promise(() => {});
    if (this.interruptPending) {
      this.interruptPending = false;
      return Promise.resolve(null);
    }
    const line = this.host.inputLine();
    if (line !== null) return Promise.resolve(line);
    return new Promise((resolve) => this.lineWaiters.add(resolve));
  }

  /** A console sleep (see __vb_sleep_ms); resolves true when Ctrl-C ended it. */
  private sleepMs(ms: number): Promise<boolean> {
    if (this.disposed) return new Promise(() => {});
    if (this.interruptPending) {
      this.interruptPending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(
          () => {
            this.sleeps.delete(entry);
            resolve(false);
          },
          Math.max(0, ms),
        ),
        resolve,
      };
      this.sleeps.add(entry);
    });
  }

  /**
   * A sleep in a plain function; true tells the shim to raise KeyboardInterrupt there. A Ctrl-C
   * that cuts the sleep short does so at once in the console's own code; inside an asyncio task it
   * is handled as a Ctrl-C arriving from outside once the task yields (see interrupt()), so it
   * never escapes into the scheduler's JS callback.
   */
  private blockMs(ms: number, consoleCode: boolean): boolean {
    if (this.disposed) return false;
    if (this.interruptPending && consoleCode) {
      this.interruptPending = false;
      return true;
    }
    if (!this.host.blockingWait(ms, this.running && !this.interruptPending)) return false;
    if (consoleCode) return true;
    queueMicrotask(() => this.interrupt());
    return false;
  }

  private bridge(): Record<string, unknown> {
    const { wifi } = this.host;
    return {
      sleep_ms: (ms: number) => this.sleepMs(ms),
      block_ms: (ms: number, consoleCode: boolean) => this.blockMs(ms, consoleCode),
      read_line: () => this.readLine(),
      read_line_now: () => this.host.inputLine(),
      mac_hex: (iface: number) => macHex(this.host.mac, iface),
      request_reset: (kind: ResetKind) => {
        this.resetRequest = kind;
      },
      reset_cause: () => this.host.resetCause,
      interrupt_requested: () => this.interruptPending,
      board_machine: () => this.host.machine,
      board_platform: () => this.host.platform,
      fs_size: () => this.host.filesystemUsage().size,
      fs_used: () => this.host.filesystemUsage().used,
      wifi_active: () => wifi.active,
      wifi_set_active: (on: boolean) => wifi.setActive(on),
      wifi_connect: (ssid: string, key: string) => wifi.connect(ssid, key),
      wifi_disconnect: () => wifi.disconnect(),
      wifi_status: () => wifi.status(),
      wifi_rssi: () => wifi.rssi(),
      wifi_ssid: () => wifi.connectedSsid(),
      wifi_scan_json: () => JSON.stringify(wifi.scan()),
      wifi_ifconfig_json: () => JSON.stringify(wifi.ifconfig()),
      wifi_hostname: () => wifi.hostname,
      wifi_set_hostname: (name: string) => {
        wifi.hostname = name;
      },
    };
  }
}

/** ESP-IDF derives interface MACs from the base MAC: station = base, soft-AP = base + 1. */
export function macHex(base: Uint8Array, iface: number): string {
  const mac = Array.from(base);
  let carry = iface;
  for (let i = 5; i >= 0 && carry > 0; i--) {
    const v = mac[i] + carry;
    mac[i] = v & 0xff;
    carry = v >> 8;
  }
  return mac.map((b) => b.toString(16).padStart(2, "0")).join("");
}

const QUIESCE_ASYNCIO_PY = `
import sys
__vb_core = sys.modules.get('asyncio.core')
if __vb_core is not None:
    import js
    if __vb_core.asyncio_timer is not None:
        js.clearTimeout(__vb_core.asyncio_timer)
    __vb_core._run_iter = lambda: None
    __vb_core._task_queue = __vb_core.TaskQueue(lambda dt: None)
`;
