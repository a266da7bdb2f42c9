/**
 * A board provisioned earlier (settings and certificate in place, setup mode over) that the
 * portal verifies with a WebREPL password that is not the board's: the WBP login is refused and
 * the report says so with its own code and sentence, not as a channel or network failure. Its
 * own board, so the refused login is on the board's first channel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDeviceCertificate } from "../../../src/core/provision";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { verifyOverHttps } from "../../../src/core/verify";
import { provisionedSettings, servingPort, upstreamBoard } from "./upstream-board";

let started: Awaited<ReturnType<typeof upstreamBoard>>;
let certificate: Awaited<ReturnType<typeof generateDeviceCertificate>>;

beforeAll(async () => {
  certificate = await generateDeviceCertificate({ hostname: "pydirect-3c01" });
  started = await upstreamBoard({
    files: {
      "/certs/servercert.pem": certificate.certificatePem,
      "/certs/prvtkey.pem": certificate.privateKeyPem.reveal(),
    },
    userSettings: provisionedSettings(false, "the-boards-own"),
    connectDelayMs: 100,
  });
}, 60_000);
afterAll(() => started.board.unplug());

describe("a wrong WebREPL password", () => {
  it("fails the REPL check with its own code and sentence", async () => {
    const base = `https://127.0.0.1:${await servingPort(started.https)}`;
    const { report } = await verifyOverHttps(
      createPinnedHttpsTransport(base, { fingerprint: certificate.fingerprint }),
      {
        backend: weriftPeerBackend,
        certificatePem: certificate.certificatePem,
        channelProtocol: "wbp",
        webreplPassword: "not-the-password",
        readyTimeoutMs: 20_000,
      },
    );
    expect(report.passed).toBe(false);
    expect(report.diagnostics.stalledAt).toBe("repl");
    const failed = report.checks.find((c) => !c.passed);
    expect(failed).toMatchObject({ step: "repl", code: "wrong-password" });
    expect(failed?.detail).toMatch(
      /^The board refused the WebREPL password: it is not the one in the board's settings/,
    );
    expect(failed?.detail).not.toContain("not-the-password");
    // Signaling and the channel itself were fine: only the password was wrong.
    expect(report.checks.filter((c) => c.passed).map((c) => c.step)).toEqual(["signaling", "channel-open"]);
  }, 60_000);
});
