/**
 * Verification straight after provisioning, while the board is still on the serial port: signaling
 * goes through raw-REPL calls into the device script, so there is no network permission prompt and
 * no certificate trust step. The port is released again before the DataChannel is used.
 */
import type { SerialPortLike } from "../port/serial-port";
import { RawRepl } from "../repl/raw-repl";
import { createSerialTransport } from "../signaling/serial-transport";
import { verifyDevice, type VerifyEvent, type VerifyOutcome, type VerifyRequest } from "./verify-device";

export type SerialVerifyRequest = Omit<VerifyRequest, "transport">;

export async function verifyOverSerial(
  port: SerialPortLike,
  request: SerialVerifyRequest,
  onEvent?: (e: VerifyEvent) => void,
): Promise<VerifyOutcome> {
  const repl = await RawRepl.open(port);
  try {
    return await verifyDevice({ ...request, transport: createSerialTransport(repl) }, onEvent);
  } finally {
    await repl.close();
  }
}
