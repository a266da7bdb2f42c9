import { afterEach, describe, expect, it } from "vitest";
import {
  ImprovSerial,
  ImprovPacketParser,
  encodePacket,
  encodeRpc,
  encodeStrings,
  decodeStrings,
} from "../../../src/core/improv";
import { createImprovFirmware } from "../../../src/virtual-board/improv";
import { bootedBoard } from "../repl/board-fixture";
import { scriptedReplDevice } from "../repl/scripted-repl-device";

const accessPoints = [
  { ssid: "Workshop", password: "correct horse", rssi: -48 },
  { ssid: "Café ☕", rssi: -71 },
  { ssid: "Hidden lab", password: "s3cret-lab", rssi: -60, hidden: true },
];

let client: ImprovSerial | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

async function improvBoard(options: Parameters<typeof createImprovFirmware>[0] = {}) {
  return bootedBoard({
    app: createImprovFirmware({
      accessPoints,
      deviceName: "kitchen-light",
      ipAddress: "192.168.4.77",
      connectDelayMs: 200,
      connectTimeoutMs: 500,
      ...options,
    }),
  });
}

describe("Improv framing", () => {
  it("checksums packets and finds them among log lines and noise", () => {
    const packet = encodePacket(0x04, encodeRpc(0x03, encodeStrings(["ESPHome", "2025.11.0"])));
    expect(Array.from(packet.subarray(0, 9))).toEqual([73, 77, 80, 82, 79, 86, 1, 4, packet[8]]);
    expect(packet[packet.length - 1]).toBe(packet.subarray(0, -1).reduce((a, b) => a + b, 0) & 0xff);
    const seen: number[] = [];
    let bad = 0;
    const parser = new ImprovPacketParser(
      (p) => seen.push(p.type),
      () => bad++,
    );
    const corrupt = packet.slice();
    corrupt[12] ^= 0x01;
    const stream = new Uint8Array([
      ...new TextEncoder().encode("[I][app]: IMPRO boot\r\n"),
      ...corrupt,
      ...packet,
      0x0a,
    ]);
    // Byte by byte, as a slow UART delivers it.
    for (const b of stream) parser.push(new Uint8Array([b]));
    expect(seen).toEqual([0x04]);
    expect(bad).toBe(1);
    expect(decodeStrings(encodeStrings(["", "é", "x".repeat(255)]))).toEqual(["", "é", "x".repeat(255)]);
  });
});

describe("ImprovSerial against the virtual Improv firmware", () => {
  it("detects the firmware, reads device info and scans", async () => {
    const board = await improvBoard();
    client = await ImprovSerial.detect(board.port, { detectTimeoutMs: 5000 });
    expect(client).not.toBeNull();
    expect(client!.state).toBe("ready");
    expect(await client!.deviceInfo()).toEqual({
      firmware: "ESPHome",
      version: "2025.11.0",
      chip: "ESP32-S3",
      name: "kitchen-light",
    });
    const networks = await client!.scan();
    expect(networks).toEqual([
      { ssid: "Workshop", rssi: -48, secured: true },
      { ssid: "Café ☕", rssi: -71, secured: false },
    ]);
  });

  it("answers the scan as ESPHome does: one row per SSID (the strongest), hidden ones left out, each packet ending in a newline", async () => {
    const board = await improvBoard({
      accessPoints: [
        ...accessPoints,
        { ssid: "Workshop", password: "correct horse", rssi: -80 },
        { ssid: "Workshop", password: "correct horse", rssi: -40 },
      ],
    });
    const seen: number[] = [];
    client = await ImprovSerial.detect(board.port, { detectTimeoutMs: 5000 });
    const off = client!.connection.onData((bytes) => seen.push(...bytes));
    const networks = await client!.scan();
    off();
    expect(networks).toEqual([
      { ssid: "Workshop", rssi: -40, secured: true },
      { ssid: "Café ☕", rssi: -71, secured: false },
    ]);
    // Every packet (the three results and the empty end) is followed by "\n".
    const text = Buffer.from(seen).toString("latin1");
    expect(text.split("IMPROV").length - 1).toBe(3);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("sends Wi-Fi settings and reports the device URL; a provisioned board says so on the next detect", async () => {
    const board = await improvBoard();
    client = await ImprovSerial.detect(board.port, { detectTimeoutMs: 5000 });
    const result = await client!.provision("Workshop", "correct horse");
    expect(result).toEqual({ url: "http://192.168.4.77", urls: ["http://192.168.4.77"] });
    expect(client!.state).toBe("provisioned");
    expect(await client!.requestCurrentState()).toEqual({ state: "provisioned", url: "http://192.168.4.77" });
  });

  it("reports a wrong password as unable-to-connect and lets the user retry on the same session", async () => {
    const board = await improvBoard();
    client = await ImprovSerial.detect(board.port, { detectTimeoutMs: 5000 });
    await expect(client!.provision("Workshop", "wrong horse")).rejects.toMatchObject({
      code: "unable-to-connect",
      action: "check-wifi",
    });
    expect(client!.state).toBe("ready");
    await expect(client!.provision("Nowhere", "whatever1")).rejects.toMatchObject({ code: "unable-to-connect" });
    // A hidden network typed by hand.
    expect((await client!.provision("Hidden lab", "s3cret-lab")).url).toBe("http://192.168.4.77");
  });

  it("sets the hostname", async () => {
    const board = await improvBoard();
    client = await ImprovSerial.detect(board.port, { detectTimeoutMs: 5000 });
    expect(await client!.hostname()).toBe("kitchen-light");
    expect(await client!.hostname("porch-light")).toBe("porch-light");
    expect((await client!.deviceInfo()).name).toBe("porch-light");
  });

  it("refuses an SSID Improv cannot carry before sending anything", async () => {
    const board = await improvBoard();
    client = await ImprovSerial.detect(board.port, { detectTimeoutMs: 5000 });
    const before = board.linkStats.toBoard;
    await expect(client!.provision("x".repeat(33), "password")).rejects.toMatchObject({
      code: "invalid-ssid",
      field: "ssid",
      reason: "too-long",
    });
    await expect(client!.provision("Workshop", "short")).rejects.toMatchObject({
      code: "invalid-password",
      field: "password",
    });
    expect(board.linkStats.toBoard).toBe(before);
  });

  it("reports a pulled cable as disconnected, leaving no request to fail later", async () => {
    const board = await improvBoard();
    client = await ImprovSerial.detect(board.port, { detectTimeoutMs: 5000, requestTimeoutMs: 150 });
    const late: unknown[] = [];
    const onLate = (reason: unknown) => late.push(reason);
    process.on("unhandledRejection", onLate);
    try {
      board.unplug();
      await expect(client!.deviceInfo()).rejects.toMatchObject({ code: "disconnected", action: "retry" });
      await expect(client!.scan(150)).rejects.toMatchObject({ code: "disconnected" });
      // Past every request timeout: an abandoned wait would reject now, with nobody listening.
      await new Promise((r) => setTimeout(r, 400));
      expect(late).toEqual([]);
    } finally {
      process.off("unhandledRejection", onLate);
    }
  });

  it("returns null and releases the port for firmware that does not speak Improv (a MicroPython REPL)", async () => {
    const device = scriptedReplDevice({ answer: () => ({}) });
    const board = await bootedBoard({ app: device.factory });
    expect(await ImprovSerial.detect(board.port, { detectTimeoutMs: 1500 })).toBeNull();
    await board.port.open({ baudRate: 115200 });
    await board.port.close();
  });
});
