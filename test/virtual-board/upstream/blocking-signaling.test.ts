/**
 * A `POST /webrtc/offer` handler that waits for the answer the way upstream pyDirect's does: a plain
 * function polling `process_queue()` between `time.sleep(0.01)` calls (our fixture,
 * test/fixtures/blocking-signaling/main.py). The sleep blocks the interpreter's thread; with the
 * board's WebRTC stack on a thread of its own (the peer host, as esp_peer's task on the chip) the
 * answer arrives during the wait and the DataChannel opens. With the stack on the interpreter's
 * thread the same handler times out, which is what the peer host is there to prevent.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upstreamBoard } from "../../core/upstream/upstream-board";
import { offerAndOpen, startPeerHostThread, type PeerHostThread } from "../webrtc/peer-host-harness";

const MAIN_PY = readFileSync(new URL("../../fixtures/blocking-signaling/main.py", import.meta.url), "utf8");

async function bootBlockingBoard(peerHost?: PeerHostThread) {
  const started = await upstreamBoard({ frozenFiles: { "/main.py": MAIN_PY }, peerHost: peerHost?.link });
  const up = () => started.https.current?.upstream;
  const deadline = Date.now() + 20_000;
  while (!up()?.httpPort && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { ...started, httpPort: up()!.httpPort! };
}

describe("with the WebRTC stack on its own thread (as on the chip)", () => {
  let peerHost: PeerHostThread;
  let board: Awaited<ReturnType<typeof bootBlockingBoard>>;
  beforeAll(async () => {
    peerHost = await startPeerHostThread();
    board = await bootBlockingBoard(peerHost);
  }, 60_000);
  afterAll(async () => {
    board.board.unplug();
    await peerHost.close();
  });

  it("answers while the handler blocks in time.sleep, and the DataChannel opens", async () => {
    let waitOpen: unknown;
    // The browser on the host's thread: the wait-open handler below blocks this one.
    const outcome = await peerHost.offerAndOpen(board.httpPort, {
      // A second blocking handler, polling is_connected() alone while the connection comes up.
      whileConnecting: async () => {
        const reply = await fetch(`http://127.0.0.1:${String(board.httpPort)}/webrtc/wait-open`);
        waitOpen = await reply.json();
      },
    });
    expect(outcome.status).toBe(200);
    expect(outcome.body.sdp).toMatch(/^v=0\r\n[\s\S]*m=application /);
    // The answer came during the polling (not at once, not at the 2 s limit).
    expect(outcome.body.polls).toBeGreaterThan(0);
    expect(outcome.answerMs).toBeLessThan(2000);
    expect(outcome.opened).toBe(true);
    expect(waitOpen).toMatchObject({ connected: true });
  }, 30_000);
});

describe("with the WebRTC stack on the interpreter's thread", () => {
  it("times out: the blocking sleep starves the stack", async () => {
    const board = await bootBlockingBoard();
    try {
      const outcome = await offerAndOpen(board.httpPort, { openTimeoutMs: 100 });
      expect(outcome.body).toMatchObject({ error: "Timeout waiting for SDP answer" });
      expect(outcome.opened).toBe(false);
    } finally {
      board.board.unplug();
    }
  }, 60_000);
});
