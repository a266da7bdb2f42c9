/**
 * The board's interpreter in a worker (as in a browser) blocking in `time.sleep` inside a plain
 * function while it waits for its peer: with shared memory the page runs the peers whole (the peer
 * host), so the offer arrives during the wait, as esp_peer's task delivers it on the chip. The Node
 * worker thread stands in for the browser's Worker; Node shares memory as an isolated page does.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWorkerBoard, type WorkerBoard } from "../micropython/worker-harness";

// One line for the friendly REPL: a plain function that polls process_queue() between sleeps, the
// way upstream's /webrtc/offer handler waits (device-scripts/lib/sys/webrtc_signaling.py:301-318).
const WAIT_FOR_OFFER = [
  "import webrtc, time",
  "st = {}",
  "p = webrtc.Peer(role='controlling')",
  "p.on_offer(lambda s: st.__setitem__('offer', s))",
  "def wait():",
  "    p.create_offer()",
  "    n = 0",
  "    while 'offer' not in st and n < 200:",
  "        p.process_queue()",
  "        time.sleep(0.01)",
  "        n += 1",
  "    return n, 'offer' in st, p.state()",
  "print('WAITED', wait())",
].join("\\n");

let started: WorkerBoard;
beforeAll(async () => {
  started = await startWorkerBoard({ modules: ["webrtc"] });
}, 90_000);
afterAll(() => started.board.unplug());

it("gets the offer while a plain function sleeps", async () => {
  await started.term.send(`exec("${WAIT_FOR_OFFER}")\r`);
  const text = await started.term.until("WAITED", 15_000);
  await started.term.until(">>> ", 15_000);
  const match = /WAITED \((\d+), (True|False), (\d+)\)/.exec(started.term.text);
  expect(match, text.slice(-500)).not.toBeNull();
  expect(match![2]).toBe("True");
  // Well before the 2 s the loop would give up.
  expect(Number(match![1])).toBeLessThan(150);
}, 30_000);
