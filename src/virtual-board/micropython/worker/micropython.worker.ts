/** Entry point of the browser worker that runs a virtual board's MicroPython (see board-worker.ts). */
import { serveMicroPythonBoard } from "./board-worker";
import type { MessageEndpoint } from "./protocol";

serveMicroPythonBoard(self as unknown as MessageEndpoint);
