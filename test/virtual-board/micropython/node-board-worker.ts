/**
 * The board worker in a Node worker thread (tests): the same serveMicroPythonBoard the browser's
 * worker runs, on parentPort. Loaded through node-board-worker.mjs (tsx).
 */
import { parentPort } from "node:worker_threads";
import { serveMicroPythonBoard } from "../../../src/virtual-board/micropython/worker/board-worker";

const port = parentPort!;
serveMicroPythonBoard({
  postMessage: (message, transfer) => port.postMessage(message, (transfer ?? []) as ArrayBuffer[]),
  addEventListener: (_type, listener) => port.on("message", (data: unknown) => listener({ data })),
});
