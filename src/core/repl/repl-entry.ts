/**
 * Getting into MicroPython's raw REPL on a board that may be running a program: the interrupt
 * (Ctrl-C, Ctrl-A) and, for firmware whose main.py carries on after KeyboardInterrupt, the reset
 * that interrupts boot.py instead. Used by RawRepl.enter.
 */
import type { ConsoleConnection } from "./console-connection";
import { ReplError } from "./errors";

const CTRL_A = 0x01;
const CTRL_C = 0x03;

const RAW_BANNER = "raw REPL; CTRL-B to exit\r\n";
export const RAW_PROMPT = RAW_BANNER + ">";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What boot.py prints first, the moment to interrupt it: upstream pyDirect's greeting, and the
 * boot status line of the portal's own device scripts.
 */
export const BOOT_GREETINGS: readonly string[] = ["System booting...", 'PYDIRECT {"event":"boot"'];
/** How long the ordinary retry waits before the boot interrupt is tried. */
export const BEFORE_BOOT_INTERRUPT_MS = 1500;
/**
 * Output the board had already sent when Ctrl-C reached it is all here within this time after the
 * first Ctrl-C: MicroPython's esp32 port writes stdout straight into the UART's TX FIFO
 * (`uart_stdout_tx_strn`, ports/esp32/uart.c; 128 bytes, 11 ms of line time at 115200 baud) or
 * USB-Serial-JTAG's 64-byte endpoint; a USB bridge holds bytes up to its latency timer (16 ms by
 * default on FTDI's). The UART's receive interrupt schedules KeyboardInterrupt the moment Ctrl-C
 * arrives (`mp_sched_keyboard_interrupt`, uart.c), and the interpreter raises it at its next
 * pending-exception check (py/vm.c `pending_exception_check`, after jumps and calls) or inside
 * `time.sleep` (`mp_hal_delay_ms` handles pending exceptions, ports/esp32/mphalport.c). Output
 * later than this is the program running past the interrupt: the second Ctrl-C (at 100 ms) is
 * answered by it too. A host slow to read can misjudge; the retry that follows a "ran-on" still
 * gives a program that does stop its prompt.
 */
const IN_FLIGHT_MS = 50;
/**
 * A program that stops on Ctrl-C prints its traceback, then the REPL's banner and `>>> `, in one
 * burst (about 300 bytes: 26 ms at 115200 baud): without a prompt this long after such output, the
 * program went on.
 */
const PROMPT_FOLLOWS_MS = 300;
/** Never judge before both Ctrl-C (0 and 100 ms) and Ctrl-A (200 ms) had their chance. */
const RAN_ON_EARLIEST_MS = 600;

/**
 * One attempt: Ctrl-C, Ctrl-C 100 ms later, then Ctrl-A, and watch the console from the first
 * Ctrl-C on. "raw" once the raw prompt is there. With `watchRanOn`, "ran-on" when the board kept
 * printing program output (ESP-IDF log lines are kept apart, other tasks print those) later than
 * output already on its way when Ctrl-C arrived could take (`IN_FLIGHT_MS`), and no prompt
 * followed (`PROMPT_FOLLOWS_MS`): its interpreter was running Python past the interrupt, which a
 * program that stops on Ctrl-C never does. A board that stays silent (a long C call, a boot) is
 * waited for as before: idle `idleMs`, at most twice that overall, then a timeout.
 */
export async function interruptIntoRaw(
  c: ConsoleConnection,
  idleMs: number,
  watchRanOn: boolean,
): Promise<"raw" | "ran-on"> {
  const text = new TextDecoder();
  c.discardInput();
  const interruptedAt = Date.now();
  let heardAt = interruptedAt;
  /** When program output first came past the interrupt; whether a friendly prompt was seen. */
  const heard: { ranOnSince: number | null; prompted: boolean } = { ranOnSince: null, prompted: false };
  let seen = "";
  const take = (): "raw" | null => {
    const bytes = c.takeAvailable();
    const now = Date.now();
    if (bytes.length > 0) {
      const fresh = text.decode(bytes, { stream: true });
      seen = (seen + fresh).slice(-4096);
      heardAt = now;
      if (heard.ranOnSince === null && now - interruptedAt >= IN_FLIGHT_MS && /\S/.test(fresh)) heard.ranOnSince = now;
    }
    if (seen.includes(RAW_PROMPT)) return "raw";
    // The friendly prompt: the program stopped; Ctrl-A (sent or on its way) brings the raw one.
    if (seen.includes(">>> ")) heard.prompted = true;
    if (c.error) throw c.error;
    return null;
  };
  const watch = async (ms: number): Promise<"raw" | null> => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (take() === "raw") return "raw";
      await sleep(10);
    }
    return take();
  };
  await c.write(new Uint8Array([0x0d, CTRL_C]));
  if ((await watch(100)) === "raw") return "raw";
  await c.write(new Uint8Array([CTRL_C]));
  if ((await watch(100)) === "raw") return "raw";
  await c.write(new Uint8Array([0x0d, CTRL_A]));
  heardAt = Math.max(heardAt, Date.now());
  const startedWaiting = Date.now();
  for (;;) {
    if (take() === "raw") return "raw";
    const now = Date.now();
    if (
      watchRanOn &&
      !heard.prompted &&
      heard.ranOnSince !== null &&
      now - interruptedAt >= RAN_ON_EARLIEST_MS &&
      now - heard.ranOnSince >= PROMPT_FOLLOWS_MS
    )
      return "ran-on";
    if (now - heardAt > idleMs || now - startedWaiting > idleMs * 2) {
      throw new ReplError(
        "timeout",
        `The board did not answer within ${Math.round(idleMs / 100) / 10} s (waiting for ${JSON.stringify(RAW_PROMPT)}).`,
      );
    }
    await sleep(10);
  }
}

/**
 * Reset into the app (RTS pulses EN while DTR stays released, so GPIO0 stays high: a normal boot,
 * never download mode), wait for boot.py's greeting and interrupt it at once, twice as pyDirect's
 * flasher does (three Ctrl-C, then two more 30 ms later), then take the friendly prompt into raw mode.
 */
export async function enterDuringBoot(c: ConsoleConnection, waitMs: number): Promise<void> {
  const port = c.port;
  await port.setSignals({ dataTerminalReady: false, requestToSend: false });
  await sleep(50);
  c.discardInput();
  await port.setSignals({ dataTerminalReady: false, requestToSend: true });
  await sleep(100);
  await port.setSignals({ dataTerminalReady: false, requestToSend: false });
  if ((await waitForAny(c, [...BOOT_GREETINGS, ">>> "], waitMs)) !== ">>> ") {
    await c.write(new Uint8Array([CTRL_C, CTRL_C, CTRL_C]));
    await sleep(30);
    await c.write(new Uint8Array([CTRL_C, CTRL_C]));
    await c.readUntil(">>> ", { idleMs: waitMs, totalMs: waitMs * 2 });
  }
  c.discardInput();
  await c.write(new Uint8Array([0x0d, CTRL_A]));
  await c.readUntil(RAW_PROMPT, { idleMs: waitMs, totalMs: waitMs * 2 });
}

/** Which of `markers` the board prints first (its output is consumed); polled every 10 ms. */
async function waitForAny(c: ConsoleConnection, markers: readonly string[], idleMs: number): Promise<string> {
  const text = new TextDecoder();
  const started = Date.now();
  let heardAt = started;
  let seen = "";
  for (;;) {
    const bytes = c.takeAvailable();
    if (bytes.length > 0) {
      seen = (seen + text.decode(bytes, { stream: true })).slice(-4096);
      heardAt = Date.now();
    }
    const hit = markers.find((m) => seen.includes(m));
    if (hit !== undefined) return hit;
    if (c.error) throw c.error;
    if (Date.now() - heardAt > idleMs || Date.now() - started > idleMs * 2) {
      throw new ReplError(
        "timeout",
        `The board did not boot into MicroPython (waited for ${markers.map((m) => JSON.stringify(m)).join(" or ")}).`,
      );
    }
    await sleep(10);
  }
}
