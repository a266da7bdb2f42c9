/**
 * DEV-ONLY, opt-in: upstream pyDirect's own device scripts on the virtual board, read from a local
 * clone or mirror of jetpax/pyDirect at run time (never copied into this project). Runs when
 * PYDIRECT_UPSTREAM_REPO names that repository (a bare mirror works):
 *
 *   PYDIRECT_UPSTREAM_REPO=/work/.mirror/jetpax+pyDirect/repo \
 *     npx vitest run --config vitest.config.ts test/virtual-board/upstream/upstream-own-scripts.test.ts
 *
 * It boots them as a provisioned board (user_settings: setup mode off, the test network, HTTPS on)
 * and checks what they do: boot, join Wi-Fi, serve HTTP/HTTPS, answer /webrtc/status and
 * /webrtc/offer. What they print is written to the test's output for reading.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import {
  certificateFiles,
  provisionedSettings,
  upstreamBoard,
  type OpenConsole,
} from "../../core/upstream/upstream-board";

const REPO = process.env.PYDIRECT_UPSTREAM_REPO;
const REV = process.env.PYDIRECT_UPSTREAM_REV ?? "HEAD";

function upstreamScripts(repo: string): Record<string, string> {
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  const files: Record<string, string> = {};
  for (const path of git("ls-tree", "-r", "--name-only", REV, "device-scripts").split("\n")) {
    if (!/\.(py|json)$/.test(path)) continue;
    files[path.slice("device-scripts".length)] = git("show", `${REV}:${path}`);
  }
  return files;
}

describe.runIf(REPO)("upstream pyDirect's own device scripts (dev-only)", () => {
  let started: Awaited<ReturnType<typeof upstreamBoard>>;
  let term: OpenConsole;
  beforeAll(async () => {
    started = await upstreamBoard({
      frozenFiles: upstreamScripts(REPO!),
      files: await certificateFiles(),
      userSettings: provisionedSettings(false, "upstream-pw"),
      connectDelayMs: 300,
      openConsole: true,
    });
    term = started.term!;
  }, 60_000);
  afterAll(() => {
    console.log(term.text().split("app_main()")[1] ?? term.text());
    started.board.unplug();
  });

  it("boots, joins the Wi-Fi and serves HTTP and HTTPS", async () => {
    await term.waitFor("System booting...");
    await started.app.waitForWifi("connected", 30_000);
    await started.https.current!.upstream.whenListening();
    expect(started.https.current!.upstream.httpsPort).not.toBeNull();
  }, 60_000);

  it("answers GET /webrtc/status in its shape", async () => {
    const up = started.https.current!.upstream;
    const deadline = Date.now() + 20_000;
    let status = 404;
    let body = "";
    while (Date.now() < deadline && status === 404) {
      const r = await fetch(`http://127.0.0.1:${String(up.httpPort)}/webrtc/status`, {
        signal: AbortSignal.timeout(5000),
      });
      status = r.status;
      body = await r.text();
      if (status === 404) await new Promise((res) => setTimeout(res, 250));
    }
    console.log("GET /webrtc/status", status, body);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toHaveProperty("status");
  }, 30_000);

  // Known to fail on the virtual board: upstream's handler waits for the answer in a plain
  // function (time.sleep(0.01) in a loop, lib/sys/webrtc_signaling.py:301-318). On a chip esp_peer makes
  // the answer in its own FreeRTOS task meanwhile; here the wait blocks the one JavaScript thread
  // the WebRTC stack also needs, so the handler times out with its own
  // {"error": "Timeout waiting for SDP answer"}. Our fixtures use an async handler instead.
  it.fails(
    "answers POST /webrtc/offer with an SDP answer",
    async () => {
      const up = started.https.current!.upstream;
      const peer = weriftPeerBackend.createPeer();
      peer.createDataChannel("wbp");
      await peer.createOffer();
      await peer.waitForGathering(1000);
      const t0 = Date.now();
      const r = await fetch(`http://127.0.0.1:${String(up.httpPort)}/webrtc/offer`, {
        method: "POST",
        body: JSON.stringify({ sdp: peer.localSdp() }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = await r.text();
      console.log("POST /webrtc/offer", r.status, `${String(Date.now() - t0)} ms`, body.slice(0, 300));
      peer.close();
      expect(r.status).toBe(200);
      expect(JSON.parse(body)).toHaveProperty("sdp");
    },
    30_000,
  );
});
