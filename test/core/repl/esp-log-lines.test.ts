/**
 * The ESP-IDF log-line filter against streams that interleave log lines at every awkward point:
 * inside a JSON answer, inside the raw-REPL banner, between raw-paste flow-control bytes, split
 * across reads one byte at a time, with and without colour codes.
 */
import { describe, expect, it } from "vitest";
import { EspLogLineFilter, cleanLogLine } from "../../../src/core/repl/esp-log-lines";
import { extractJsonAnswer, ANSWER_PREFIX } from "../../../src/core/repl/raw-repl";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Log lines as ESP-IDF prints them (esp_log.h LOG_FORMAT; LOG_COLOR_I is "\x1b[0;32m"). */
const LOG_LINES = [
  "I (1234) wifi:new:<6,0>, old:<1,0>, ap:<255,255>, sta:<6,0>, prof:1\r\n",
  "\x1b[0;32mI (2345) esp_netif_handlers: sta ip: 192.168.1.50, mask: 255.255.255.0, gw: 192.168.1.1\x1b[0m\r\n",
  "W (77) httpd_uri: httpd_uri: URI '/favicon.ico' not found\r\n",
  "\x1b[0;31mE (12:01:02.345) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7780\x1b[0m\r\n",
  "D (5) phy: ok\n",
];

function run(chunks: Uint8Array[]): { out: string; logs: string[] } {
  const logs: string[] = [];
  const filter = new EspLogLineFilter((l) => logs.push(l));
  let out = "";
  for (const c of chunks) out += dec.decode(filter.push(c));
  out += dec.decode(filter.flush());
  return { out, logs };
}

/** `text` with `log` inserted before byte `at`, delivered one byte per read. */
function bytewise(text: string, log: string, at: number): Uint8Array[] {
  const all = enc.encode(text.slice(0, at) + log + text.slice(at));
  return [...all].map((b) => Uint8Array.of(b));
}

describe("ESP-IDF log lines in a console stream", () => {
  const reply = `OK${ANSWER_PREFIX}{"mac": "aabbccddeeff", "machine": "ESP32S3 module", "note": "I (not a log)"}\r\n\x04\x04>`;

  it("takes a log line out wherever it lands, colour codes or not, byte by byte", () => {
    for (const log of LOG_LINES) {
      for (let at = 0; at <= reply.length; at++) {
        const { out, logs } = run(bytewise(reply, log, at));
        expect(out, `log inserted at ${at}`).toBe(reply);
        expect(logs).toEqual([cleanLogLine(enc.encode(log))]);
      }
    }
  });

  it("keeps raw-paste flow control and the raw REPL banner intact around log lines", () => {
    const stream = `raw REPL; CTRL-B to exit\r\n>R\x01\x80\x00\x01\x01\x04`;
    for (let at = 0; at <= stream.length; at++) {
      const { out } = run([enc.encode(stream.slice(0, at) + LOG_LINES[1] + LOG_LINES[0] + stream.slice(at))]);
      expect(out).toBe(stream);
    }
  });

  it("passes through text that only looks like the start of a head", () => {
    const text =
      "I, E and W (the levels) are letters; I (x) is no timestamp; E (12)x neither; \x1b[1mbold\x1b[0m I\r\n";
    expect(run([enc.encode(text)]).out).toBe(text);
    expect(run([...enc.encode(text)].map((b) => Uint8Array.of(b))).out).toBe(text);
  });

  it("finds a head that starts inside a rejected one", () => {
    const { out, logs } = run([enc.encode("xII (5) wifi: started\r\ny")]);
    expect(out).toBe("xIy");
    expect(logs).toEqual(["I (5) wifi: started"]);
  });

  it("holds back an undecided head until flushed, then releases it as output", () => {
    const filter = new EspLogLineFilter();
    expect(dec.decode(filter.push(enc.encode("abc I (12")))).toBe("abc ");
    expect(filter.holding).toBe(true);
    expect(dec.decode(filter.flush())).toBe("I (12");
    expect(filter.holding).toBe(false);
  });
});

describe("the JSON answer behind the portal's marker", () => {
  it("is found among other lines the code's imports printed", () => {
    const out = `[settings] Error loading defaults\r\n${ANSWER_PREFIX}{"a": 1}\r\nSystem booting...\r\n`;
    expect(extractJsonAnswer(out)).toEqual({ a: 1 });
  });

  it("falls back to bare JSON, then to the last line that parses", () => {
    expect(extractJsonAnswer('{"b": [1, 2]}\r\n')).toEqual({ b: [1, 2] });
    expect(extractJsonAnswer('hello\r\n{"c": true}\r\n')).toEqual({ c: true });
  });

  it("is a protocol error when nothing parses", () => {
    expect(() => extractJsonAnswer("Traceback? no\r\n")).toThrow(/not JSON/);
  });
});
