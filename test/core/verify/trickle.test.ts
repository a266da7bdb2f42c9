/**
 * Trickle ICE from the board to the portal on `/webrtc-signal`, over both transports, against the
 * real device scripts: a board whose stack gathers slowly answers a trickle-capable portal at once
 * and sends its candidates as they come; a portal that does not ask gets them all in the offer
 * reply after gathering, as before.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createPinnedHttpsTransport } from "../../../src/core/signaling/https-pinned-node";
import { createSerialTransport } from "../../../src/core/signaling/serial-transport";
import { SIGNAL_PATH, parseCandidateBatch, parseDeviceOffer } from "../../../src/core/signaling";
import { verifyDevice } from "../../../src/core/verify";
import { startMicroPythonDevice, type MicroPythonDevice } from "../../virtual-board/webrtc/micropython-device";
import { endlessGatheringBackend, hiddenPortalBackend, slowGatheringBackend } from "./backends";
import { provisionedIdentity, verifySerially } from "./fixtures";

const GATHER_MS = 600;

let device: MicroPythonDevice | null = null;
afterEach(async () => {
  await device?.stop();
  device = null;
});

async function slowBoard(https = false) {
  const id = await provisionedIdentity();
  device = await startMicroPythonDevice({
    certPem: id.certPem,
    keyPem: id.keyPem,
    https,
    backend: slowGatheringBackend(GATHER_MS),
  });
  return id;
}

describe("the board trickles its candidates to the portal (device-offers)", () => {
  it("over the serial link: the offer comes before gathering, candidates follow through polls", async () => {
    const id = await slowBoard();
    // The board cannot reach this portal's candidates: only the board's own, trickled, make a path.
    const { report } = await verifySerially(device!, id.certPem, {
      backend: hiddenPortalBackend,
      shape: "device-offers",
      echoCount: 2,
    });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.negotiation).toMatchObject({ shape: "device-offers", trickle: true, deviceTrickle: true });
    expect(report.negotiation!.deviceCandidatesTrickled).toBeGreaterThan(0);
    expect(report.negotiation!.deviceCandidates.length).toBe(report.negotiation!.deviceCandidatesTrickled);
    expect(report.diagnostics.portalCandidates.every((c) => c.includes("203.0.113.77"))).toBe(true);
  });

  it("over pinned HTTPS: the same `candidates` polls on /webrtc-signal", async () => {
    const id = await slowBoard(true);
    const port = await device!.https!.listening;
    const { report } = await verifyDevice({
      transport: createPinnedHttpsTransport(`https://127.0.0.1:${port}`, { fingerprint: id.fingerprint }),
      backend: hiddenPortalBackend,
      shape: "device-offers",
      certificatePem: id.certPem,
      echoCount: 2,
    });
    expect(report.passed).toBe(true);
    expect(report.negotiation).toMatchObject({ trickle: true, deviceTrickle: true });
    expect(report.negotiation!.deviceCandidatesTrickled).toBeGreaterThan(0);
  });

  it("without trickle the board waits for gathering and lists every candidate in its offer reply", async () => {
    const id = await slowBoard();
    const started = performance.now();
    const { report } = await verifySerially(device!, id.certPem, {
      shape: "device-offers",
      echoCount: 2,
      trickle: false,
    });
    expect(report.passed).toBe(true);
    expect(report.negotiation).toMatchObject({ trickle: false, deviceTrickle: false, deviceCandidatesTrickled: 0 });
    expect(report.negotiation!.deviceCandidates.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(GATHER_MS);
  });

  it("opens without waiting for a gathering that never completes, where trickle lets it", async () => {
    const id = await provisionedIdentity();
    device = await startMicroPythonDevice({ certPem: id.certPem, keyPem: id.keyPem, backend: endlessGatheringBackend });
    const trickled = (await verifySerially(device, id.certPem, { shape: "device-offers", echoCount: 1 })).report;
    const waited = (await verifySerially(device, id.certPem, { shape: "device-offers", echoCount: 1, trickle: false }))
      .report;
    expect(trickled.passed).toBe(true);
    expect(waited.passed).toBe(true);
    // The board's stack never says it finished: only its 2 s gathering limit releases a full offer.
    expect(trickled.openMs!).toBeLessThan(1_900);
    expect(waited.openMs!).toBeGreaterThanOrEqual(1_900);
  });
});

describe("the board's `candidates` endpoint", () => {
  it("holds a poll until there is news, answers at once when nothing is left, and checks its input", async () => {
    const id = await slowBoard();
    const transport = createSerialTransport(device!, { timeoutMs: 5_000 });
    const offer = parseDeviceOffer(await transport.request("POST", SIGNAL_PATH, { type: "get_offer", trickle: true }));
    expect(offer).toMatchObject({ trickle: true, complete: false, candidates: [] });
    const started = performance.now();
    const batch = parseCandidateBatch(await transport.request("POST", SIGNAL_PATH, { type: "candidates", after: 0 }));
    expect(performance.now() - started).toBeGreaterThan(GATHER_MS / 3);
    expect(batch.candidates.length).toBeGreaterThan(0);
    const all = batch.complete
      ? batch
      : parseCandidateBatch(
          await transport.request("POST", SIGNAL_PATH, { type: "candidates", after: batch.candidates.length }),
        );
    expect(all.complete).toBe(true);
    // Asking again after everything: answered at once with nothing new.
    const total = batch.candidates.length + (all === batch ? 0 : all.candidates.length);
    expect(
      parseCandidateBatch(await transport.request("POST", SIGNAL_PATH, { type: "candidates", after: total })),
    ).toEqual({ candidates: [], complete: true });
    await expect(
      transport.request("POST", SIGNAL_PATH, { type: "candidates", after: -1 }).then(parseCandidateBatch),
    ).rejects.toMatchObject({ code: "device-refused" });
    expect(id.hostname).toBeTruthy();
  });

  it("an offer to a portal that did not ask for trickle is complete", async () => {
    await slowBoard();
    const transport = createSerialTransport(device!);
    const offer = parseDeviceOffer(await transport.request("POST", SIGNAL_PATH, { type: "get_offer" }));
    expect(offer.complete).toBe(true);
    expect(offer.candidates.length).toBeGreaterThan(0);
  });
});
