import { PortalError, type RecoveryAction } from "../errors";

/**
 * Failures of the shared inventory (the CouchDB database stations replicate the device registry
 * through). The station keeps its local copy whatever happens here.
 */
export type InventoryErrorCode =
  /** A document about to leave this station carries a field outside the allow-list, or a secret. */
  | "secret-field"
  | "unknown-field"
  /** The URL typed into the settings or the CLI is not an http(s) CouchDB database URL. */
  | "bad-url"
  /** The server answered 401: no or wrong user/password. */
  | "unauthorized"
  /** The server answered 403: the user is not a member of the database, or validation refused. */
  | "forbidden"
  /** The server cannot be reached (network down, wrong host, CORS refused in a browser). */
  | "unreachable"
  /** The database is not there: `pydirect-portal inventory init` has not been run. */
  | "database-missing"
  /** A conflict changed (another station resolved it) while this one was choosing. */
  | "conflict-changed"
  /** Any other answer from the server. */
  | "server-error";

const ACTIONS: Partial<Record<InventoryErrorCode, RecoveryAction>> = {
  "bad-url": "fix-input",
  unauthorized: "fix-input",
  "secret-field": "none",
  "unknown-field": "none",
};

export class InventoryError extends PortalError {
  declare readonly code: InventoryErrorCode;

  constructor(code: InventoryErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { action: ACTIONS[code] ?? "retry", ...options });
  }
}
