/**
 * The station's mDNS responder as MicroPython's esp32 port runs it (ports/esp32/network_wlan.c,
 * IP_EVENT_STA_GOT_IP): started at the first GOT_IP with the hostname set then, never renamed, and
 * answering only while the board has an address; a build without MICROPY_HW_ENABLE_MDNS_RESPONDER
 * has none.
 */
import { afterEach, describe, expect, it } from "vitest";
import { VirtualWifi } from "../../../src/virtual-board/micropython/virtual-wifi";

let wifi: VirtualWifi | undefined;
afterEach(() => wifi?.dispose());

const joined = (w: VirtualWifi) =>
  new Promise<void>((resolve) => {
    const off = w.onEvent((e) => {
      if (e.state === "connected") {
        off();
        resolve();
      }
    });
  });

function station(mdnsResponder?: boolean): VirtualWifi {
  wifi = new VirtualWifi({
    accessPoints: [{ ssid: "Workshop", passphrase: "pw-123456", security: "wpa2-psk" }],
    delays: { connected: 20, wrongPassword: 20, noApFound: 20 },
    ip: "192.168.4.23",
    hostname: "mpy-esp32s3",
    ...(mdnsResponder === undefined ? {} : { mdnsResponder }),
  });
  wifi.setActive(true);
  return wifi;
}

describe("the virtual station's mDNS responder", () => {
  it("answers for the hostname set before the first GOT_IP, only while joined, and keeps that name", async () => {
    const w = station();
    w.hostname = "pyDirect-5a3c01";
    expect(w.snapshot().mdns).toBeNull();
    w.connect("Workshop", "pw-123456");
    expect(w.snapshot().mdns).toBeNull(); // still joining
    await joined(w);
    expect(w.snapshot()).toMatchObject({ ip: "192.168.4.23", mdns: "pyDirect-5a3c01" });
    w.disconnect();
    expect(w.snapshot()).toMatchObject({ ip: null, mdns: null });
    // A later hostname is DHCP's; the responder keeps the name it started with.
    w.hostname = "renamed";
    w.connect("Workshop", "pw-123456");
    await joined(w);
    expect(w.snapshot().mdns).toBe("pyDirect-5a3c01");
  });

  it("answers for nothing in a build without the responder", async () => {
    const w = station(false);
    w.connect("Workshop", "pw-123456");
    await joined(w);
    expect(w.snapshot()).toMatchObject({ ip: "192.168.4.23", mdns: null });
  });

  it("is joined when the connected event comes, even if the clock it reads has not reached the join time", async () => {
    // Node runs a timer by its loop's cached clock, which can lag Date.now() read at connect();
    // a frozen clock is the extreme of that lag. Seen in CI as mdns null right after "connected".
    wifi = new VirtualWifi({
      accessPoints: [{ ssid: "Workshop", passphrase: "pw-123456", security: "wpa2-psk" }],
      delays: { connected: 20, wrongPassword: 20, noApFound: 20 },
      ip: "192.168.4.23",
      hostname: "mpy-esp32s3",
      now: () => 1_000,
    });
    wifi.setActive(true);
    wifi.connect("Workshop", "pw-123456");
    await joined(wifi);
    expect(wifi.snapshot()).toMatchObject({ ip: "192.168.4.23", mdns: "mpy-esp32s3" });
  });
});
