import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ESPLoader, Transport } from "esptool-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flashParts, type FlashEvent } from "../../src/core/flash";
import { assertFirmware, sha256Hex } from "../../src/core/image";
import { prepareInstall } from "../../src/core/install";
import { parseManifest } from "../../src/core/manifest";
import { VirtualBoard, type VirtualBoardOptions } from "../../src/virtual-board";
import { demoManifest, demoPartsByChip } from "../../scripts/lib/demo-firmware";
import {
  demoProduct,
  demoProductManifest,
  demoProductMerged,
  DEMO_PRODUCTS,
  type DemoProduct,
} from "../../scripts/lib/demo-products";

const MB = 1024 * 1024;

/** The generated demo site (main manifest, its parts, one merged image + manifest per product) on 127.0.0.1. */
const files = new Map<string, Uint8Array | string>();
let server: Server;
let base = "";
beforeAll(async () => {
  const parts = demoPartsByChip();
  for (const list of Object.values(parts)) for (const p of list) files.set(`/demo/${p.path}`, p.data);
  files.set("/demo/manifest.json", JSON.stringify(demoManifest(parts)));
  for (const product of DEMO_PRODUCTS) {
    const merged = demoProductMerged(product);
    files.set(`/demo/${merged.path}`, merged.data);
    files.set(`/demo/products/${product.product}.manifest.json`, JSON.stringify(demoProductManifest(product, merged)));
  }
  server = createServer((req, res) => {
    const body = files.get(req.url ?? "");
    res.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { clean: () => undefined, write: () => undefined, writeLine: () => undefined };

/**
 * ESP Web Tools' install, step by step as its src/flash.ts runs it: esptool-js at 115200 baud,
 * main() and flashId(), the build whose chipFamily equals esptool-js's CHIP_NAME, every part fetched
 * relative to the manifest URL, optional eraseFlash(), one compressed writeFlash with "keep" for
 * mode/frequency/size, then its resetTransport (RTS pulse with DTR low) and disconnect. (Its old
 * `ROM_TEXT` check belongs to esptool-js versions that embedded the stubs; 0.7 has no such field.)
 */
async function espWebToolsInstall(
  board: VirtualBoard,
  manifestUrl: string,
  eraseFirst: boolean,
): Promise<{ chipFamily: string; written: Map<number, Uint8Array> }> {
  const transport = new Transport(board.port as unknown as SerialPort, false);
  const loader = new ESPLoader({
    transport,
    baudrate: 115200,
    romBaudrate: 115200,
    enableTracing: false,
    terminal: quiet,
  });
  const log = console.log;
  console.log = () => undefined; // esptool-js prints a few trace lines whatever its settings
  try {
    await loader.main();
    await loader.flashId();
    const chipFamily = loader.chip.CHIP_NAME;
    const manifest = (await (await fetch(manifestUrl)).json()) as {
      builds: { chipFamily: string; parts: { path: string; offset: number }[] }[];
    };
    const build = manifest.builds.find((b) => b.chipFamily === chipFamily);
    if (!build) throw new Error(`Your ${chipFamily} board is not supported.`);
    const fileArray = await Promise.all(
      build.parts.map(async (part) => {
        const resp = await fetch(new URL(part.path, manifestUrl));
        if (!resp.ok) throw new Error(`Downloading firmware ${part.path} failed: ${resp.status}`);
        return { data: new Uint8Array(await resp.arrayBuffer()), address: part.offset };
      }),
    );
    if (eraseFirst) await loader.eraseFlash();
    let lastPercent = 0;
    await loader.writeFlash({
      fileArray,
      flashSize: "keep",
      flashMode: "keep",
      flashFreq: "keep",
      eraseAll: false,
      compress: true,
      reportProgress: (_i, written, total) => void (lastPercent = Math.floor((100 * written) / total)),
    });
    expect(lastPercent).toBe(100);
    await sleep(100);
    await transport.device.setSignals({ dataTerminalReady: false, requestToSend: true });
    await sleep(250);
    await transport.device.setSignals({ dataTerminalReady: false, requestToSend: false });
    await sleep(250);
    await transport.disconnect();
    return { chipFamily, written: new Map(fileArray.map((f) => [f.address, f.data])) };
  } finally {
    console.log = log;
  }
}

/** The board each product is made for: the P4 talks through its USB-Serial-JTAG, the S3s through a UART bridge. */
function boardFor(product: DemoProduct, extra: VirtualBoardOptions = {}): VirtualBoard {
  return new VirtualBoard({
    chip: product.chip,
    flashSize: product.flashSize,
    usbSerialJtag: product.chip === "ESP32-P4",
    ...extra,
  });
}

async function bootsThePyDirectDemo(board: VirtualBoard, flashSize: number): Promise<void> {
  await board.waitForMode("app", 20_000);
  expect(board.consoleText).toContain("Loaded app from partition at offset 0x10000");
  expect(board.consoleText).toContain("Project name:     pyDirect");
  expect(board.consoleText).toContain(`SPI Flash Size : ${flashSize / MB}MB`);
}

describe("ESP Web Tools' own install flow on the virtual boards", () => {
  it.each(DEMO_PRODUCTS.map((p) => [p.product, p] as const))(
    "installs the %s demo build (merged image at 0x0) and the board boots it",
    async (_name, product) => {
      const board = boardFor(product);
      const { chipFamily, written } = await espWebToolsInstall(
        board,
        `${base}/demo/products/${product.product}.manifest.json`,
        true,
      );
      expect(chipFamily).toBe(product.chip);
      const merged = written.get(0)!;
      expect(sha256Hex(board.flash.subarray(0, merged.length))).toBe(sha256Hex(demoProductMerged(product).data));
      await bootsThePyDirectDemo(board, product.flashSize);
      board.unplug();
    },
  );

  it("installs the main demo manifest's ESP32-P4 build (bootloader at 0x2000) over a USB-UART bridge", async () => {
    const board = new VirtualBoard({ chip: "ESP32-P4" });
    const { chipFamily, written } = await espWebToolsInstall(board, `${base}/demo/manifest.json`, false);
    expect(chipFamily).toBe("ESP32-P4");
    expect([...written.keys()]).toEqual([0x2000, 0x8000, 0x10000]);
    await bootsThePyDirectDemo(board, 4 * MB);
    // The P4's ROM banner and bootloader lines, as a v1.x chip prints them.
    expect(board.consoleText).toMatch(
      /^ESP-ROM:esp32p4-eco2-20240710\r\nBuild:Jul 10 2024\r\nrst:0x1 \(POWERON\),boot:0x30f \(SPI_FAST_FLASH_BOOT\)\r\nSPI mode:DIO, clock div:1\r\nload:0x4ff33ce0,len:0x164c\r\n/m,
    );
    expect(board.consoleText).toContain("I (");
    expect(board.consoleText).toMatch(/boot: chip revision: v1\.0/);
    expect(board.consoleText).toMatch(
      /esp_image: segment 0: paddr=00010020 vaddr=40050020 size=[0-9a-f]+h \(\s*\d+\) map/,
    );
    board.unplug();
  });
});

describe("our flash job on the virtual ESP32-P4 and the 16 MB ESP32-S3", () => {
  const cases: [string, boolean][] = [
    ["ESP32_P4", true],
    ["ESP32_P4", false],
    ["ESP32_S3_16MB", false],
  ];
  for (const [name, usbSerialJtag] of cases) {
    it(`checks and flashes the ${name} demo build from its manifest ${usbSerialJtag ? "over USB-Serial-JTAG" : "through a USB-UART bridge"}, and the board boots it`, async () => {
      const product = demoProduct(name);
      const board = boardFor(product, { usbSerialJtag });
      const manifestUrl = `${base}/demo/products/${name}.manifest.json`;
      const manifest = parseManifest(await (await fetch(manifestUrl)).text()).manifest;
      expect(manifest.virtual_board_only).toBe(true);
      const events: FlashEvent[] = [];
      const report = await flashParts(
        board.port,
        { parts: prepareInstall({ manifest, manifestUrl }), eraseAll: true },
        (e) => events.push(e),
      );
      expect(report.chip).toMatchObject({ family: product.chip, flashSize: product.flashSize, usbSerialJtag });
      // A UART bridge is switched to the fast rate; USB-Serial-JTAG has none to switch.
      if (!usbSerialJtag) expect(report.baudRate).toBeGreaterThan(115200);
      expect(report.parts.map((p) => [p.name, p.offset])).toEqual([[`pyDirect-${name}-merged.bin`, 0]]);
      expect(events.map((e) => e.state)).toContain("erasing");
      await bootsThePyDirectDemo(board, product.flashSize);
      board.unplug();
    });
  }

  it("a merged ESP32-P4 image passes the image checks (bootloader at 0x2000, table at 0x8000, app at 0x10000) and boots once flashed", async () => {
    const merged = demoProductMerged(demoProduct("ESP32_P4")).data;
    const check = assertFirmware([{ name: "pyDirect-ESP32_P4-merged.bin", offset: 0, data: merged }], {
      family: "ESP32-P4",
      revision: 100,
      flashSize: 16 * MB,
    });
    expect(check.parts[0]).toMatchObject({
      kind: "bootloader",
      image: { chip: "ESP32-P4", flashSize: 16 * MB },
      app: { projectName: "pyDirect" },
    });
    // The same file for another chip, or on a board with less flash, is refused before anything is written.
    expect(() => assertFirmware([{ name: "m.bin", offset: 0, data: merged }], { family: "ESP32-S3" })).toThrow(
      /m\.bin is built for ESP32-P4 \(its bootloader at 0x2000, where the ESP32-P4 ROM looks\), but this board is an ESP32-S3/,
    );
    expect(() =>
      assertFirmware([{ name: "m.bin", offset: 0, data: merged }], { family: "ESP32-P4", flashSize: 8 * MB }),
    ).toThrow(/16 MB of flash, but this board has 8 MB/);
    const board = new VirtualBoard({ chip: "ESP32-P4", usbSerialJtag: true });
    await flashParts(board.port, {
      parts: (chip) =>
        assertFirmware([{ name: "pyDirect-ESP32_P4-merged.bin", offset: 0, data: merged }], {
          family: chip.family,
          revision: chip.revision,
          flashSize: chip.flashSize,
        }).parts.map((p) => ({ name: p.name, offset: p.offset, data: merged })),
    });
    expect(sha256Hex(board.flash.subarray(0, merged.length))).toBe(sha256Hex(merged));
    await bootsThePyDirectDemo(board, 16 * MB);
    board.unplug();
  });
});
