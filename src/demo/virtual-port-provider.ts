/**
 * The virtual board's ports as a `PortProvider`, granted the way Chrome grants them: per USB
 * device identity (vendor and product id), so a board that comes back as another USB device is not
 * granted until the user picks it, unless the page was given that identity before. `connect` fires
 * only for granted devices, as Chrome's does.
 */
import type { PortProvider } from "../core/port/port-provider";
import type { SerialPortLike } from "../core/port/serial-port";
import { matchesFilters, type PortFilter } from "../core/port/usb-connector";
import type { VirtualBoard } from "../virtual-board/virtual-board";

const key = (p: SerialPortLike) => `${p.getInfo().usbVendorId ?? "-"}:${p.getInfo().usbProductId ?? "-"}`;

export interface VirtualPortProvider extends PortProvider {
  /** Grant a port now (what the user's pick in the chooser does). */
  grant(port: SerialPortLike): void;
}

/**
 * `grantAll`: every port the board ever shows counts as granted (a browser that was given each of
 * the board's USB identities before); otherwise only the ports picked so far.
 */
export function virtualPortProvider(board: VirtualBoard, options: { grantAll?: boolean } = {}): VirtualPortProvider {
  const granted = new Set<string>();
  // Identities the page forgot (SerialPort.forget(), or the permission removed in the site
  // settings): not granted again until the user picks them in the chooser.
  const revoked = new Set<string>();
  const isGranted = (p: SerialPortLike) => !revoked.has(key(p)) && (options.grantAll === true || granted.has(key(p)));
  const grant = (p: SerialPortLike) => {
    revoked.delete(key(p));
    granted.add(key(p));
  };
  grant(board.port);
  board.connectors.onForget((p) => {
    granted.delete(key(p));
    revoked.add(key(p));
  });
  return {
    grant,
    granted: () => Promise.resolve(board.connectors.ports.filter(isGranted)),
    request(filters: readonly PortFilter[]) {
      // The chooser lists the ports that match; the user picks the first (the one that fits).
      const port = board.connectors.ports.find((p) => matchesFilters(p.getInfo(), filters));
      if (!port) {
        const err = new Error("No port selected by the user.");
        err.name = "NotFoundError";
        return Promise.reject(err);
      }
      grant(port);
      return Promise.resolve(port);
    },
    onConnect: (listener) =>
      board.connectors.onConnect((port) => {
        if (isGranted(port)) listener(port);
      }),
  };
}
