/**
 * The virtual board with its MicroPython in a worker thread (see worker-board.test.ts): files
 * reach the board's flash, resets start a new worker, and a worker that cannot start says so.
 * None of these bound time, so they run beside other files; the timing tests and the WebRTC flow
 * stay in worker-board.test.ts.
 */
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { enterRaw, TEST_ACCESS_POINTS, Terminal } from "./board-harness";
import { demoParts } from "../../../scripts/lib/demo-firmware";
import { VirtualBoard } from "../../../src/virtual-board";
import { createMicroPythonWorkerApp } from "../../../src/virtual-board/micropython/worker/worker-app";
import { nodeWorkerLike, startWorkerBoard, type WorkerBoard } from "./worker-harness";

let wb: WorkerBoard | undefined;
afterEach(() => {
  wb?.term.close();
  wb?.board.unplug();
  wb = undefined;
});

describe("MicroPython in a worker thread", () => {
  it("keeps files in the board's flash across a power cycle, which starts a new worker", async () => {
    wb = await startWorkerBoard({ accessPoints: TEST_ACCESS_POINTS });
    await enterRaw(wb.term);
    await wb.term.rawExec("with open('/note.txt', 'w') as f:\n    f.write('kept in flash')");
    wb.term.close();
    wb.board.unplug();
    wb.board.plug();
    await wb.board.waitForMode("app");
    const { Terminal } = await import("./board-harness");
    const term = new Terminal(wb.board);
    wb.term = term;
    await term.open();
    await wb.app.whenReady(60_000);
    await term.until(">>> ", 60_000);
    await enterRaw(term);
    expect(await term.rawExec("print(open('/note.txt').read())")).toEqual(["kept in flash\r\n", ""]);
  });

  it("machine.reset() in the worker restarts the whole chip, which boots a new worker", async () => {
    wb = await startWorkerBoard({ accessPoints: TEST_ACCESS_POINTS });
    await enterRaw(wb.term);
    await wb.term.rawExec("with open('/before-reset.txt', 'w') as f:\n    f.write('saved')");
    await wb.term.send("import machine\nmachine.reset()\x04");
    const log = await wb.term.until(">>> ", 30_000);
    expect(log).toContain("rst:0x3 (RTC_SW_SYS_RST)");
    await enterRaw(wb.term);
    expect(
      await wb.term.rawExec(
        "import machine\nprint(machine.reset_cause() == machine.SOFT_RESET, open('/before-reset.txt').read())",
      ),
    ).toEqual(["True saved\r\n", ""]);
  });

  it("says on the board's console when its worker cannot start", async () => {
    const app = createMicroPythonWorkerApp({
      spawn: () => nodeWorkerLike(new Worker("throw new Error('no wasm here')", { eval: true })),
    });
    const board = new VirtualBoard({ chip: "ESP32-S3", app });
    for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
    const term = new Terminal(board);
    await term.open();
    await term.until("virtual board: MicroPython worker: no wasm here", 20_000);
    term.close();
    board.unplug();
  });
});
