import { afterEach, describe, expect, it, vi } from "vitest";
import { FlashSession, flashParts } from "../../../src/core/flash";
import { expectedFlash, firstDifference, threePartImage } from "../flash/helpers";
import { checkEnvironment, serialRoute, webUsbNotice } from "../../../src/core/session/environment";
import { browserSerial, pickSerialPort } from "../../../src/core/session/port-picker";
import { VirtualBoard } from "../../../src/virtual-board";
import { cdcAcmDevice } from "../../support/webusb-cdc-device";

const secure = { isSecureContext: true };

describe("which way the portal reaches a board, by feature", () => {
  it("Web Serial first, WebUSB (the polyfill) second, else a sentence naming browsers that work", () => {
    expect(serialRoute({ hasWebSerial: true, hasWebUsb: true })).toBe("web-serial");
    expect(serialRoute({ hasWebSerial: false, hasWebUsb: true })).toBe("webusb-polyfill");
    expect(serialRoute({ hasWebSerial: false, hasWebUsb: false })).toBe("none");
    expect(checkEnvironment({ ...secure, hasWebSerial: false, hasWebUsb: true })).toBeNull();
    expect(webUsbNotice({ ...secure, hasWebSerial: false, hasWebUsb: true })).toMatch(
      /CP210x, CH340\/CH341 or FTDI bridge chip need a computer/,
    );
    expect(webUsbNotice({ ...secure, hasWebSerial: true, hasWebUsb: true })).toBeNull();
    const none = checkEnvironment({ ...secure, hasWebSerial: false, hasWebUsb: false });
    expect(none?.message).toMatch(
      /Chrome, Edge or Opera on a computer, Firefox 151 or later, or Chrome 148 or later on Android/,
    );
  });
});

describe("the WebUSB path: web-serial-polyfill over a CDC-ACM board", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("loads the polyfill only there, and esptool-js connects and detects the chip through it", async () => {
    expect(await browserSerial({ serial: { requestPort: () => Promise.reject(new Error("unused")) } })).toMatchObject({
      viaWebUsb: false,
    });
    expect(await browserSerial({})).toBeUndefined();
    const board = new VirtualBoard({ chip: "ESP32-S3", usbSerialJtag: true });
    const device = cdcAcmDevice(() => board.port);
    const filters: unknown[] = [];
    // No navigator.serial; the polyfill asks navigator.usb for the device, as on a phone.
    vi.stubGlobal("navigator", {
      usb: {
        requestDevice: (o: { filters: unknown[] }) => {
          filters.push(...o.filters);
          return Promise.resolve(device);
        },
        getDevices: () => Promise.resolve([device]),
      },
    });
    const choice = await pickSerialPort();
    expect(filters).toEqual([{ classCode: 2 }]); // every CDC-ACM device; bridges (vendor class 0xFF) never match
    expect(choice.port.getInfo()).toEqual({ usbVendorId: 0x303a, usbProductId: 0x1001 });
    const session = await FlashSession.connect(choice.port);
    expect(session.chip).toMatchObject({ family: "ESP32-S3", usbSerialJtag: true, flashSize: 8 << 20 });
    expect(await session.md5(0x0, 0x1000)).toMatch(/^[0-9a-f]{32}$/);
    await session.close();
    // And a whole install through it: written, MD5-verified, reset into the app.
    const parts = threePartImage();
    const want = expectedFlash(board.flash, parts);
    const report = await flashParts(choice.port, { parts });
    expect(firstDifference(board.flash, want)).toBe(-1);
    expect(report.parts.every((p) => p.md5.length === 32)).toBe(true);
    board.unplug();
  });

  it("a cancelled WebUSB chooser says which boards it lists and that bridges need a computer", async () => {
    vi.stubGlobal("navigator", {
      usb: { requestDevice: () => Promise.reject(new DOMException("No device selected.", "NotFoundError")) },
    });
    const err = (await pickSerialPort().catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe("no-port-picked");
    expect(err.message).toMatch(
      /WebUSB.*CDC-ACM.*CP210x, CH340\/CH341 or FTDI.*CH343 or CH9102 bridge are USB CDC-ACM/s,
    );
  });

  it("a device the WebUSB chooser lists that is no USB serial port is named as such, not as a port in use", async () => {
    // A CDC communications interface (class 2, so the chooser lists it) whose data interface is
    // vendor-specific (0xFF) instead of CDC data (10): Linux's cdc-acm.c carries a quirk for such a
    // composite device; web-serial-polyfill refuses it.
    const alternate = (interfaceClass: number) => ({ interfaceClass, endpoints: [] });
    const device = {
      vendorId: 0x17ef,
      productId: 0x6161,
      configurations: [
        {
          interfaces: [
            { interfaceNumber: 0, alternates: [alternate(2)] },
            { interfaceNumber: 1, alternates: [alternate(0xff)] },
          ],
        },
      ],
    };
    vi.stubGlobal("navigator", { usb: { requestDevice: () => Promise.resolve(device) } });
    const err = (await pickSerialPort().catch((e: unknown) => e)) as Error & { code: string; action: string };
    expect(err.code).toBe("not-usb-serial");
    expect(err.action).toBe("pick-another-port");
    expect(err.message).toMatch(/not a USB serial \(CDC-ACM\) device.*class 10/s);
    expect(err.message).not.toMatch(/in use|another program/);
  });
});
