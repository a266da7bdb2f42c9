import { afterEach, describe, expect, it } from "vitest";
import { enterRaw, startBoard, type BoardUnderTest } from "./board-harness";

let bt: BoardUnderTest | undefined;
afterEach(() => {
  bt?.term.close();
  bt?.board.unplug();
  bt = undefined;
});

/** Starts `code` in the raw REPL, lets it run, sends Ctrl-C; returns [stdout, stderr] of the run. */
async function interruptAfter(bt: BoardUnderTest, code: string, ms: number): Promise<[string, string]> {
  await bt.term.send(`${code}\x04`);
  await bt.term.until("OK");
  await new Promise((r) => setTimeout(r, ms));
  const sentAt = Date.now();
  await bt.term.send("\x03");
  const stdout = (await bt.term.until("\x04")).slice(0, -1);
  const stderr = (await bt.term.until("\x04")).slice(0, -1);
  await bt.term.until(">");
  expect(Date.now() - sentAt).toBeLessThan(1500);
  return [stdout, stderr];
}

describe("asyncio on the virtual board", () => {
  it("asyncio.run(main()) runs to completion and returns main's value", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [out, err] = await bt.term.rawExec(
      "import asyncio\nasync def tick(n, log):\n    for i in range(n):\n        log.append(i)\n        await asyncio.sleep_ms(20)\nasync def main():\n    log = []\n    await asyncio.gather(tick(3, log), tick(2, log))\n    return sorted(log)\nprint(asyncio.run(main()))",
    );
    expect(err).toBe("");
    expect(out).toBe("[0, 0, 1, 1, 2]\r\n");
  });

  it("Ctrl-C stops an asyncio.run(main()) that loops on asyncio.sleep", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [out, err] = await interruptAfter(
      bt,
      "import asyncio\nasync def main():\n    n = 0\n    while True:\n        n += 1\n        print('tick', n)\n        await asyncio.sleep(0.2)\nasyncio.run(main())",
      500,
    );
    expect(out).toContain("tick 1\r\n");
    expect(err).toContain("KeyboardInterrupt");
    expect(await bt.term.rawExec("print('next')")).toEqual(["next\r\n", ""]);
    // The loop stopped with main: nothing keeps ticking in the background.
    await new Promise((r) => setTimeout(r, 500));
    expect(bt.term.pendingBytes()).toBe(0);
  });

  it("Ctrl-C stops a task that sleeps with time.sleep, and a top-level loop on asyncio.sleep", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [, taskErr] = await interruptAfter(
      bt,
      "import asyncio, time\nasync def main():\n    while True:\n        time.sleep(0.1)\nasyncio.run(main())",
      400,
    );
    expect(taskErr).toContain("KeyboardInterrupt");
    const [, topErr] = await interruptAfter(bt, "import asyncio\nwhile True:\n    await asyncio.sleep(1)", 400);
    expect(topErr).toContain("KeyboardInterrupt");
    expect(await bt.term.rawExec("print('alive')")).toEqual(["alive\r\n", ""]);
  });

  it("Ctrl-C at a top-level sleep leaves a background task running", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [, err] = await interruptAfter(
      bt,
      "import asyncio, time\nbeats = []\nasync def beat():\n    while True:\n        beats.append(1)\n        await asyncio.sleep_ms(50)\nt = asyncio.create_task(beat())\nwhile True:\n    time.sleep(1)",
      400,
    );
    expect(err).toContain("KeyboardInterrupt");
    const [first] = await bt.term.rawExec("print(len(beats))");
    await new Promise((r) => setTimeout(r, 300));
    const [second] = await bt.term.rawExec("print(len(beats))\nt.cancel()");
    expect(Number(second)).toBeGreaterThan(Number(first));
  });
});
