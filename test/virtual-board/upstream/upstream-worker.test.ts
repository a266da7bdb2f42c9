/**
 * An upstream pyDirect image in a worker thread (as the browser runs boards): the "upstream"
 * module set registers there too, and ESP-IDF's lines reach the page's console.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWorkerBoard, type WorkerBoard } from "../micropython/worker-harness";

let started: WorkerBoard;
beforeAll(async () => {
  started = await startWorkerBoard({
    modules: ["webrtc", "upstream"],
    frozenFiles: {},
    accessPoints: [
      { ssid: "Workshop", passphrase: "correct horse battery", security: "wpa2-psk", rssi: -52, channel: 6 },
    ],
    connectDelayMs: 100,
  });
}, 90_000);
afterAll(() => started.board.unplug());

it("has upstream's modules and prints ESP-IDF's Wi-Fi lines at INFO", async () => {
  const from = started.term.text.length;
  await started.term.send(
    "import esp, webrepl_binary, usbmodem, network; print(esp.LOG_INFO, webrepl_binary.running(), usbmodem.connected()); " +
      "s = network.WLAN(network.STA_IF); s.active(True); s.connect('Workshop', 'correct horse battery')\r",
  );
  await started.term.until("3 False False", 10_000);
  await started.term.until("network: GOT_IP", 10_000);
  expect(started.term.text.slice(from)).toMatch(/\x1b\[0;32mI \(\d+\) esp_netif_handlers: sta ip: 192\.168\.4\.23/);
}, 30_000);
