/**
 * WBP framing against byte vectors written out by hand from upstream's sources (jetpax/pyDirect
 * 362a8cc): the message layouts of webrepl/wbp_common.c's builders and modwebrepl_binary.c's
 * parsers, encoded by RFC 8949's rules as TinyCBOR does (definite lengths, shortest heads).
 */
import { describe, expect, it } from "vitest";
import {
  CborError,
  decodeCbor,
  decodeMessage,
  encodeCbor,
  encodeExecute,
  encodeInterrupt,
  encodeLogin,
} from "../../../src/core/wbp";

const hex = (s: string) =>
  Uint8Array.from(
    s
      .replace(/\s+/g, "")
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );
const ascii = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("client → board messages", () => {
  it("login is [0, 0, password] (handle_rtc_auth_message)", () => {
    expect(encodeLogin("secret")).toEqual(hex(`83 00 00 66 ${ascii("secret")}`));
  });

  it("execute is [ch, 0, code, format, id] with format 0 = Python source (handle_ws_channel_message)", () => {
    expect(encodeExecute(2, "1+1", "pd1")).toEqual(hex(`85 02 00 63 ${ascii("1+1")} 00 63 ${ascii("pd1")}`));
    expect(encodeExecute(1, "x")).toEqual(hex(`84 01 00 61 78 00`));
  });

  it("interrupt is [ch, 1]", () => {
    expect(encodeInterrupt(1)).toEqual(hex("82 01 01"));
  });

  it("long code takes one- and two-byte length heads", () => {
    const code = "a".repeat(300);
    const bytes = encodeExecute(2, code);
    expect([...bytes.slice(0, 6)]).toEqual([0x84, 0x02, 0x00, 0x79, 0x01, 0x2c]);
    expect(encodeCbor("b".repeat(24)).slice(0, 2)).toEqual(hex("78 18"));
  });
});

describe("board → client messages", () => {
  it("auth ok [0, 1] and auth fail [0, 2, reason] (wbp_send_auth_ok / wbp_send_auth_fail)", () => {
    expect(decodeMessage(hex("82 00 01"))).toEqual({ kind: "auth-ok" });
    expect(decodeMessage(hex(`83 00 02 70 ${ascii("Invalid password")}`))).toEqual({
      kind: "auth-fail",
      reason: "Invalid password",
    });
  });

  it("result [ch, 0, text, id?] (wbp_send_result)", () => {
    expect(decodeMessage(hex(`84 02 00 64 ${ascii("42\r\n")} 63 ${ascii("pd1")}`))).toEqual({
      kind: "result",
      channel: 2,
      text: "42\r\n",
      id: "pd1",
    });
    expect(decodeMessage(hex(`83 01 00 62 ${ascii(">>")}`))).toMatchObject({ kind: "result", channel: 1, id: null });
  });

  it("progress in its four shapes (wbp_send_progress: error or null placeholder before the id)", () => {
    expect(decodeMessage(hex("83 02 02 00"))).toEqual({
      kind: "progress",
      channel: 2,
      status: 0,
      error: null,
      id: null,
    });
    expect(decodeMessage(hex(`85 02 02 00 f6 63 ${ascii("pd1")}`))).toEqual({
      kind: "progress",
      channel: 2,
      status: 0,
      error: null,
      id: "pd1",
    });
    expect(decodeMessage(hex(`85 02 02 01 69 ${ascii("Exception")} 63 ${ascii("pd2")}`))).toEqual({
      kind: "progress",
      channel: 2,
      status: 1,
      error: "Exception",
      id: "pd2",
    });
    expect(decodeMessage(hex(`84 01 02 01 71 ${ascii("KeyboardInterrupt")}`))).toMatchObject({
      status: 1,
      error: "KeyboardInterrupt",
      id: null,
    });
  });

  it("continuation, completions, info and log records", () => {
    expect(decodeMessage(hex("82 01 01"))).toEqual({ kind: "continuation", channel: 1 });
    expect(decodeMessage(hex(`83 01 03 82 65 ${ascii("print")} 65 ${ascii("range")}`))).toEqual({
      kind: "completions",
      channel: 1,
      items: ["print", "range"],
    });
    expect(decodeMessage(hex(`83 00 03 62 ${ascii("{}")}`))).toEqual({ kind: "info", json: "{}" });
    // [0, 4, level, message, timestamp (int64), source] (wbp_send_log)
    expect(
      decodeMessage(hex(`86 00 04 03 62 ${ascii("hi")} 1b 00 00 01 8b cf e5 68 00 66 ${ascii("system")}`)),
    ).toEqual({ kind: "log", level: 3, text: "hi", timestamp: 1700000000000, source: "system" });
  });

  it("file-channel messages and strangers are told apart, bad bytes throw", () => {
    expect(decodeMessage(hex("83 17 04 00"))).toEqual({ kind: "file", opcode: 4, fields: [0] });
    expect(decodeMessage(hex("a0"))).toMatchObject({ kind: "unknown" });
    expect(() => decodeMessage(hex("83 00 02"))).toThrow(CborError);
    expect(() => decodeMessage(hex("82 00 01 00"))).toThrow(CborError);
  });
});

describe("the CBOR subset", () => {
  it("round-trips what WBP carries and reads indefinite lengths, tags, floats and negatives", () => {
    const value = [0, 23, 24, 255, 256, 65535, 65536, -1, -25, -1000, "é€", new Uint8Array([1, 2]), null, true, false];
    expect(decodeCbor(encodeCbor(value))).toEqual(value);
    expect(decodeCbor(hex("9f 01 7f 61 61 61 62 ff ff"))).toEqual([1, "ab"]);
    expect(decodeCbor(hex("d8 40 42 01 02"))).toEqual({ tag: 64, value: new Uint8Array([1, 2]) });
    expect(decodeCbor(hex("f9 3c 00"))).toBe(1);
    expect(decodeCbor(hex("fb 3f f8 00 00 00 00 00 00"))).toBe(1.5);
    expect(decodeCbor(hex("a1 61 6b 01"))).toEqual(new Map([["k", 1]]));
    expect(() => decodeCbor(hex("62 c3 28"))).toThrow(/UTF-8/);
  });
});
