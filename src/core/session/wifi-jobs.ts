/**
 * The real cores behind `WifiJobs`, each loaded on first use: the Improv client, the raw-REPL
 * scan, provisioning's `retryWifi`. Every job opens the port, does its one thing and releases it,
 * so the serial console can have the port back between them.
 */
import type { WifiJobs } from "./jobs";
import { WifiError } from "../wifi/errors";

/** Answers from a board already found to speak Improv come within ms; allow a busy board a few seconds. */
const IMPROV_REOPEN_MS = 3000;

export function createWifiJobs(options: { wifiTimeoutMs?: number } = {}): WifiJobs {
  return {
    async detectProvisioning(port, request) {
      const { detectProvisioning } = await import("./detect-provisioning");
      return detectProvisioning(port, {
        appName: request.appName,
        improvWaitMs: request.improvWaitMs,
        signal: request.signal,
        ...(request.onProbe ? { onProbe: request.onProbe } : {}),
      });
    },

    async scanWifi(port, via, signal) {
      if (signal.aborted) throw signal.reason;
      const { fromImprovScan, parseMicroPythonScan } = await import("../wifi/wifi-networks");
      if (via === "improv") {
        const client = await openImprov(port);
        try {
          return fromImprovScan(await client.scan());
        } finally {
          await client.close();
        }
      }
      const [{ RawRepl }, { SCAN_WIFI }] = await Promise.all([
        import("../repl/raw-repl"),
        import("../provision/device-scripts"),
      ]);
      const repl = await RawRepl.open(port, {});
      try {
        return parseMicroPythonScan(await repl.execJson<unknown>(SCAN_WIFI, { timeoutMs: 20_000 }));
      } finally {
        await repl.close().catch(() => undefined);
      }
    },

    async improvProvision(port, request) {
      if (request.signal.aborted) throw request.signal.reason;
      const { explainImprovFailure } = await import("../wifi/improv-failure");
      const client = await openImprov(port);
      try {
        const result = await client.provision(request.wifi.ssid, request.wifi.password);
        return { url: result.url };
      } catch (err) {
        throw explainImprovFailure(err, request.wifi.ssid, request.scanned);
      } finally {
        await client.close();
      }
    },

    async changeWifi(port, request, onEvent) {
      const [{ RawRepl }, { readDeviceIdentity }, { retryWifi }] = await Promise.all([
        import("../repl/raw-repl"),
        import("../provision/device-queries"),
        import("../provision/provision-job"),
      ]);
      if (request.signal.aborted) throw request.signal.reason;
      onEvent({ state: "checking the board" });
      const repl = await RawRepl.open(port, {});
      let found: string;
      try {
        found = (await readDeviceIdentity(repl)).uniqueId;
      } finally {
        await repl.close().catch(() => undefined);
      }
      if (found !== request.deviceId) {
        throw new WifiError(
          "other-board",
          `The board on this port is not ${request.hostname}. Plug ${request.hostname} in and choose its port.`,
        );
      }
      const outcome = await retryWifi(
        port,
        {
          wifi: request.wifi,
          signal: request.signal,
          ...(options.wifiTimeoutMs ? { wifiTimeoutMs: options.wifiTimeoutMs } : {}),
        },
        (e) => {
          if (e.state === "writing") onEvent({ state: "writing the Wi-Fi settings" });
          else if (e.state === "wifi-connecting" || e.state === "waiting-for-wifi")
            onEvent({ state: "joining Wi-Fi", detail: e.ssid });
        },
      );
      if (outcome.state === "failed") throw outcome.error;
      return { ip: outcome.ip, hostname: outcome.hostname };
    },
  };
}

async function openImprov(port: Parameters<WifiJobs["scanWifi"]>[0]) {
  const { ImprovSerial } = await import("../improv/improv-serial");
  const client = await ImprovSerial.detect(port, { detectTimeoutMs: IMPROV_REOPEN_MS });
  if (!client)
    throw new WifiError(
      "not-ready",
      "The board no longer answers Improv Wi-Fi. Reset it (the console's Reset button) and try again.",
      { action: "retry" },
    );
  return client;
}
