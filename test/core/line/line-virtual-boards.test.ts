/**
 * The production line on six virtual boards at once with the real cores (manifest, install,
 * flash, provision, WebRTC verification): one board is unplugged mid-write and one is an ESP32-C3
 * given an ESP32-S3-only image. Both fail alone, with their own reasons; the other four pass, each
 * with its own identity, certificate and registry record, written as each board finishes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ProductionLine, type LineBoardState } from "../../../src/core/line";
import { VirtualBoard } from "../../../src/virtual-board";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { createPortalJobs } from "../../../src/core/session/default-jobs";
import { weriftPeerBackend } from "../../../src/core/signaling/werift-peer-node";
import { LINE_WIFI, S3_ONLY_MANIFEST, makeLineBoard, publicFetch, type LineBoard } from "./line-harness";

const boards: LineBoard[] = [];
afterAll(() => {
  for (const b of boards) b.board.unplug();
});

describe("production line on virtual boards", () => {
  it("runs six boards at once; an unplugged one and a wrong-chip one fail alone, the rest pass with their own certificates", async () => {
    const registry = new MemoryDeviceRegistry();
    const jobs = createPortalJobs({ fetch: publicFetch(), registry, peerBackend: weriftPeerBackend });
    const line = new ProductionLine({ jobs, registry });
    const [offer] = await jobs.loadFirmware(S3_ONLY_MANIFEST, new AbortController().signal);
    expect(offer.chipFamilies).toEqual(["ESP32-S3"]);

    for (const chip of ["ESP32-S3", "ESP32-S3", "ESP32-S3", "ESP32-C3", "ESP32-S3", "ESP32-S3"] as const) {
      boards.push(makeLineBoard({ chip, connectDelayMs: 300 }));
    }
    const ids = boards.map((b) => line.addPort(b.choice).id);
    const pulled = boards[1];
    const pulledId = ids[1];
    const c3Id = ids[3];

    // Pull the cable 100 KB into this board's install: past the stub upload, inside the app part.
    let pulledWriting = 0;
    const steps = new Map<string, Set<string>>();
    const recordedAtFinish: Promise<unknown>[] = [];
    line.subscribe((e) => {
      if (e.type === "board-changed") {
        const seen = steps.get(e.board.id) ?? new Set();
        if (e.board.id === pulledId && e.board.step === "installing" && !seen.has("installing"))
          pulled.board.injectFaults({ disconnectAfterBytes: 100_000 });
        if (e.board.id === pulledId && e.board.step === "installing" && e.board.phase.startsWith("Writing"))
          pulledWriting = Math.max(pulledWriting, e.board.progress);
        seen.add(e.board.step);
        steps.set(e.board.id, seen);
      }
      // Each board is in the registry by the time it is announced finished.
      if (e.type === "board-finished" && e.board.step === "done") {
        const board = e.board;
        recordedAtFinish.push(
          registry
            .get(board.result!.deviceId!)
            .then((r) => expect(r?.certFingerprint).toBe(board.result!.certFingerprint)),
        );
      }
    });

    const summary = await line.start({ offer: offer, wifi: LINE_WIFI });
    const byId = new Map(line.state.boards.map((b) => [b.id, b]));
    const explain = (b: LineBoardState) =>
      `${b.label}: ${b.step} ${b.error ? `${b.error.code}: ${b.error.message}` : ""}`;

    expect(summary, line.state.boards.map(explain).join("\n")).toMatchObject({ passed: 4, failed: 2, stopped: 0 });
    await Promise.all(recordedAtFinish);
    expect(recordedAtFinish).toHaveLength(4);

    const unplugged = byId.get(pulledId)!;
    expect(unplugged.step).toBe("failed");
    expect(unplugged.error?.code).toBe("disconnected");
    expect(unplugged.error?.message.length).toBeGreaterThan(20);
    // It failed while writing, partway through.
    expect(pulledWriting).toBeGreaterThan(0.04);
    expect(unplugged.progress).toBeLessThan(0.65);
    expect(pulled.board.mode).toBe("unplugged");

    const c3 = byId.get(c3Id)!;
    expect(c3.step).toBe("failed");
    expect(c3.chip).toBe("ESP32-C3");
    expect(c3.error?.code).toBe("manifest-no-build");
    expect(c3.error?.message).toContain("ESP32-C3");
    // Refused before a byte was written: the C3's flash is still blank.
    expect(boards[3].board.flash.every((b) => b === 0xff)).toBe(true);

    const passed = line.state.boards.filter((b) => b.step === "done");
    expect(passed).toHaveLength(4);
    for (const b of passed) {
      expect([...steps.get(b.id)!]).toEqual([
        "waiting",
        "connecting",
        "installing",
        "provisioning",
        "verifying",
        "done",
      ]);
      expect(b.progress).toBe(1);
      expect(b.chip).toBe("ESP32-S3");
      expect(b.result?.hostname).toMatch(/^pyDirect-/);
      expect(b.finishedAt! - b.startedAt!).toBeGreaterThan(0);
    }
    const fingerprints = passed.map((b) => b.result!.certFingerprint);
    expect(new Set(fingerprints).size).toBe(4);
    expect(new Set(passed.map((b) => b.mac)).size).toBe(4);
    expect(new Set(passed.map((b) => b.result!.hostname)).size).toBe(4);

    const records = await registry.list();
    expect(records).toHaveLength(4);
    expect(records.map((r) => r.certFingerprint).sort()).toEqual([...fingerprints].sort());
    expect(records.every((r) => r.lastVerification?.passed && r.certificatePem?.includes("BEGIN CERTIFICATE"))).toBe(
      true,
    );
    // Secrets stay on the boards.
    const stored = JSON.stringify(records) + JSON.stringify(line.state);
    expect(stored).not.toContain(LINE_WIFI.password);
    expect(stored).not.toContain("PRIVATE KEY");
  }, 600_000);

  it("asks a silent board once more, then fails it alone with the hold-BOOT advice while the next board flashes", async () => {
    const jobs = createPortalJobs({ fetch: publicFetch() });
    const line = new ProductionLine({ jobs });
    const [offer] = await jobs.loadFirmware(S3_ONLY_MANIFEST, new AbortController().signal);
    // No auto-reset transistors: only BOOT held while RESET is pressed gets it into the bootloader.
    const silent = new VirtualBoard({
      chip: "ESP32-S3",
      autoReset: false,
      mac: new Uint8Array([0x24, 0x6f, 0x28, 0x20, 0, 1]),
    });
    const fine = makeLineBoard({ app: false });
    boards.push(fine, { board: silent, choice: { port: silent.port, label: "No auto-reset", virtual: true } });
    line.addPort({ port: silent.port, label: "No auto-reset", virtual: true });
    line.addPort(fine.choice);
    const phases: string[] = [];
    line.subscribe((e) => {
      if (e.type === "board-changed" && e.board.label === "No auto-reset") phases.push(e.board.phase);
    });
    expect(await line.start({ offer: offer, wifi: null })).toMatchObject({ passed: 1, failed: 1 });
    const failed = line.state.boards.find((b) => b.step === "failed")!;
    expect(failed.error).toMatchObject({ code: "no-response", action: "hold-boot" });
    expect(phases).toContain("The board did not answer; resetting it and asking again");
  }, 300_000);
});
