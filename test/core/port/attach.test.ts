import { describe, expect, it } from "vitest";
import { FlashError } from "../../../src/core/flash/errors";
import { connectWithManualBoot, manualBootGuidance } from "../../../src/core/flash/manual-boot";
import { prepareReset, watchdogReset } from "../../../src/core/flash/usb-reset";
import { explainPortFailure } from "../../../src/core/port/port-errors";
import {
  SwitchablePortProvider,
  permissionWithdrawn,
  waitForGrantedPort,
  type PortProvider,
} from "../../../src/core/port/port-provider";
import type { SerialPortLike } from "../../../src/core/port/serial-port";
import { consolePlan, usbConnection } from "../../../src/core/port/usb-connector";

const USJ = { usbVendorId: 0x303a, usbProductId: 0x1001 };
const CDC = { usbVendorId: 0x303a, usbProductId: 0x4001 };
const CP210X = { usbVendorId: 0x10c4, usbProductId: 0xea60 };

describe("which connector the cable is on", () => {
  it("tells USB-Serial-JTAG, the ROM's USB-OTG, an app's CDC and a bridge apart", () => {
    expect(usbConnection(USJ)).toEqual({ connector: "native", device: "usb-serial-jtag" });
    expect(usbConnection({ usbVendorId: 0x303a, usbProductId: 9 }, "ESP32-S3")).toEqual({
      connector: "native",
      device: "usb-otg-rom",
    });
    expect(usbConnection(CDC, "ESP32-S3")).toEqual({ connector: "native", device: "usb-cdc" });
    expect(usbConnection(CP210X)).toEqual({ connector: "uart", device: "bridge" });
    expect(usbConnection({})).toEqual({ connector: "unknown", device: "unknown" });
  });

  it("plans where the console will be after the install", () => {
    expect(consolePlan(USJ, undefined)).toEqual({ kind: "same-port", known: false });
    expect(consolePlan(CP210X, ["uart"])).toEqual({ kind: "same-port", known: true });
    expect(consolePlan(USJ, ["usb-serial-jtag"])).toEqual({ kind: "same-port", known: true });
    expect(consolePlan(USJ, ["usb-cdc", "uart"])).toMatchObject({
      kind: "re-enumerates",
      filters: [{ usbVendorId: 0x303a }],
    });
    const toUart = consolePlan(USJ, ["uart"]);
    expect(toUart).toMatchObject({ kind: "other-connector", target: "uart" });
    expect(toUart.kind === "other-connector" && toUart.filters).toContainEqual({ usbVendorId: 0x10c4 });
    expect(toUart.kind === "other-connector" && toUart.sentence).toMatch(
      /console is on its UART connector.*this cable is on the native USB one/,
    );
    expect(consolePlan(CP210X, ["usb-serial-jtag"])).toMatchObject({ kind: "other-connector", target: "native" });
  });
});

function fakePort(info: { usbVendorId?: number; usbProductId?: number }): SerialPortLike {
  return { getInfo: () => info } as unknown as SerialPortLike;
}

function fakeProvider(granted: SerialPortLike[]): PortProvider & { appear(p: SerialPortLike): void } {
  const listeners = new Set<(p: SerialPortLike) => void>();
  return {
    granted: () => Promise.resolve(granted),
    request: () => Promise.reject(new Error("no")),
    onConnect: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    appear: (p) => listeners.forEach((l) => l(p)),
  };
}

describe("waiting for a granted port", () => {
  it("takes one already granted, never the one that left", async () => {
    const old = fakePort(USJ);
    const cdc = fakePort(CDC);
    const found = await waitForGrantedPort(fakeProvider([old, cdc]), {
      filters: [{ usbVendorId: 0x303a }],
      exclude: [old],
      timeoutMs: 50,
    });
    expect(found).toBe(cdc);
  });

  it("takes the first matching port that connects, and gives up with null after the timeout", async () => {
    const provider = fakeProvider([]);
    const waiting = waitForGrantedPort(provider, { filters: [{ usbVendorId: 0x10c4 }], timeoutMs: 1000 });
    provider.appear(fakePort(CDC));
    const bridge = fakePort(CP210X);
    provider.appear(bridge);
    expect(await waiting).toBe(bridge);
    expect(await waitForGrantedPort(provider, { filters: [{ usbVendorId: 0x10c4 }], timeoutMs: 20 })).toBeNull();
  });
});

describe("busy, lost and revoked ports", () => {
  const dom = (name: string, message: string) => Object.assign(new Error(message), { name });
  it("each gets its own sentence and recovery", () => {
    expect(explainPortFailure(dom("NetworkError", "Failed to open serial port."))).toMatchObject({
      code: "port-busy",
      action: "close-other-app",
    });
    expect(explainPortFailure(dom("NetworkError", "The device has been lost."))).toMatchObject({
      code: "port-lost",
      message: expect.stringMatching(/already written to the board is kept/) as unknown,
    });
    expect(explainPortFailure(dom("InvalidStateError", "The port has been forgotten."))).toMatchObject({
      code: "permission-revoked",
      action: "allow-port-again",
    });
    expect(explainPortFailure(dom("SecurityError", "Access denied."))).toMatchObject({ code: "no-permission" });
    expect(explainPortFailure(new Error("something else"))).toBeNull();
  });
});

describe("resetting where RTS cannot", () => {
  it("clears force-download on the S3, and over the ROM's USB-OTG arms the RTC watchdog as esptool does", async () => {
    const writes: [number, number, number | undefined][] = [];
    const regs = {
      writeReg: (addr: number, value: number, mask?: number) => {
        writes.push([addr, value >>> 0, mask]);
        return Promise.resolve();
      },
    };
    expect(await prepareReset("ESP32-S3", USJ, regs)).toBe("lines");
    expect(writes).toEqual([[0x6000812c, 0, 1]]);
    expect(await prepareReset("ESP32-S3", { usbVendorId: 0x303a, usbProductId: 9 }, regs)).toBe("watchdog");
    writes.length = 0;
    await watchdogReset("ESP32-S3", regs);
    expect(writes).toEqual([
      [0x600080b0, 0x50d83aa1, undefined],
      [0x6000809c, 2000, undefined],
      [0x60008098, 0xd0000102, undefined],
      [0x600080b0, 0, undefined],
    ]);
    writes.length = 0;
    expect(await prepareReset("ESP32", CP210X, regs)).toBe("lines");
    expect(writes).toEqual([]);
  });
});

describe("manual boot", () => {
  it("shows the guidance once the reset gets no answer, polls until the ROM answers, stops on other errors", async () => {
    let calls = 0;
    let shown = 0;
    const modes: string[] = [];
    const { result, manual } = await connectWithManualBoot(
      (mode) => {
        modes.push(mode);
        calls++;
        return calls < 4 ? Promise.reject(FlashError.noResponse()) : Promise.resolve("synced");
      },
      { onGuidance: () => shown++, pollIntervalMs: 1 },
    );
    expect({ result, manual, shown }).toEqual({ result: "synced", manual: true, shown: 1 });
    expect(modes).toEqual(["auto", "manual", "manual", "manual"]);
    await expect(connectWithManualBoot(() => Promise.reject(FlashError.portBusy()))).rejects.toMatchObject({
      code: "port-busy",
    });
    expect(manualBootGuidance("ESP32-S3", "native").resetLabel).toBe("RST");
  });
});

describe("telling a revoked port from what a provider cannot tell", () => {
  it("withdrawn only when a listing provider no longer lists the port", async () => {
    const port = fakePort(CP210X);
    const listing = (ports: SerialPortLike[]): PortProvider => ({
      granted: () => Promise.resolve(ports),
      request: () => Promise.reject(new Error("unused")),
      onConnect: () => () => undefined,
    });
    expect(await permissionWithdrawn(undefined, port)).toBe(false);
    const switchable = new SwitchablePortProvider();
    // The WebUSB polyfill path: no port source to ask, so nothing is called revoked.
    expect(await permissionWithdrawn(switchable, port)).toBe(false);
    switchable.use(listing([port]));
    expect(await permissionWithdrawn(switchable, port)).toBe(false);
    switchable.use(listing([]));
    expect(await permissionWithdrawn(switchable, port)).toBe(true);
  });
});
