/**
 * A WebUSB `USBDevice` stand-in for a USB CDC-ACM board, its bulk endpoints carried by a serial port
 * (the virtual board's), for driving Google's web-serial-polyfill in tests (Node and, bundled, the
 * browser). The descriptors are the ESP32-S3/C3 USB-Serial-JTAG's (ESP32-S3 TRM, "USB Serial/JTAG
 * Controller"): interface 0 CDC communications (class 2) with its notification endpoint 0x82
 * (interrupt IN), interface 1 CDC data (class 10) with bulk endpoints 0x01 OUT and 0x81 IN of 64
 * bytes, interface 2 the JTAG bridge (vendor class 0xFF). Control requests follow USB CDC 1.1:
 * SET_LINE_CODING (0x20, the baud rate, which the peripheral ignores) and SET_CONTROL_LINE_STATE
 * (0x22: DTR bit 0, RTS bit 1, which the peripheral turns into its reset / boot lines).
 * No Node-only imports: the browser test bundles it.
 */
import type { SerialPortLike } from "../../src/core/port/serial-port";

const SET_LINE_CODING = 0x20;
const SET_CONTROL_LINE_STATE = 0x22;
const PACKET = 64;

const endpoint = (endpointNumber: number, direction: "in" | "out", type: "bulk" | "interrupt") => ({
  endpointNumber,
  direction,
  type,
  packetSize: PACKET,
});
const iface = (interfaceNumber: number, interfaceClass: number, endpoints: ReturnType<typeof endpoint>[]) => {
  const alternate = { alternateSetting: 0, interfaceClass, interfaceSubclass: 0, interfaceProtocol: 0, endpoints };
  return { interfaceNumber, alternate, alternates: [alternate], claimed: false };
};
const CONFIGURATION = {
  configurationValue: 1,
  interfaces: [
    iface(0, 2, [endpoint(2, "in", "interrupt")]),
    iface(1, 10, [endpoint(1, "out", "bulk"), endpoint(1, "in", "bulk")]),
    iface(2, 0xff, [endpoint(2, "out", "bulk"), endpoint(3, "in", "bulk")]),
  ],
};

export interface FakeUsbDevice {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly manufacturerName: string;
  readonly opened: boolean;
  readonly configuration: typeof CONFIGURATION | null;
  readonly configurations: (typeof CONFIGURATION)[];
  open(): Promise<void>;
  close(): Promise<void>;
  forget(): Promise<void>;
  selectConfiguration(value: number): Promise<void>;
  claimInterface(n: number): Promise<void>;
  releaseInterface(n: number): Promise<void>;
  controlTransferOut(
    setup: { request: number; value: number; index: number },
    data?: BufferSource,
  ): Promise<{ status: "ok"; bytesWritten: number }>;
  transferIn(ep: number, length: number): Promise<{ status: "ok" | "stall"; data?: DataView }>;
  transferOut(ep: number, data: BufferSource): Promise<{ status: "ok"; bytesWritten: number }>;
}

const bytesOf = (data: BufferSource) =>
  data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** A CDC-ACM device whose data endpoints are `port` (opened on the first SET_LINE_CODING). */
export function cdcAcmDevice(
  port: () => SerialPortLike,
  ids: { vendorId: number; productId: number } = { vendorId: 0x303a, productId: 0x1001 },
): FakeUsbDevice {
  let opened = false;
  let configuration: typeof CONFIGURATION | null = null;
  let current: SerialPortLike | null = null;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let pending: Uint8Array = new Uint8Array(0);
  // WebUSB queues transfers per endpoint; so does this one.
  let inQueue: Promise<unknown> = Promise.resolve();
  // Closing the device ends the transfers of that opening (WebUSB rejects them); a new opening starts afresh.
  let generation = 0;
  const ensurePort = async (baudRate = 115_200) => {
    if (current) return current;
    const p = port();
    await p.open({ baudRate });
    current = p;
    reader = p.readable!.getReader();
    return p;
  };
  return {
    ...ids,
    productName: "USB JTAG/serial debug unit",
    manufacturerName: "Espressif",
    get opened() {
      return opened;
    },
    get configuration() {
      return configuration;
    },
    configurations: [CONFIGURATION],
    open: () => {
      opened = true;
      return Promise.resolve();
    },
    async close() {
      opened = false;
      generation++;
      const p = current;
      current = null;
      if (reader) {
        await reader.cancel().catch(() => undefined);
        reader.releaseLock();
        reader = null;
      }
      pending = new Uint8Array(0);
      // As WebUSB's close(), which settles the pending transfers (aborting them) before it resolves.
      await inQueue;
      await new Promise((resolve) => setTimeout(resolve, 0));
      await p?.close().catch(() => undefined);
    },
    forget: () => Promise.resolve(),
    selectConfiguration: () => {
      configuration = CONFIGURATION;
      return Promise.resolve();
    },
    claimInterface: () => Promise.resolve(),
    releaseInterface: () => Promise.resolve(),
    async controlTransferOut(setup, data) {
      const length = data ? bytesOf(data).length : 0;
      if (setup.request === SET_LINE_CODING && data) {
        await ensurePort(new DataView(bytesOf(data).slice().buffer).getUint32(0, true));
      } else if (setup.request === SET_CONTROL_LINE_STATE) {
        const p = await ensurePort();
        await p.setSignals({ dataTerminalReady: (setup.value & 1) !== 0, requestToSend: (setup.value & 2) !== 0 });
      }
      return { status: "ok", bytesWritten: length };
    },
    transferIn(_ep, length) {
      const mine = generation;
      const next = inQueue.then(async () => {
        if (mine !== generation) throw new DOMException("The device was closed.", "NetworkError");
        if (pending.length === 0) {
          const r = reader;
          if (!r) return { status: "stall" as const };
          const { value, done } = await r.read();
          if (done) return { status: "stall" as const };
          pending = value;
        }
        const chunk = pending.slice(0, length);
        pending = pending.subarray(chunk.length);
        return { status: "ok" as const, data: new DataView(chunk.buffer) };
      });
      inQueue = next.catch(() => undefined);
      return next;
    },
    async transferOut(_ep, data) {
      const p = await ensurePort();
      const writer = p.writable!.getWriter();
      try {
        await writer.write(bytesOf(data).slice());
      } finally {
        writer.releaseLock();
      }
      return { status: "ok", bytesWritten: bytesOf(data).length };
    },
  };
}
