/**
 * What an Improv "unable to connect" (error state 3) means for the user. Improv has one code for
 * every failed join; the device's own scan tells the two common causes apart: a network it saw is
 * a refused password, one it did not see is out of range or misspelt. A missing verdict is a timeout.
 */
import { ImprovError } from "../improv/errors";
import { PortalError } from "../errors";
import { WifiError } from "./errors";
import type { WifiNetwork } from "./wifi-networks";

export function explainImprovFailure(err: unknown, ssid: string, scanned: readonly WifiNetwork[] | null): PortalError {
  if (!(err instanceof ImprovError))
    return err instanceof PortalError ? err : new PortalError("unexpected", String(err));
  if (err.code === "timeout") {
    return new WifiError(
      "wifi-timeout",
      `The board did not say whether it joined “${ssid}” in time. Check that the network is up and in range, then try again.`,
      { cause: err },
    );
  }
  if (err.code !== "unable-to-connect") return err;
  const seen = scanned?.find((n) => n.ssid === ssid);
  if (scanned && !seen) {
    return new WifiError(
      "wifi-network-not-found",
      `The board could not find “${ssid}”: it was not in the board's scan. Check the name (it is case-sensitive), that it is a 2.4 GHz network, and that the board is in range.`,
      { cause: err },
    );
  }
  if (seen?.secured) {
    return new WifiError(
      "wifi-wrong-password",
      `The board sees “${ssid}” but could not join it: the password was most likely wrong. Type it again and retry.`,
      { cause: err },
    );
  }
  return new WifiError(
    "wifi-unable-to-connect",
    `The board could not join “${ssid}”. Check the password, that the network is in range, and that it allows new devices, then try again.`,
    { cause: err },
  );
}
