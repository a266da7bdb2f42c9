import { afterEach, describe, expect, it } from "vitest";
import { enterRaw, startBoard, type BoardUnderTest } from "./board-harness";

let bt: BoardUnderTest | undefined;
afterEach(() => {
  bt?.term.close();
  bt?.board.unplug();
  bt = undefined;
});

describe("extension hooks", () => {
  it("registers JS-backed modules before boot.py on every boot, and cleans them up at reset", async () => {
    const calls: string[] = [];
    let cleanups = 0;
    bt = await startBoard({
      frozenFiles: { "/boot.py": "import greeter\nprint(greeter.hello('boot'))\n" },
      modules: [
        (mp, ctx) => {
          mp.registerJsModule("greeter", { hello: (who: string) => `hello ${who} from ${ctx.board.chip}` });
          calls.push("registered");
          return () => {
            cleanups++;
          };
        },
      ],
    });
    expect(bt.term.text).toContain("hello boot from ESP32-S3\r\n");
    await enterRaw(bt.term);
    expect(await bt.term.rawExec("import greeter\nprint(greeter.hello('raw'))")).toEqual([
      "hello raw from ESP32-S3\r\n",
      "",
    ]);
    await bt.term.send("\x04");
    await bt.term.until("raw REPL; CTRL-B to exit\r\n>");
    expect(calls).toEqual(["registered", "registered"]);
    expect(cleanups).toBe(1);
    bt.board.reset("normal");
    await bt.app.whenReady();
    expect(cleanups).toBe(2);
    expect(calls).toHaveLength(3);
  });

  it("machine.soft_reset() restarts the interpreter; machine.reset() restarts the chip from its ROM", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    await bt.term.rawExec("x = 1");
    await bt.term.send("import machine\nmachine.soft_reset()\x04");
    const soft = await bt.term.until("raw REPL; CTRL-B to exit\r\n>");
    expect(soft).toMatch(/^OK\x04\x04MPY: soft reboot\r\n/);
    const [, err] = await bt.term.rawExec("print(x)");
    expect(err).toContain("NameError");
    await bt.term.send("import machine\nmachine.reset()\x04");
    const hard = await bt.term.until(">>> ");
    // esp_restart(): the ROM says why it started, the bootloader runs, then the app with main.py.
    expect(hard).toMatch(/ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\nrst:0x3 \(RTC_SW_SYS_RST\)/);
    expect(hard).toContain("Project name:     pyDirect");
    expect(hard).toContain('"event":"wifi","state":"unconfigured"');
    expect(hard).not.toContain("MPY: soft reboot");
    await enterRaw(bt.term);
    expect(await bt.term.rawExec("import machine\nprint(machine.reset_cause() == machine.SOFT_RESET)")).toEqual([
      "True\r\n",
      "",
    ]);
    // The EN pin (the host's RTS line) is a power-on reset to the chip.
    await bt.term.send("\x02");
    bt.board.reset("normal");
    const pin = await bt.term.until(">>> ");
    expect(pin).toContain("rst:0x1 (POWERON)");
    await enterRaw(bt.term);
    expect(await bt.term.rawExec("import machine\nprint(machine.reset_cause() == machine.PWRON_RESET)")).toEqual([
      "True\r\n",
      "",
    ]);
  });

  it("a failing boot.py prints its traceback under its own name and main.py is skipped, as on the firmware", async () => {
    bt = await startBoard({
      frozenFiles: {
        "/boot.py": "print('booting')\nraise RuntimeError('no sensor')\n",
        "/main.py": "print('main ran')\n",
      },
    });
    const text = bt.term.text;
    expect(text).toContain(
      'booting\r\nTraceback (most recent call last):\r\n  File "boot.py", line 2, in <module>\r\nRuntimeError: no sensor\r\n',
    );
    expect(text).not.toContain("main ran");
    expect(text).toMatch(/>>> $/);
  });

  it("a module hook that throws is reported and the board still boots", async () => {
    bt = await startBoard({
      modules: [
        () => {
          throw new Error("no radio backend");
        },
      ],
    });
    expect(bt.term.text).toContain("virtual board: a module hook failed: no radio backend\r\n");
    expect(bt.term.text).toMatch(/>>> $/);
  });
});
