import { describe, expect, it } from "vitest";
import type { SerialPortLike } from "../../../src/core/port/serial-port";
import { ConsoleConnection } from "../../../src/core/repl";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function namedError(name: string): Error {
  const e = new Error(name);
  e.name = name;
  return e;
}

function simplePort(chunks: string[]): SerialPortLike & { written: string } {
  const port = {
    written: "",
    readable: new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(enc(c));
      },
    }),
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        port.written += dec(chunk);
      },
    }),
    open: async () => undefined,
    close: async () => undefined,
    setSignals: async () => undefined,
    getInfo: () => ({}),
  };
  return port;
}

describe("ConsoleConnection", () => {
  it("waits for markers across chunks and keeps what follows", async () => {
    const port = simplePort(["noise ra", "w REPL; CTRL-B to exit\r\n>", "tail"]);
    const c = await ConsoleConnection.open(port);
    const seen: string[] = [];
    c.onData((b) => seen.push(dec(b)));
    expect(dec(await c.readUntil("raw REPL; CTRL-B to exit\r\n>", { idleMs: 1000 }))).toBe("noise ");
    expect(dec(await c.readExactly(4, { idleMs: 1000 }))).toBe("tail");
    await c.write("hello");
    expect(port.written).toBe("hello");
    await expect(c.readUntil("never", { idleMs: 50 })).rejects.toMatchObject({ code: "timeout" });
    await c.close();
  });

  it("times out overall on a chatty line that never shows the marker", async () => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const chatty = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => controller.enqueue(enc("rst:0x10 boot loop\r\n")), 20);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    const port = {
      readable: chatty,
      writable: new WritableStream<Uint8Array>(),
      open: async () => undefined,
      close: async () => undefined,
      setSignals: async () => undefined,
      getInfo: () => ({}),
    };
    const c = await ConsoleConnection.open(port);
    const t = Date.now();
    await expect(c.readUntil(">", { idleMs: 200, totalMs: 300 })).rejects.toMatchObject({ code: "timeout" });
    expect(Date.now() - t).toBeLessThan(1000);
    await c.close();
  });

  it("carries on in a fresh stream after a framing error, and fails on a lost device", async () => {
    let current: ReadableStream<Uint8Array>;
    const streams = [
      { chunks: ["abc"], error: "FramingError" },
      { chunks: ["def>"], error: "NetworkError" },
    ];
    let i = 0;
    const make = (): ReadableStream<Uint8Array> => {
      const step = streams[i++];
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of step.chunks) controller.enqueue(enc(c));
          setTimeout(() => {
            controller.error(namedError(step.error));
            if (i < streams.length) current = make();
          }, 10);
        },
      });
    };
    current = make();
    const port = {
      get readable() {
        return current;
      },
      writable: new WritableStream<Uint8Array>(),
      open: async () => undefined,
      close: async () => undefined,
      setSignals: async () => undefined,
      getInfo: () => ({}),
    };
    const c = await ConsoleConnection.open(port);
    expect(dec(await c.readUntil(">", { idleMs: 1000 }))).toBe("abcdef");
    await expect(c.readUntil(">", { idleMs: 1000 })).rejects.toMatchObject({ code: "disconnected" });
    expect(c.error?.code).toBe("disconnected");
  });

  const refusing = (name: string, message: string): SerialPortLike => ({
    readable: null,
    writable: null,
    open: async () => {
      throw Object.assign(new Error(message), { name });
    },
    close: async () => undefined,
    setSignals: async () => undefined,
    getInfo: () => ({}),
  });

  it("reports a port another program holds as port-busy", async () => {
    await expect(ConsoleConnection.open(refusing("NetworkError", "Failed to open serial port."))).rejects.toMatchObject(
      {
        code: "port-busy",
        action: "close-other-app",
        message: expect.stringMatching(/open in another program/) as unknown,
      },
    );
  });

  it("reports a device that left as port-lost, not as busy", async () => {
    await expect(ConsoleConnection.open(refusing("NetworkError", "The device has been lost."))).rejects.toMatchObject({
      code: "port-lost",
      action: "pick-another-port",
      message: expect.stringMatching(/port went away/) as unknown,
    });
  });

  it("reports a forgotten port as permission-revoked, with one click to allow it again", async () => {
    await expect(
      ConsoleConnection.open(refusing("InvalidStateError", "The port has been forgotten.")),
    ).rejects.toMatchObject({
      code: "permission-revoked",
      action: "allow-port-again",
      message: expect.stringMatching(/no longer allowed/) as unknown,
    });
  });

  it("reports a page that may not use serial at all as no-permission", async () => {
    await expect(ConsoleConnection.open(refusing("SecurityError", "Access denied."))).rejects.toMatchObject({
      code: "no-permission",
      action: "none",
      message: expect.stringMatching(/not allowed to use serial ports/) as unknown,
    });
  });

  it("reports anything else in the browser's own words", async () => {
    await expect(ConsoleConnection.open(refusing("UnknownError", "Something odd."))).rejects.toMatchObject({
      code: "port-open-failed",
      action: "retry",
      message: expect.stringMatching(/could not be opened \(Something odd\.\)/) as unknown,
    });
  });
});
