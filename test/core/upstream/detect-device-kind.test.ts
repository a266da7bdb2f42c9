import { afterEach, describe, expect, it } from "vitest";
import { classifyDetection, detectDeviceKindOnPort } from "../../../src/core/device-kind";
import { RawRepl } from "../../../src/core/repl";
import { VirtualBoard } from "../../../src/virtual-board";
import { createMicroPythonApp } from "../../../src/virtual-board/micropython";
import { pyDirectBoard } from "../provision/pydirect-board";
import { upstreamBoard } from "./upstream-board";

let board: VirtualBoard | undefined;
afterEach(() => {
  board?.unplug();
  board = undefined;
});

describe("what the board runs, found over the raw REPL", () => {
  it("recognises the portal's own device scripts, with status lines and the serial signaling helper", async () => {
    board = await pyDirectBoard();
    expect(await detectDeviceKindOnPort(board.port)).toEqual({
      kind: "pydirect",
      version: "0.1.0",
      statusLines: true,
      serialSignaling: true,
    });
  }, 60_000);

  it("recognises upstream-shaped scripts: settings, Wi-Fi module and HTTPS signaling, no status lines, no serial helper", async () => {
    const started = await upstreamBoard();
    board = started.board;
    expect(await detectDeviceKindOnPort(board.port)).toEqual({
      kind: "pydirect-upstream",
      statusLines: false,
      serialSignaling: false,
      httpSignaling: true,
    });
    // The scripts really printed no status line while booting.
    expect(started.statusLines).toEqual([]);
  }, 60_000);

  it("reaches the REPL of upstream's image only by interrupting boot.py, as pyDirect's own flasher does", async () => {
    const started = await upstreamBoard();
    board = started.board;
    // Its main.py restarts on KeyboardInterrupt: Ctrl-C on the running board never gives a prompt.
    await expect(RawRepl.open(board.port, { enterTimeoutMs: 800 })).rejects.toMatchObject({ code: "no-repl" });
    const repl = await RawRepl.open(board.port, { interruptAtBoot: true, enterTimeoutMs: 3000 });
    try {
      expect((await repl.exec("print(1+1)")).stdout).toBe("2\r\n");
    } finally {
      await repl.close();
    }
  }, 60_000);

  it("recognises plain MicroPython", async () => {
    const started = await upstreamBoard({ frozenFiles: {} });
    board = started.board;
    expect(await detectDeviceKindOnPort(board.port)).toEqual({ kind: "micropython", platform: "esp32" });
  }, 60_000);

  it("says so when no MicroPython REPL answers (a board whose flash holds no app)", async () => {
    board = new VirtualBoard({ chip: "ESP32-S3", app: createMicroPythonApp() });
    await new Promise((r) => setTimeout(r, 50));
    const kind = await detectDeviceKindOnPort(board.port, { enterTimeoutMs: 500 });
    expect(kind).toMatchObject({ kind: "no-repl", detail: expect.stringMatching(/did not offer a MicroPython REPL/) });
  }, 60_000);

  it("takes one raw-REPL exchange and changes nothing on the board", async () => {
    const started = await upstreamBoard();
    board = started.board;
    const repl = await RawRepl.open(board.port, { interruptAtBoot: true });
    try {
      const { detectDeviceKind } = await import("../../../src/core/device-kind");
      const sent: string[] = [];
      const exec = repl.execJson.bind(repl);
      repl.execJson = (code, options) => {
        sent.push(code);
        return exec(code, options);
      };
      const before = started.app
        .current!.files()
        .map((f) => f.path)
        .sort();
      await detectDeviceKind(repl);
      expect(sent).toHaveLength(1);
      expect(
        started.app
          .current!.files()
          .map((f) => f.path)
          .sort(),
      ).toEqual(before);
    } finally {
      await repl.close();
    }
  }, 60_000);

  it("classifies scripts frozen into the image (not on the filesystem) and an older build of ours without the serial helper", () => {
    const none = {
      "/lib/sys/status.py": false,
      "/lib/sys/settings.py": false,
      "/lib/sys/network/wifi.py": false,
      "/lib/sys/webrtc_signaling.py": false,
    };
    expect(
      classifyDetection({
        files: { ...none, "/lib/sys/status.py": "frozen", "/lib/sys/settings.py": "frozen" },
        version: "0.0.9",
        serial_helper: null,
        platform: "esp32",
      }),
    ).toEqual({
      kind: "pydirect",
      version: "0.0.9",
      statusLines: true,
      serialSignaling: true,
    });
    expect(
      classifyDetection({
        files: { ...none, "/lib/sys/status.py": true, "/lib/sys/webrtc_signaling.py": true },
        version: "0.0.5",
        serial_helper: false,
        platform: "esp32",
      }),
    ).toMatchObject({
      kind: "pydirect",
      serialSignaling: false,
    });
    expect(
      classifyDetection({
        files: { ...none, "/lib/sys/settings.py": true },
        version: null,
        serial_helper: null,
        platform: "esp32",
      }),
    ).toEqual({ kind: "micropython", platform: "esp32" });
  });
});
