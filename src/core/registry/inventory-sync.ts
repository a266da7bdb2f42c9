/**
 * Live two-way replication between a station's local replica and the CouchDB database, with
 * retry: the station keeps working while the server is away and catches up when it returns.
 * PouchDB's replication events are folded into one status the UI shows.
 */
import { InventoryError } from "./inventory-errors";
import type { InventoryDatabase, SyncHandle } from "./pouch-types";

export type InventoryStatus =
  | { state: "off" }
  /** Configured with a user, but the password (never stored) has not been typed this session. */
  | { state: "needs-password"; url: string; user: string }
  | { state: "connecting"; url: string }
  | { state: "syncing"; url: string }
  | { state: "synced"; url: string; at: string }
  /** The server cannot be reached; replication tries again on its own. */
  | { state: "offline"; url: string; message: string }
  /** Replication stopped (wrong password, no access, no database): the user has to act. */
  | { state: "error"; url: string; error: InventoryError };

/** A document the server refused (its validation function, or access rights). */
export interface RejectedDocument {
  id: string;
  reason: string;
}

export interface InventorySyncOptions {
  url: string;
  onStatus: (status: InventoryStatus) => void;
  /** Called for each document the server refuses; replication of the others goes on. */
  onRejected?: (rejected: RejectedDocument) => void;
  /** First retry delay and the cap it doubles up to (defaults 1 s and 30 s). */
  retry?: { initialMs: number; maxMs: number };
}

/** Maps what PouchDB/fetch threw to an InventoryError a user can act on. */
export function toInventoryError(err: unknown, url: string): InventoryError {
  if (err instanceof InventoryError) return err;
  const e = err as { status?: number; name?: string; message?: string; reason?: string };
  const said = e.reason ?? e.message ?? String(err);
  switch (e.status) {
    case 401:
      return new InventoryError(
        "unauthorized",
        `${url} refused the user name or password (${said}); check them in the inventory settings.`,
        { cause: err },
      );
    case 403:
      return new InventoryError(
        "forbidden",
        `${url} refused access (${said}); the station's user must be a member of the database (its _security).`,
        { cause: err },
      );
    case 404:
      return new InventoryError(
        "database-missing",
        `${url} has no such database; run "npx pydirect-portal inventory init" with this URL first.`,
        { cause: err },
      );
    case undefined:
    case 0:
      return new InventoryError(
        "unreachable",
        `${url} cannot be reached (${said}). The station keeps its own copy and syncs when the server is back; in a browser, also check that the server allows this page's origin (CORS).`,
        { cause: err },
      );
    default:
      return new InventoryError("server-error", `${url} answered ${e.status}: ${said}.`, { cause: err });
  }
}

/** Doubles from `initialMs` up to `maxMs`; PouchDB calls it with the previous delay (0 at first). */
export function backOff(retry: { initialMs: number; maxMs: number }): (previous: number) => number {
  return (previous) => (previous <= 0 ? retry.initialMs : Math.min(previous * 2, retry.maxMs));
}

export class InventorySync {
  private sync: SyncHandle | null = null;
  private stopped = false;

  constructor(
    private readonly local: InventoryDatabase,
    private readonly remote: InventoryDatabase,
    private readonly options: InventorySyncOptions,
  ) {}

  /**
   * Starts replicating. A wrong password, missing rights or a missing database end in "error"
   * at once (checked with one request first); a server that is down only delays the start.
   */
  async start(): Promise<void> {
    const { url, onStatus } = this.options;
    onStatus({ state: "connecting", url });
    try {
      const info = (await this.remote.info()) as { error?: string; reason?: string };
      // PouchDB's http adapter answers info() on a missing database with the error body instead of throwing.
      if (info.error)
        throw Object.assign(new Error(info.reason ?? info.error), {
          status: info.error === "not_found" ? 404 : info.error === "unauthorized" ? 401 : 500,
          reason: info.reason ?? info.error,
        });
    } catch (err) {
      const error = toInventoryError(err, url);
      if (error.code !== "unreachable") {
        onStatus({ state: "error", url, error });
        return;
      }
      onStatus({ state: "offline", url, message: error.message });
    }
    if (this.stopped) return;
    const retry = this.options.retry ?? { initialMs: 1000, maxMs: 30_000 };
    const sync = this.local.sync(this.remote, {
      live: true,
      retry: true,
      back_off_function: backOff(retry),
      // Index design documents made locally stay local (stations may not write design documents).
      push: { filter: (doc) => !doc._id.startsWith("_design/") },
    });
    this.sync = sync;
    // The combined Sync object's "paused" drops the error, so each direction is followed on its own:
    // a direction that failed stays failing until it pauses again without an error.
    const sides: Record<"push" | "pull", "active" | "idle" | "failing"> = { push: "active", pull: "active" };
    let lastError = "";
    const report = () => {
      if (this.stopped) return;
      if (sides.push === "failing" || sides.pull === "failing") onStatus({ state: "offline", url, message: lastError });
      else if (sides.push === "active" || sides.pull === "active") onStatus({ state: "syncing", url });
      else onStatus({ state: "synced", url, at: new Date().toISOString() });
    };
    for (const side of ["push", "pull"] as const) {
      sync[side]
        .on("active", () => {
          sides[side] = "active";
          report();
        })
        .on("paused", (err?: unknown) => {
          sides[side] = err ? "failing" : "idle";
          if (err) lastError = toInventoryError(err, url).message;
          report();
        })
        .on("requestError", (err: unknown) => {
          sides[side] = "failing";
          lastError = toInventoryError(err, url).message;
          report();
        });
    }
    sync
      .on("denied", (err: unknown) => {
        const e = err as {
          id?: string;
          doc?: { id?: string; message?: string; reason?: string; name?: string };
          message?: string;
        };
        this.options.onRejected?.({
          id: e.doc?.id ?? e.id ?? "?",
          reason: e.doc?.message ?? e.doc?.reason ?? e.message ?? "refused",
        });
      })
      .on("error", (err: unknown) => {
        if (!this.stopped) onStatus({ state: "error", url, error: toInventoryError(err, url) });
      });
  }

  stop(): void {
    this.stopped = true;
    this.sync?.cancel();
    this.sync = null;
  }
}
