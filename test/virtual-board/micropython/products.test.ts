import { afterEach, describe, expect, it } from "vitest";
import { demoProduct, demoProductMerged } from "../../../scripts/lib/demo-products";
import { VirtualBoard } from "../../../src/virtual-board";
import { enterRaw, startBoard, type BoardUnderTest } from "./board-harness";

let bt: BoardUnderTest | undefined;
afterEach(() => {
  bt?.term.close();
  bt?.board.unplug();
  bt = undefined;
});

// The demo build of each product runs MicroPython with its own partition layout: on 16 MB boards
// the filesystem fills the 12.8 MB `vfs` partition of MicroPython's 16 MiB layout.
describe.each(["ESP32_P4", "ESP32_S3_16MB"])("the %s demo build under MicroPython", (name) => {
  it("boots to the REPL, names its chip and keeps a file in its 16 MB layout's filesystem", async () => {
    const product = demoProduct(name);
    const board = new VirtualBoard({
      chip: product.chip,
      flashSize: product.flashSize,
      usbSerialJtag: product.chip === "ESP32-P4",
    });
    board.flash.set(demoProductMerged(product).data, 0);
    bt = await startBoard({}, board);
    await enterRaw(bt.term);
    const [out, err] = await bt.term.rawExec(
      "import os, sys\nst = os.statvfs('/')\nprint(sys.implementation._machine, st[0] * st[2] > 12_000_000)\nopen('/kept.txt', 'w').write('p')",
    );
    expect(err).toBe("");
    expect(out).toMatch(new RegExp(`with ${product.chip.replace("-", "")}\\s+True\\r\\n$`));
    board.reset("normal");
    await bt.app.whenReady();
    await bt.term.until(">>> ");
    await enterRaw(bt.term);
    expect(await bt.term.rawExec("print(open('/kept.txt').read())")).toEqual(["p\r\n", ""]);
  });
});
