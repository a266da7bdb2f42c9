import { describe, expect, it } from "vitest";
import { makeSleepsCooperative } from "../../../src/virtual-board/micropython/cooperative-source";
import { needsMoreInput } from "../../../src/virtual-board/micropython/repl-console";

describe("makeSleepsCooperative", () => {
  it("awaits top-level sleeps, inside loops and blocks too", () => {
    const src =
      "import time\nwhile True:\n    if x:\n        time.sleep(1)\n    utime.sleep_ms(5)\ntime.sleep_us(10)\n";
    expect(makeSleepsCooperative(src)).toBe(
      "import time\nwhile True:\n    if x:\n        await __vb_sleep(1)\n    await __vb_sleep_ms(5)\nawait __vb_sleep_us(10)\n",
    );
  });

  it("leaves sleeps in plain functions, class bodies, lambdas and comprehensions alone", () => {
    const src = [
      "def f():",
      "    time.sleep(1)",
      "class C:",
      "    def m(self): time.sleep(2)",
      "g = lambda: time.sleep(3)",
      "r = [time.sleep(4) for _ in range(2)]",
      "s = sum(time.sleep(5) for _ in (1, 2))",
      "time.sleep(6)",
    ].join("\n");
    const out = makeSleepsCooperative(src).split("\n");
    expect(out.slice(0, 7)).toEqual(src.split("\n").slice(0, 7));
    expect(out[7]).toBe("await __vb_sleep(6)");
  });

  it("awaits calls nested in ordinary brackets", () => {
    expect(makeSleepsCooperative("print(asyncio.run(main()))\nx = [1, time.sleep(2)]")).toBe(
      "print(await __vb_asyncio_run(main()))\nx = [1, await __vb_sleep(2)]",
    );
  });

  it("rewrites inside async def bodies, and returns to module level after a dedent", () => {
    const src =
      "async def main():\n    time.sleep(1)\n    def inner():\n        time.sleep(2)\n    time.sleep(3)\ntime.sleep(4)\nasyncio.run(main())";
    expect(makeSleepsCooperative(src)).toBe(
      "async def main():\n    await __vb_sleep(1)\n    def inner():\n        time.sleep(2)\n    await __vb_sleep(3)\nawait __vb_sleep(4)\nawait __vb_asyncio_run(main())",
    );
  });

  it("ignores strings, comments and look-alike names", () => {
    const src =
      's = \'time.sleep(1)\'\n# time.sleep(2)\nt = """\ntime.sleep(3)\n"""\nmytime.sleep(4)\nobj.time.sleep(5)\n';
    expect(makeSleepsCooperative(src)).toBe(src);
  });

  it("rewrites bare sleep names only when imported from time", () => {
    expect(makeSleepsCooperative("from time import sleep, sleep_ms\nsleep(1)\nsleep_ms(2)")).toBe(
      "from time import sleep, sleep_ms\nawait __vb_sleep(1)\nawait __vb_sleep_ms(2)",
    );
    expect(makeSleepsCooperative("def sleep(x): pass\nsleep(1)")).toBe("def sleep(x): pass\nsleep(1)");
  });

  it("keeps line numbers: a multi-line call stays on its lines", () => {
    const src = "x = (1,\n  2)\ntime.sleep(\n  0.1)\nprint(x)";
    const out = makeSleepsCooperative(src);
    expect(out.split("\n")).toHaveLength(5);
    expect(out).toContain("await __vb_sleep(\n  0.1)");
  });
});

describe("friendly REPL continuation", () => {
  it("continues open brackets, trailing colons and compound blocks until a blank line", () => {
    expect(needsMoreInput("x = 1")).toBe(false);
    expect(needsMoreInput("x = (1,")).toBe(true);
    expect(needsMoreInput("x = (1,\n2)")).toBe(false);
    expect(needsMoreInput("for i in x:")).toBe(true);
    expect(needsMoreInput("for i in x:\n    print(i)")).toBe(true);
    expect(needsMoreInput("for i in x:\n    print(i)\n")).toBe(false);
    expect(needsMoreInput("s = '''abc")).toBe(true);
    expect(needsMoreInput("s = 'a:' # comment:")).toBe(false);
    expect(needsMoreInput("x = 1 + \\")).toBe(true);
  });
});
