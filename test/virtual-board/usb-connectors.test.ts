import { describe, expect, it } from "vitest";
import { flashParts, type FlashPart } from "../../src/core/flash";
import type { SerialPortLike } from "../../src/core/port/serial-port";
import { VirtualBoard, type VirtualBoardOptions, type VirtualSerialPort } from "../../src/virtual-board";
import { USB_ENUMERATION_MS } from "../../src/virtual-board/usb-connectors";
import { demoParts } from "../../scripts/lib/demo-firmware";

// How each way of attaching a board looks from the host: which ports exist, when they vanish and
// come back as another USB device, and what the reset lines can do on each.

const s3Parts = (): FlashPart[] => demoParts("ESP32-S3").map((p) => ({ name: p.path, offset: p.offset, data: p.data }));
const ids = (port: SerialPortLike) => {
  const { usbVendorId = 0, usbProductId = 0 } = port.getInfo();
  return `${usbVendorId.toString(16).padStart(4, "0")}:${usbProductId.toString(16).padStart(4, "0")}`;
};

/** A board with the demo image already in flash, booted into its app. */
async function bootedBoard(options: VirtualBoardOptions): Promise<VirtualBoard> {
  const board = new VirtualBoard({ chip: "ESP32-S3", ...options });
  for (const p of s3Parts()) board.flash.set(p.data, p.offset);
  board.reset("normal");
  await board.waitForMode("app");
  await sleep(USB_ENUMERATION_MS + 20);
  return board;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function nextPort(board: VirtualBoard): Promise<VirtualSerialPort> {
  return new Promise((resolve) => {
    const off = board.connectors.onConnect((p) => {
      off();
      resolve(p);
    });
  });
}

function gone(port: VirtualSerialPort): Promise<void> {
  return new Promise((resolve) => port.addEventListener("disconnect", () => resolve()));
}

describe("TinyUSB CDC on the native connector", () => {
  it("shows the app as 303a:4001; esptool's DTR-low/RTS-high enters the loader on 303a:1001; the install's reset brings the app back", async () => {
    const board = await bootedBoard({ connection: { cables: ["native"], appUsb: "usb-cdc" } });
    const app = board.port;
    expect(ids(app)).toBe("303a:4001");
    expect(board.connectors.ports).toEqual([app]);

    await app.open({ baudRate: 115200 });
    const left = gone(app);
    const loaderPort = nextPort(board);
    await app.setSignals({ dataTerminalReady: false, requestToSend: true });
    await left;
    const rom = await loaderPort;
    expect(ids(rom)).toBe("303a:1001");
    expect(board.mode).toBe("download");

    // The flash job's reset clears "force download boot" first (as esptool does), so RTS on the
    // USB-Serial-JTAG starts the app, which takes the USB again.
    const back = nextPort(board);
    await flashParts(rom, { parts: s3Parts() });
    expect(ids(await back)).toBe("303a:4001");
    expect(board.mode).toBe("app");
  }, 60_000);

  it("stays in the loader on every reset while force download boot is set (the unkind part esptool clears)", async () => {
    const board = await bootedBoard({ connection: { cables: ["native"], appUsb: "usb-cdc" } });
    await board.port.open({ baudRate: 115200 });
    const loaderPort = nextPort(board);
    await board.port.setSignals({ dataTerminalReady: false, requestToSend: true });
    const rom = await loaderPort;
    await rom.open({ baudRate: 115200 });
    // A plain RTS pulse on USB-Serial-JTAG, without clearing RTC_CNTL_OPTION1 first.
    await rom.setSignals({ dataTerminalReady: false, requestToSend: true });
    await rom.setSignals({ dataTerminalReady: false, requestToSend: false });
    await sleep(20);
    expect(board.mode).toBe("download");
    board.registerWritten(0x6000812c, 0, 1);
    await rom.setSignals({ dataTerminalReady: false, requestToSend: true });
    await rom.setSignals({ dataTerminalReady: false, requestToSend: false });
    await board.waitForMode("app");
  });
});

describe("the ROM's USB-OTG (no reset line)", () => {
  it("ignores RTS there; the flash job resets through the RTC watchdog as esptool does", async () => {
    const board = await bootedBoard({ connection: { cables: ["native"], romUsb: "usb-otg", appUsb: "usb-cdc" } });
    await board.port.open({ baudRate: 115200 });
    const loaderPort = nextPort(board);
    await board.port.setSignals({ dataTerminalReady: false, requestToSend: true });
    const rom = await loaderPort;
    expect(ids(rom)).toBe("303a:0009"); // esptool: ESPRESSIF_VID with the S3's IMAGE_CHIP_ID
    await rom.open({ baudRate: 115200 });
    await rom.setSignals({ dataTerminalReady: false, requestToSend: true });
    await rom.setSignals({ dataTerminalReady: false, requestToSend: false });
    await sleep(20);
    expect(board.mode).toBe("download");
    await rom.close();

    const back = nextPort(board);
    await flashParts(rom, { parts: s3Parts() });
    expect(ids(await back)).toBe("303a:4001");
    expect(board.mode).toBe("app");
  }, 60_000);
});

describe("console on UART, native USB in host mode", () => {
  it("the native port vanishes once the app runs, and nothing comes back on that connector", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", connection: { cables: ["native"], appUsb: "host" } });
    const usj = board.port;
    expect(ids(usj)).toBe("303a:1001");
    const left = gone(usj);
    for (const p of s3Parts()) board.flash.set(p.data, p.offset);
    board.reset("normal");
    await left;
    await sleep(USB_ENUMERATION_MS + 20);
    expect(board.connectors.ports).toEqual([]);
  });

  it("a devkit with a cable in each connector shows two ports; the app's console is on the bridge's", async () => {
    const board = await bootedBoard({ connection: { cables: ["native", "uart"], appUsb: "host" } });
    expect(board.connectors.ports.map(ids)).toEqual(["10c4:ea60"]);
    board.reset("download");
    await sleep(USB_ENUMERATION_MS + 20);
    expect(board.connectors.ports.map(ids).sort()).toEqual(["10c4:ea60", "303a:1001"]);
    const bridge = board.connectors.ports.find((p) => ids(p) === "10c4:ea60")!;
    await bridge.open({ baudRate: 115200 });
    const reader = bridge.readable!.getReader();
    board.reset("normal");
    let text = "";
    while (!text.includes("rst:")) text += new TextDecoder().decode((await reader.read()).value);
    reader.releaseLock();
    await bridge.close();
  });
});

describe("a port another program holds", () => {
  it("open() rejects as Chrome's does until the other program lets go", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3", heldElsewhere: true });
    const err = await board.port.open({ baudRate: 115200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "NetworkError", message: "Failed to open serial port." });
    board.connectors.holdElsewhere(false);
    await board.port.open({ baudRate: 115200 });
    await board.port.close();
  });
});

describe("a port the page forgets (SerialPort.forget(), or the permission removed in the site settings)", () => {
  it("fails the streams without a disconnect event; the device stays, as a new port object the page must be granted again", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const { virtualPortProvider } = await import("../../src/demo/virtual-port-provider");
    const provider = virtualPortProvider(board, { grantAll: true });
    const port = board.port;
    const seen: SerialPortLike[] = [];
    provider.onConnect((p) => seen.push(p));
    let disconnects = 0;
    port.addEventListener("disconnect", () => disconnects++);
    await port.open({ baudRate: 115_200 });
    const reader = port.readable!.getReader();
    const reading = reader.read();
    expect(await provider.granted()).toEqual([port]);
    await port.forget();
    await expect(reading).rejects.toMatchObject({ name: "NetworkError" });
    expect(disconnects).toBe(0);
    expect(port.readable).toBeNull();
    await expect(port.open({ baudRate: 115_200 })).rejects.toMatchObject({ name: "InvalidStateError" });
    // Still on the bus: the same device, as a new object; not granted, and no connect event says it is.
    expect(board.connectors.ports).toHaveLength(1);
    const again = board.connectors.ports[0];
    expect(again).not.toBe(port);
    expect(again.getInfo()).toEqual(port.getInfo());
    expect(await provider.granted()).toEqual([]);
    await sleep(USB_ENUMERATION_MS + 20);
    expect(seen).toEqual([]);
    // The user's pick in the chooser grants it again; it opens.
    expect(await provider.request([{ usbVendorId: port.getInfo().usbVendorId! }])).toBe(again);
    expect(await provider.granted()).toEqual([again]);
    await again.open({ baudRate: 115_200 });
    await again.close();
    board.unplug();
  });
});
