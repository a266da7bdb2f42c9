import { afterEach, describe, expect, it } from "vitest";
import { DeviceFiles, RawRepl, sha256Hex, tempPathFor } from "../../../src/core/repl";
import type { VirtualBoard } from "../../../src/virtual-board";
import { pyDirectBoard } from "../provision/pydirect-board";

let board: VirtualBoard | undefined;
let repl: RawRepl | undefined;
afterEach(async () => {
  await repl?.close().catch(() => undefined);
  board?.unplug();
  repl = undefined;
  board = undefined;
});

describe.each([
  ["raw-paste", true],
  ["plain raw REPL", false],
])("DeviceFiles on MicroPython over %s", (_name, rawPaste) => {
  it("writes atomically in chunks, verifies by the board's SHA-256, reads back, lists and removes", async () => {
    board = await pyDirectBoard({ rawPaste });
    repl = await RawRepl.open(board.port);
    const files = new DeviceFiles(repl);
    const data = new Uint8Array(5000).map((_, i) => (i * 7 + (i >> 8)) & 0xff); // every byte value, several chunks
    await files.mkdir("/data/nested/deeper");
    await files.mkdir("/data/nested"); // existing directories are fine
    const progress: number[] = [];
    expect(await files.writeFileAtomic("/data/nested/blob.bin", data, (p) => progress.push(p.written))).toBe(
      sha256Hex(data),
    );
    expect(progress.at(-1)).toBe(5000);
    expect(progress.length).toBeGreaterThan(1);
    expect(repl.rawPasteSupported).toBe(rawPaste);
    expect(await files.sha256("/data/nested/blob.bin")).toBe(sha256Hex(data));
    expect(await files.readFile("/data/nested/blob.bin")).toEqual(data);
    expect(await files.exists(tempPathFor("/data/nested/blob.bin"))).toBe(false);
    const listing = await files.list("/data/nested");
    expect(listing).toEqual(
      expect.arrayContaining([
        { name: "blob.bin", type: "file", size: 5000 },
        expect.objectContaining({ name: "deeper", type: "dir" }),
      ]),
    );
    // Replacing an existing file goes through the same temp + rename.
    await files.writeFileAtomic("/data/nested/blob.bin", new TextEncoder().encode("small"));
    expect(await files.readText("/data/nested/blob.bin")).toBe("small");
    await files.writeFileAtomic("/data/empty", new Uint8Array());
    expect(await files.readFile("/data/empty")).toEqual(new Uint8Array());
    await files.remove("/data/nested/blob.bin");
    await files.remove("/data/nested/blob.bin"); // already gone: fine
    await files.remove("/data/nested/deeper");
    expect(await files.list("/data/nested")).toEqual([]);
  }, 60_000);

  it("carries paths with quotes and non-ASCII as data, not code", async () => {
    board = await pyDirectBoard({ rawPaste });
    repl = await RawRepl.open(board.port);
    const files = new DeviceFiles(repl);
    const path = '/it\'s "odd" ü 🛜.txt';
    await files.writeFileAtomic(path, new TextEncoder().encode("x"));
    expect((await files.list("/")).map((e) => e.name)).toContain(path.slice(1));
    expect(await files.readText(path)).toBe("x");
  }, 60_000);
});

describe("DeviceFiles errors", () => {
  it("reports a missing file as a device exception naming the error", async () => {
    board = await pyDirectBoard();
    repl = await RawRepl.open(board.port);
    const files = new DeviceFiles(repl);
    await expect(files.readFile("/no/such/file")).rejects.toMatchObject({
      code: "device-exception",
      message: expect.stringMatching(/OSError/),
    });
    expect(await files.exists("/no/such/file")).toBe(false);
    // The session is still usable afterwards.
    expect((await repl.exec("print(6*7)")).stdout.trim()).toBe("42");
  }, 60_000);

  it("interrupts the running main.py, soft-resets and leaves raw mode", async () => {
    board = await pyDirectBoard();
    repl = await RawRepl.open(board.port, { softReset: true });
    expect(await repl.execJson<number[]>("import json\nprint(json.dumps([1,2]))")).toEqual([1, 2]);
    const err = await repl.exec("raise ValueError('bad')");
    expect(err.stdout).toBe("");
    expect(err.stderr).toMatch(/ValueError: bad/);
    await repl.leave();
    expect(repl.isInRawMode).toBe(false);
  }, 60_000);
});
