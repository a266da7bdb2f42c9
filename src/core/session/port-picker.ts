/**
 * Getting a port: the browser's picker for real boards. Browser-only at call time (it needs
 * `navigator.serial`), but free of DOM so it loads anywhere.
 */
import type { SerialPortLike } from "../port/serial-port";
import { describePort, explainRequestPortFailure } from "./environment";
import type { PortChoice } from "./portal-session";

interface SerialLike {
  requestPort(options?: unknown): Promise<SerialPortLike>;
}

/** Ask the user for a port; a cancelled picker becomes "no-port-picked" with its explanation. */
export async function pickSerialPort(
  serial: SerialLike | undefined = (globalThis.navigator as { serial?: SerialLike } | undefined)?.serial,
): Promise<PortChoice> {
  if (!serial)
    throw explainRequestPortFailure(Object.assign(new Error("Web Serial is not available"), { name: "SecurityError" }));
  let port: SerialPortLike;
  try {
    port = await serial.requestPort();
  } catch (err) {
    throw explainRequestPortFailure(err);
  }
  return { port, label: describePort(port.getInfo()), virtual: false };
}
