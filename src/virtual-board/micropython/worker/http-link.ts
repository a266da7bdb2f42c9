/**
 * The page's end of a worker board's `httpserver` (see src/virtual-board/httpserver/worker-http.ts):
 * which ports serve, and each request the page routes to the board posted with an id and answered
 * by the worker's "http-reply".
 */
import type { HttpReplyOut, HttpRequestIn } from "../../httpserver/upstream-http-core";
import type { HttpServing } from "../../httpserver/worker-http";
import type { FromBoardWorker, ToBoardWorker } from "./protocol";

const CLOSED: HttpReplyOut = { status: -1, statusText: "", headers: {}, body: "" };

export class WorkerHttpLink {
  serving: HttpServing | null = null;
  private readonly pending = new Map<number, (reply: HttpReplyOut) => void>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly post: (message: ToBoardWorker) => void) {}

  request(scheme: "http" | "https", request: HttpRequestIn): Promise<HttpReplyOut> {
    if (this.closed || !this.serving?.[scheme]) return Promise.resolve(CLOSED);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.post({ type: "http-request", id, scheme, request });
    });
  }

  /** Messages about the server; false for any other. */
  receive(msg: FromBoardWorker): boolean {
    if (msg.type === "http-serving") {
      this.serving = msg.serving;
      return true;
    }
    if (msg.type === "http-reply") {
      this.pending.get(msg.id)?.(msg.reply);
      this.pending.delete(msg.id);
      return true;
    }
    return false;
  }

  /** The chip stopped (reset, power-off): its connections close unanswered. */
  close(): void {
    this.closed = true;
    this.serving = null;
    for (const answer of this.pending.values()) answer(CLOSED);
    this.pending.clear();
  }
}
