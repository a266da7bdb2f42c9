// Node-only: `pydirect-portal inventory init <couchdb-url>`, which prepares a CouchDB database to be
// the shared inventory: the database, the validation design document, the Mango indexes and,
// with --member, the users allowed in (its _security members).
import { PortalError } from "../core/errors";
import { parseInventoryUrl } from "../core/registry/inventory-config";
import { INVENTORY_DESIGN_ID, INVENTORY_INDEXES, inventoryDesignDoc } from "../core/registry/inventory-design";
import { InventoryError } from "../core/registry/inventory-errors";
import { textOf } from "../core/text";

export interface InventoryInitOptions {
  /** CouchDB users to add to the database's _security members (one per station). */
  members: string[];
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Credentials: from the URL's user-info first, else COUCHDB_USER / COUCHDB_PASSWORD. Never printed. */
export async function runInventoryInit(
  target: string,
  options: InventoryInitOptions,
  out: (line: string) => void,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let parsed;
  try {
    parsed = parseInventoryUrl(target, "");
  } catch (err) {
    out((err as PortalError).message);
    return 2;
  }
  const user = parsed.user || env["COUCHDB_USER"] || "";
  const password = parsed.password ?? (parsed.user ? undefined : env["COUCHDB_PASSWORD"]);
  const db = parsed.url;
  const server = db.slice(0, db.lastIndexOf("/"));
  const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json" };
  if (user) headers["authorization"] = "Basic " + Buffer.from(`${user}:${password ?? ""}`).toString("base64");
  const call = async (method: string, url: string, body?: unknown): Promise<Answer> => {
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new InventoryError(
        "unreachable",
        `${server} cannot be reached (${why}); check the URL and that CouchDB is running.`,
        { cause: err },
      );
    }
    const text = await res.text();
    let parsedBody: Record<string, unknown>;
    try {
      parsedBody = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new InventoryError(
        "server-error",
        `${url.replace(server, "")} did not answer JSON (HTTP ${res.status}); is ${server} a CouchDB server?`,
      );
    }
    return { status: res.status, body: parsedBody };
  };
  const fail = (what: string, a: Answer): never => {
    const reason = textOf(a.body["reason"] ?? a.body["error"]);
    if (a.status === 401)
      throw new InventoryError(
        "unauthorized",
        `${what}: the server refused ${user ? `the user "${user}"` : "anonymous access"} (${reason}). inventory init needs a server admin: put it in the URL (https://admin:…@host/db) or in COUCHDB_USER and COUCHDB_PASSWORD.`,
      );
    if (a.status === 403)
      throw new InventoryError(
        "forbidden",
        `${what}: the server refused it (${reason}); the user must be a server admin.`,
      );
    throw new InventoryError("server-error", `${what}: HTTP ${a.status} ${reason}`);
  };

  out(`pydirect-portal inventory init ${db}${user ? ` (as ${user})` : ""}`);
  try {
    const welcome = await call("GET", server + "/");
    if (welcome.status === 401) fail("Logging in", welcome);
    if (welcome.status !== 200 || !("couchdb" in welcome.body || "express-pouchdb" in welcome.body)) {
      throw new InventoryError(
        "server-error",
        `${server} does not look like a CouchDB server (HTTP ${welcome.status}).`,
      );
    }
    // Only a server admin can create databases and design documents: say so before changing anything.
    const session = await call("GET", server + "/_session");
    if (session.status !== 200) fail("Logging in", session);
    const roles = (session.body["userCtx"] as { roles?: string[] } | undefined)?.roles ?? [];
    if (!roles.includes("_admin")) {
      throw new InventoryError(
        "unauthorized",
        `${user ? `The user "${user}" is` : "Anonymous access is"} not a server admin of ${server}. inventory init needs one: put it in the URL (https://admin:…@host/db) or in COUCHDB_USER and COUCHDB_PASSWORD.`,
      );
    }
    const created = await call("PUT", db);
    if (created.status === 201 || created.status === 202) out("  ok    database created");
    else if (created.status === 412) out("  ok    database already there");
    else fail("Creating the database", created);

    const existing = await call("GET", `${db}/${INVENTORY_DESIGN_ID}`);
    const design = { ...inventoryDesignDoc(), ...(existing.status === 200 ? { _rev: existing.body["_rev"] } : {}) };
    const stored = await call("PUT", `${db}/${INVENTORY_DESIGN_ID}`, design);
    if (stored.status !== 201 && stored.status !== 202) fail("Writing the validation design document", stored);
    out(
      `  ok    ${INVENTORY_DESIGN_ID} ${existing.status === 200 ? "updated" : "installed"}: validate_doc_update refuses secrets and other shapes`,
    );

    for (const index of INVENTORY_INDEXES) {
      const made = await call("POST", `${db}/_index`, index);
      if (made.status !== 200) fail(`Creating the index ${index.name}`, made);
      out(
        `  ok    index ${index.name} on ${index.index.fields.join(", ")} ${made.body["result"] === "exists" ? "already there" : "created"}`,
      );
    }

    if (options.members.length > 0) {
      const security = await call("GET", `${db}/_security`);
      if (security.status !== 200) fail("Reading _security", security);
      const members = (security.body["members"] as { names?: string[]; roles?: string[] } | undefined) ?? {};
      const names = [...new Set([...(members.names ?? []), ...options.members])];
      const updated = await call("PUT", `${db}/_security`, {
        ...security.body,
        members: { roles: members.roles ?? [], names },
      });
      if (updated.status !== 200) fail("Writing _security", updated);
      out(`  ok    members: ${names.join(", ")} (only they and admins can read or write the inventory)`);
    }
  } catch (err) {
    out(`FAILED: ${err instanceof PortalError ? err.message : String(err)}`);
    return 1;
  }
  out("done: stations can now use this URL in the portal's inventory settings");
  return 0;
}
