import { describe, expect, it } from "vitest";
import {
  checkEnvironment,
  describePort,
  environmentFacts,
  explainRequestPortFailure,
} from "../../../src/core/session/environment";
import { pickSerialPort } from "../../../src/core/session/port-picker";
import { VirtualBoard } from "../../../src/virtual-board";

describe("why real ports cannot be used", () => {
  it("gives insecure context, missing Web Serial and no port picked each their own explanation", () => {
    expect(checkEnvironment({ isSecureContext: true, hasWebSerial: true })).toBeNull();
    const insecure = checkEnvironment({ isSecureContext: false, hasWebSerial: true })!;
    expect(insecure.code).toBe("insecure-context");
    expect(insecure.message).toMatch(/https:\/\/ or localhost/);
    const noSerial = checkEnvironment({ isSecureContext: true, hasWebSerial: false })!;
    expect(noSerial.code).toBe("no-web-serial");
    expect(noSerial.message).toMatch(/Chrome, Edge or Opera/);
    expect(noSerial.message).toMatch(/virtual board/);
    const cancelled = explainRequestPortFailure(
      Object.assign(new Error("No port selected by the user."), { name: "NotFoundError" }),
    );
    expect(cancelled.code).toBe("no-port-picked");
    expect(cancelled.action).toBe("install-driver");
    expect(explainRequestPortFailure(Object.assign(new Error("blocked"), { name: "SecurityError" })).code).toBe(
      "insecure-context",
    );
    const busy = explainRequestPortFailure(new Error("Failed to open serial port."));
    expect(busy.code).toBe("port-in-use");
    expect(busy.action).toBe("close-other-app");
    expect(busy.message).toContain("Failed to open serial port.");
  });

  it("reads the facts from a scope and names ports by their USB bridge", () => {
    expect(environmentFacts({ isSecureContext: true, navigator: { serial: {} } })).toEqual({
      isSecureContext: true,
      hasWebSerial: true,
      hasWebUsb: false,
    });
    expect(environmentFacts({ isSecureContext: false, navigator: {} })).toEqual({
      isSecureContext: false,
      hasWebSerial: false,
      hasWebUsb: false,
    });
    expect(describePort({ usbVendorId: 0x10c4, usbProductId: 0xea60 })).toBe("Silicon Labs CP210x (10c4:ea60)");
    expect(describePort({ usbVendorId: 0x303a, usbProductId: 0x1001 })).toBe("Espressif USB (303a:1001)");
    expect(describePort({})).toBe("Serial port");
  });

  it("pickSerialPort turns a cancelled picker into no-port-picked and labels a picked port", async () => {
    const cancelled = {
      requestPort: () =>
        Promise.reject(Object.assign(new Error("No port selected by the user."), { name: "NotFoundError" })),
    };
    await expect(pickSerialPort(cancelled)).rejects.toMatchObject({ code: "no-port-picked" });
    await expect(pickSerialPort(undefined)).rejects.toMatchObject({ code: "insecure-context" });
    const board = new VirtualBoard();
    const picked = await pickSerialPort({ requestPort: () => Promise.resolve(board.port) });
    expect(picked).toMatchObject({ label: "Silicon Labs CP210x (10c4:ea60)", virtual: false });
    expect(picked.port).toBe(board.port);
  });
});
