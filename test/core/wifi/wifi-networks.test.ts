import { describe, expect, it } from "vitest";
import { ImprovError } from "../../../src/core/improv/errors";
import { explainImprovFailure } from "../../../src/core/wifi/improv-failure";
import { bestPerSsid, fromImprovScan, parseMicroPythonScan, signalText } from "../../../src/core/wifi/wifi-networks";

const hex = (s: string) => Buffer.from(s, "utf8").toString("hex");

describe("scan results for the Wi-Fi picker", () => {
  it("parses MicroPython's scan rows, keeps the strongest access point per SSID and sorts by signal", () => {
    const rows = [
      [hex("Workshop"), 1, -81, 3, 0],
      [hex("Cafe Guest"), 11, -74, 0, 0],
      [hex("Workshop"), 11, -63, 3, 0],
      [hex("pyDirect-Demo"), 6, -48, 4, 0],
      ["", 3, -40, 3, 1], // hidden: no name to show
      [hex("Café ☕"), 9, -90, 6, 0],
    ];
    const networks = parseMicroPythonScan(rows);
    expect(networks.map((n) => [n.ssid, n.rssi, n.channel])).toEqual([
      ["pyDirect-Demo", -48, 6],
      ["Workshop", -63, 11],
      ["Cafe Guest", -74, 11],
      ["Café ☕", -90, 9],
    ]);
    expect(networks[0]).toMatchObject({ bars: 4, secured: true, security: "wpa-wpa2-psk" });
    expect(networks[2]).toMatchObject({ secured: false, security: "open", bars: 2 });
    expect(networks[3]).toMatchObject({ bars: 0, security: "wpa3-psk" });
    expect(signalText(networks[0].bars)).toBe("signal 4 of 4 bars, excellent");
  });

  it("orders equal signals by name, so a rescan does not shuffle the list", () => {
    const same = [
      { ssid: "b", rssi: -60, bars: 3, secured: true, security: null, channel: null },
      { ssid: "a", rssi: -60, bars: 3, secured: true, security: null, channel: null },
    ];
    expect(bestPerSsid(same).map((n) => n.ssid)).toEqual(["a", "b"]);
  });

  it("refuses a malformed scan with a sentence instead of showing garbage", () => {
    expect(() => parseMicroPythonScan({ nope: 1 })).toThrow(expect.objectContaining({ code: "scan-failed" }));
    expect(() => parseMicroPythonScan([["zz", 1, -50, 3]])).toThrow(/not hex/);
    expect(() => parseMicroPythonScan([[hex("x"), 1, "strong", 3]])).toThrow(/number/);
    expect(() => parseMicroPythonScan([[hex("x"), 1]])).toThrow(/row/);
  });

  it("takes Improv's results (no channel, auth as yes/no) the same way", () => {
    const networks = fromImprovScan([
      { ssid: "Guest", rssi: -70, secured: false },
      { ssid: "Home", rssi: -71, secured: true },
      { ssid: "Home", rssi: -50, secured: true },
      { ssid: "Odd", rssi: Number.NaN, secured: true },
    ]);
    expect(networks).toEqual([
      { ssid: "Home", rssi: -50, bars: 4, secured: true, security: null, channel: null },
      { ssid: "Guest", rssi: -70, bars: 2, secured: false, security: null, channel: null },
      { ssid: "Odd", rssi: -100, bars: 0, secured: true, security: null, channel: null },
    ]);
  });
});

describe("Improv failures by cause", () => {
  const scanned = fromImprovScan([
    { ssid: "Home", rssi: -50, secured: true },
    { ssid: "Guest", rssi: -70, secured: false },
  ]);
  const unable = new ImprovError("unable-to-connect", "x");

  it("error 3 for a secured network the device saw is a wrong password", () => {
    expect(explainImprovFailure(unable, "Home", scanned)).toMatchObject({
      code: "wifi-wrong-password",
      action: "check-wifi",
      message: expect.stringContaining("password"),
    });
  });

  it("error 3 for a network absent from the device's scan is 'not found'", () => {
    expect(explainImprovFailure(unable, "Hoem", scanned)).toMatchObject({
      code: "wifi-network-not-found",
      message: expect.stringContaining("“Hoem”"),
    });
  });

  it("error 3 without a scan (or for an open network) stays 'unable to connect'", () => {
    expect(explainImprovFailure(unable, "Home", null).code).toBe("wifi-unable-to-connect");
    expect(explainImprovFailure(unable, "Guest", scanned).code).toBe("wifi-unable-to-connect");
  });

  it("no verdict in time is a timeout; other errors pass through", () => {
    expect(explainImprovFailure(new ImprovError("timeout", "x"), "Home", scanned).code).toBe("wifi-timeout");
    expect(explainImprovFailure(new ImprovError("disconnected", "gone"), "Home", scanned).code).toBe("disconnected");
  });
});
