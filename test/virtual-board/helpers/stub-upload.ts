import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Op } from "../../../src/virtual-board/rom/protocol";
import { checksum, dataPayload, words, type RawLoader } from "./raw-loader";

/** One of the stubs esptool-js ships, decoded from its JSON as esptool-js's stubFlasher.js does. */
export interface StubImage {
  text: Uint8Array;
  data: Uint8Array;
  textStart: number;
  dataStart: number;
  entry: number;
}

export const STUB_DIR = resolve(__dirname, "../../../node_modules/esptool-js/lib/targets/stub_flasher");

export function shippedStub(file: string): StubImage {
  const json = JSON.parse(readFileSync(resolve(STUB_DIR, file), "utf8")) as {
    text: string;
    data: string;
    text_start: number;
    data_start: number;
    entry: number;
  };
  return {
    text: new Uint8Array(Buffer.from(json.text, "base64")),
    data: new Uint8Array(Buffer.from(json.data, "base64")),
    textStart: json.text_start,
    dataStart: json.data_start,
    entry: json.entry,
  };
}

/** The esptool-js stub file for each simulated chip (stubFlasher.js; the P4 v1.x takes the rev1 build). */
export const STUB_FILE = {
  ESP32: "esp32.json",
  "ESP32-S3": "esp32s3.json",
  "ESP32-C3": "esp32c3.json",
  "ESP32-P4": "esp32p4-rev1.json",
} as const;

const RAM_BLOCK = 0x1800;

/** MEM_BEGIN / MEM_DATA each segment and MEM_END into the entry, as esptool-js's runStub does; returns MEM_END's status. */
export async function uploadStub(raw: RawLoader, stub: StubImage): Promise<number[]> {
  for (const [bytes, start] of [
    [stub.text, stub.textStart],
    [stub.data, stub.dataStart],
  ] as const) {
    const blocks = Math.ceil(bytes.length / RAM_BLOCK);
    await raw.command(Op.MEM_BEGIN, words(bytes.length, blocks, RAM_BLOCK, start));
    for (let seq = 0; seq < blocks; seq++) {
      const block = bytes.subarray(seq * RAM_BLOCK, (seq + 1) * RAM_BLOCK);
      await raw.command(Op.MEM_DATA, dataPayload(block, seq), checksum(block));
    }
  }
  return (await raw.command(Op.MEM_END, words(0, stub.entry))).status;
}
