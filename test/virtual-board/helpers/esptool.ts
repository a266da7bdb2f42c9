import { ESPLoader } from "esptool-js";
import { createEsptoolTransport } from "../../../src/core/port/esptool-transport";
import type { SerialPortLike } from "../../../src/core/port/serial-port";

/** An esptool-js loader on the given port whose log goes to an array instead of the console. */
export function quietLoader(port: SerialPortLike, baudrate = 115200): { loader: ESPLoader; log: string[] } {
  const log: string[] = [];
  const terminal = {
    clean: () => undefined,
    writeLine: (line: string) => void log.push(line),
    write: (text: string) => void log.push(text),
  };
  const loader = new ESPLoader({ transport: createEsptoolTransport(port), baudrate, romBaudrate: 115200, terminal });
  return { loader, log };
}
