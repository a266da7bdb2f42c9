import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PARTITIONS, demoParts, makeDemoPartitionTable } from "../../../scripts/lib/demo-firmware";
import { VirtualBoard } from "../../../src/virtual-board";
import { findFilesystemRegion } from "../../../src/virtual-board/micropython/flash-fs";
import { enterRaw, startBoard, Terminal, type BoardUnderTest } from "./board-harness";

let bt: BoardUnderTest | undefined;
afterEach(() => {
  bt?.term.close();
  bt?.board.unplug();
  bt = undefined;
});

const WRITE_NOTE =
  "with open('/note.txt', 'w') as f:\n    f.write('kept across resets')\nimport os\nos.mkdir('/data')\nopen('/data/n.bin', 'wb').write(bytes(range(256)))";
const READ_NOTE = "import os\nprint(open('/note.txt').read(), len(open('/data/n.bin','rb').read()))";

async function reopen(board: VirtualBoard, old: Terminal): Promise<Terminal> {
  old.close();
  const term = new Terminal(board);
  await term.open();
  return term;
}

describe("filesystem in flash", () => {
  it("keeps files across a soft reset from the raw REPL (Ctrl-D), which re-runs boot.py", async () => {
    bt = await startBoard();
    const { term } = bt;
    await enterRaw(term);
    await term.rawExec(WRITE_NOTE);
    await term.rawExec("marker = 1");
    await term.send("\x04");
    const reboot = await term.until("raw REPL; CTRL-B to exit\r\n>");
    expect(reboot).toMatch(/^OK\r\nMPY: soft reboot\r\n/);
    expect(reboot).toContain('PYDIRECT {"event":"boot"');
    // main.py runs only in the friendly REPL, as on real firmware.
    expect(reboot).not.toContain('"event":"wifi"');
    expect(await term.rawExec(READ_NOTE)).toEqual(["kept across resets 256\r\n", ""]);
    const [, err] = await term.rawExec("print(marker)");
    expect(err).toContain("NameError");
  });

  it("keeps files across a friendly Ctrl-D soft reset, which runs main.py too", async () => {
    bt = await startBoard();
    const { term } = bt;
    await term.send("open('/f.txt','w').write('x' * 10)\r");
    await term.until(">>> ");
    await term.send("\x04");
    const out = await term.until(">>> ");
    expect(out).toContain("MPY: soft reboot\r\n");
    expect(out).toContain('"event":"wifi","state":"unconfigured"');
    await term.send("print(open('/f.txt').read())\r");
    expect(await term.until(">>> ")).toContain("xxxxxxxxxx\r\n");
  });

  it("keeps files across a hard reset and a power cycle", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    await bt.term.rawExec(WRITE_NOTE);
    bt.board.reset("normal");
    await bt.app.whenReady();
    await bt.term.until(">>> ");
    await enterRaw(bt.term);
    expect(await bt.term.rawExec(READ_NOTE)).toEqual(["kept across resets 256\r\n", ""]);

    bt.board.unplug();
    bt.board.plug();
    await bt.board.waitForMode("app");
    bt.term = await reopen(bt.board, bt.term);
    await bt.app.whenReady();
    await bt.term.until(">>> ");
    await enterRaw(bt.term);
    expect(await bt.term.rawExec(READ_NOTE)).toEqual(["kept across resets 256\r\n", ""]);
  });

  it("loses files to a flash erase; the device scripts come back from the image", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    await bt.term.rawExec(WRITE_NOTE + "\nopen('/main.py','w').write('print(\"custom main\")')");
    // What an erase-and-flash does: the chip is in the bootloader while flash is erased and written.
    bt.board.reset("download");
    bt.board.eraseAll();
    for (const part of demoParts("ESP32-S3")) bt.board.flash.set(part.data, part.offset);
    bt.board.reset("normal");
    await bt.app.whenReady();
    const boot = await bt.term.until(">>> ");
    expect(boot).not.toContain("custom main");
    await enterRaw(bt.term);
    const [out] = await bt.term.rawExec(
      "import os\nprint(sorted(os.listdir('/')))\nprint('note.txt' in os.listdir('/'))",
    );
    expect(out).toBe("['boot.py', 'lib', 'main.py', 'settings']\r\nFalse\r\n");
  });

  it("keeps the user's main.py over the frozen one, but refreshes firmware-owned lib/ files", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    await bt.term.rawExec(
      "open('/main.py','w').write('print(\"my main\")')\nopen('/lib/sys/status.py','w').write('broken')",
    );
    bt.board.reset("normal");
    await bt.app.whenReady();
    expect(await bt.term.until(">>> ")).toContain("my main\r\n");
    await enterRaw(bt.term);
    const [out] = await bt.term.rawExec("print(open('/lib/sys/status.py').read().startswith('broken'))");
    expect(out).toBe("False\r\n");
  });

  it("finds the vfs partition from the partition table, else a fixed fallback", () => {
    const flash = new Uint8Array(4 * 1024 * 1024).fill(0xff);
    expect(findFilesystemRegion(flash)).toEqual({ offset: 0x200000, size: 0x200000, source: "fallback" });
    for (const part of demoParts("ESP32")) flash.set(part.data, part.offset);
    expect(findFilesystemRegion(flash)).toEqual({ offset: 0x200000, size: 0x200000, source: "partition-table" });
  });

  it("a corrupted filesystem image boots as a fresh filesystem", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    await bt.term.rawExec(WRITE_NOTE);
    bt.board.reset("download");
    const region = bt.app.current?.filesystemRegion ?? findFilesystemRegion(bt.board.flash);
    bt.board.flash[region.offset + 40] = bt.board.flash[region.offset + 40] ^ 0x5a;
    bt.board.reset("normal");
    await bt.app.whenReady();
    await bt.term.until(">>> ");
    await enterRaw(bt.term);
    const [out] = await bt.term.rawExec(
      "import os\nprint('note.txt' in os.listdir('/'), 'boot.py' in os.listdir('/'))",
    );
    expect(out).toBe("False True\r\n");
  });

  it("reports the partition's size and free space through os.statvfs", async () => {
    bt = await startBoard();
    await enterRaw(bt.term);
    const [before] = await bt.term.rawExec("import os\ns = os.statvfs('/')\nprint(s[0], s[2])\nfree0 = s[3]");
    expect(before).toBe(`4096 ${0x200000 / 4096}\r\n`);
    const [after] = await bt.term.rawExec(
      "open('/big.bin','wb').write(bytes(40000))\nprint(free0 - os.statvfs('/')[3])",
    );
    expect(after).toBe("10\r\n");
  });

  it("a write that overflows a small vfs partition is reported, and the files saved before survive a reset", async () => {
    const board = new VirtualBoard({ chip: "ESP32-S3" });
    const table = makeDemoPartitionTable(DEMO_PARTITIONS.map((p) => (p.label === "vfs" ? { ...p, size: 0x4000 } : p)));
    for (const part of demoParts("ESP32-S3")) board.flash.set(part.offset === 0x8000 ? table : part.data, part.offset);
    bt = await startBoard({}, board);
    await enterRaw(bt.term);
    await bt.term.rawExec("open('/small.txt','w').write('fits')");
    const [out] = await bt.term.rawExec(
      "import random\nopen('/huge.bin','wb').write(bytes(random.getrandbits(8) for _ in range(20000)))",
    );
    expect(out).toMatch(
      /virtual board: The board's filesystem needs \d+ bytes of flash but its partition holds 16384; delete files to make room\./,
    );
    bt.board.reset("normal");
    await bt.app.whenReady();
    await bt.term.until(">>> ");
    await enterRaw(bt.term);
    const [files] = await bt.term.rawExec(
      "import os\nprint('small.txt' in os.listdir('/'), 'huge.bin' in os.listdir('/'))",
    );
    expect(files).toBe("True False\r\n");
  });
});
