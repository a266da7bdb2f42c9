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
import { detectDeviceKindOnPort } from "../../../src/core/device-kind";
import {
  USER_SETTINGS_PATH,
  provisionDevice,
  type ProvisionEvent,
  type ProvisionResult,
} from "../../../src/core/provision";
import { DeviceFiles, RawRepl } from "../../../src/core/repl";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { verifyOverHttps } from "../../../src/core/verify";
import {
  WORKSHOP,
  certificateFiles,
  servingPort,
  provisionedSettings,
  upstreamBoard,
  type OpenConsole,
} from "../../core/upstream/upstream-board";
import { startPeerHostThread, type PeerHostThread } from "../webrtc/peer-host-harness";

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
  let peerHost: PeerHostThread;
  beforeAll(async () => {
    peerHost = await startPeerHostThread();
    started = await upstreamBoard({
      peerHost: peerHost.link,
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
    void peerHost.close();
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

  // Upstream's handler waits for the answer in a plain function (time.sleep(0.01) between
  // process_queue() calls, lib/sys/webrtc_signaling.py:301-318). On a chip esp_peer makes the answer
  // in its own FreeRTOS task meanwhile; here the peers run on a thread of their own (the peer host),
  // so the wait sees the answer arrive as it would on the chip.
  it("answers POST /webrtc/offer with an SDP answer, and the DataChannel opens", async () => {
    // The browser on the host's thread too: a real one is another machine.
    const port = started.https.current!.upstream.httpPort!;
    let boardSaw = "";
    const outcome = await peerHost.offerAndOpen(port, {
      // Meanwhile, what upstream's own status route says (its _on_state ran on the board's side).
      whileConnecting: async () => {
        const deadline = Date.now() + 10_000;
        while (!boardSaw.includes("STATE_DATA_CHANNEL_OPENED") && Date.now() < deadline) {
          boardSaw = await (await fetch(`http://127.0.0.1:${String(port)}/webrtc/status`)).text();
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    });
    console.log(
      "POST /webrtc/offer",
      outcome.status,
      `${String(outcome.answerMs)} ms`,
      JSON.stringify(outcome.body).slice(0, 300),
      "DataChannel opened:",
      outcome.opened,
      "then GET /webrtc/status",
      boardSaw,
    );
    expect(outcome.status).toBe(200);
    expect(outcome.body).toHaveProperty("sdp");
    expect(outcome.opened).toBe(true);
    expect(JSON.parse(boardSaw)).toMatchObject({ status: "STATE_DATA_CHANNEL_OPENED" });
  }, 30_000);
});

/**
 * The portal's own flow on upstream's unmodified scripts as a published image ships them: no
 * user_settings.json, so default_settings.json's `"setup_mode": true` rules and main.py runs only
 * the setup server. The portal detects the kind, provisions (Wi-Fi, certificate, WebREPL password,
 * setup mode off), resets, and verifies over HTTPS with a WBP login on the DataChannel.
 *
 * At first boot the setup server joins default_settings' network ("Paxnet", not in range) and
 * waits in a plain `time.sleep(0.5)` loop for up to 30 s (lib/sys/setup_server.py:99-120). On a
 * chip the portal's Ctrl-C interrupts that sleep at once; in Node the interpreter holds the
 * JavaScript thread, so the bytes only arrive once the board's thread-held limit (20 s,
 * THREAD_HELD_LIMIT_MS) interrupts the loop: the same KeyboardInterrupt, ~20 s late. The beforeAll
 * waits that out and checks the board really was in setup mode.
 */
describe.runIf(REPO)("the portal's whole flow on upstream's own scripts, from setup mode (dev-only)", () => {
  let started: Awaited<ReturnType<typeof upstreamBoard>>;
  let peerHost: PeerHostThread;
  let result: ProvisionResult;
  let firstBoot = "";
  beforeAll(async () => {
    peerHost = await startPeerHostThread();
    started = await upstreamBoard({
      peerHost: peerHost.link,
      frozenFiles: upstreamScripts(REPO!),
      connectDelayMs: 300,
      openConsole: true,
    });
    await started.term!.waitFor("KeyboardInterrupt", 40_000);
    firstBoot = started.term!.text();
    await started.term!.close();
  }, 60_000);
  afterAll(() => {
    started.board.unplug();
    void peerHost.close();
  });

  it("booted into upstream's setup server (setup_mode true in the shipped defaults)", () => {
    expect(firstBoot).toContain("[MAIN] Setup mode detected, starting setup server...");
    expect(firstBoot).not.toContain("/webrtc/offer");
  });

  it("is detected as an upstream board", async () => {
    expect(await detectDeviceKindOnPort(started.board.port)).toMatchObject({ kind: "pydirect-upstream" });
  }, 60_000);

  it("is provisioned, leaves setup mode, and after the reset serves HTTPS", async () => {
    const events: ProvisionEvent[] = [];
    const t0 = Date.now();
    result = await provisionDevice(started.board.port, { wifi: WORKSHOP, wifiTimeoutMs: 30_000 }, (e) =>
      events.push(e),
    );
    console.log("provisioned in", Date.now() - t0, "ms:", events.map((e) => e.state).join(" "));
    expect(result.wifi.state).toBe("connected");
    expect(result.deviceKind).toMatchObject({ kind: "pydirect-upstream" });
    await servingPort(started.https, 30_000);
  }, 90_000);

  it("verifies over HTTPS and logs in over WBP with the password the portal set", async () => {
    const base = `https://127.0.0.1:${String(await servingPort(started.https))}`;
    const t0 = Date.now();
    const { report } = await verifyOverHttps(
      createPinnedHttpsTransport(base, { fingerprint: result.certFingerprint }),
      {
        backend: weriftPeerBackend,
        certificatePem: result.certificatePem,
        channelProtocol: "wbp",
        webreplPassword: result.webreplPassword,
        readyTimeoutMs: 20_000,
      },
    );
    console.log("verified in", Date.now() - t0, "ms:", JSON.stringify(report.checks));
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.find((c) => c.step === "repl")?.detail).toMatch(/^REPL over WebRTC works/);
  }, 60_000);

  it("left setup_mode false with the portal's password in the board's settings", async () => {
    const repl = await RawRepl.open(started.board.port, { interruptAtBoot: true, enterTimeoutMs: 1500 });
    try {
      const settings = JSON.parse(await new DeviceFiles(repl).readText(USER_SETTINGS_PATH)) as {
        setup_mode: boolean;
        server: { webrepl_password: string };
      };
      expect(settings.setup_mode).toBe(false);
      expect(settings.server.webrepl_password).toBe(result.webreplPassword.reveal());
    } finally {
      await repl.close();
    }
  }, 60_000);
});
