/**
 * A virtual board whose MicroPython runs in a real second thread (a Node worker thread running
 * the browser worker's code), with the `webrtc` module's peers on werift in this thread.
 */
import { Worker } from "node:worker_threads";
import { demoParts } from "../../../scripts/lib/demo-firmware";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { VirtualBoard } from "../../../src/virtual-board";
import {
  createMicroPythonWorkerApp,
  type MicroPythonWorkerApp,
  type WorkerLike,
} from "../../../src/virtual-board/micropython/worker/worker-app";
import type { WorkerAppOptions } from "../../../src/virtual-board/micropython/worker/protocol";
import { Terminal } from "./board-harness";

export function spawnNodeBoardWorker(): WorkerLike {
  return nodeWorkerLike(new Worker(new URL("./node-board-worker.mjs", import.meta.url)));
}

/** A Node worker thread seen as the page sees a browser Worker. */
export function nodeWorkerLike(worker: Worker): WorkerLike {
  return {
    postMessage: (message, transfer) => worker.postMessage(message, (transfer ?? []) as ArrayBuffer[]),
    addEventListener: ((type: "message" | "error", listener: (event: { data?: unknown; message?: string }) => void) => {
      if (type === "message") worker.on("message", (data: unknown) => listener({ data }));
      else worker.on("error", (err: Error) => listener({ message: err.message }));
    }) as WorkerLike["addEventListener"],
    terminate: () => void worker.terminate(),
  };
}

export interface WorkerBoard {
  board: VirtualBoard;
  app: MicroPythonWorkerApp;
  term: Terminal;
}

/**
 * A flashed ESP32-S3 whose app runs in a worker thread; the terminal is at the first prompt.
 * `terminal: false` leaves the port closed for a job that opens it itself.
 */
export async function startWorkerBoard(options: WorkerAppOptions = {}, { terminal = true } = {}): Promise<WorkerBoard> {
  const app = createMicroPythonWorkerApp({
    connectDelayMs: 300,
    modules: ["webrtc"],
    ...options,
    spawn: spawnNodeBoardWorker,
    peerBackend: async () => weriftPeerBackend,
  });
  const board = new VirtualBoard({ chip: "ESP32-S3", app });
  for (const part of demoParts("ESP32-S3")) board.flash.set(part.data, part.offset);
  await board.waitForMode("app");
  const term = new Terminal(board);
  if (terminal) await term.open();
  await app.whenReady(60_000);
  if (terminal) await term.until(">>> ", 60_000);
  return { board, app, term };
}
