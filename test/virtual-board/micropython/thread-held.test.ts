/**
 * In Node the board's interpreter shares the test's thread: a plain-function loop of blocking sleeps
 * that never returns (as upstream pyDirect's setup server loops, device-scripts/lib/sys/
 * setup_server.py:184-193) would hold the thread, and the test process, for ever. Past the limit the
 * board says so and interrupts the program, and the board goes on.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBoard, type BoardUnderTest } from "./board-harness";

let started: BoardUnderTest;
beforeAll(async () => {
  started = await startBoard({ frozenFiles: {}, threadHeldLimitMs: 1000 });
}, 60_000);
afterAll(() => started.board.unplug());

it("interrupts a loop that holds the thread past the limit, and the board goes on", async () => {
  const { term } = started;
  const t0 = Date.now();
  await term.send("import time\r");
  await term.send("def serve():\r");
  await term.send("while True:\r");
  await term.send("time.sleep_ms(10)\r\r\r");
  await term.send("serve()\r");
  await term.until("KeyboardInterrupt", 10_000);
  expect(term.text).toContain("virtual board: a blocking loop held the JavaScript thread for 1 s");
  expect(Date.now() - t0).toBeLessThan(5000);
  await term.send("print(6 * 7)\r");
  await term.until("42", 5000);
}, 30_000);
