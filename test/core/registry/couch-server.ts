/**
 * A CouchDB-compatible server for tests: express-pouchdb (PouchDB's CouchDB HTTP layer, with
 * CouchDB's validate_doc_update, _security, _users and Mango _index/_find) on the memory
 * adapter, on 127.0.0.1 port 0. It can be stopped and started again on the same port to take a
 * station "offline". CORS is answered the way CouchDB 3 does with `[cors] origins = <list>`
 * and `credentials = true`, since express-pouchdb has no CORS of its own. With `https`, the
 * stations' port speaks TLS (the portal's CSP allows only https: connections) and the test's
 * own admin requests go to a second, plain-http port on the same databases.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { nodePouch } from "./node-pouch";

const require = createRequire(import.meta.url);

export const ADMIN = { name: "admin", password: "admin-pass-for-tests" };

/**
 * What the tests read of CouchDB's JSON replies (null when a reply has no body): declared, not
 * checked, since the tests' expectations on these fields are the check. `_bulk_docs` replies are
 * arrays, hence the numeric index.
 */
export interface CouchReply {
  error?: string;
  reason?: string;
  validate_doc_update?: string;
  indexes?: { name: string; def: { fields: object[] } }[];
  members?: { names: string[] };
  [index: number]: Record<string, unknown> | undefined;
}

/** express-pouchdb's app (the package ships no types): a request handler with its database wrappers. */
type ExpressPouchApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  dbWrapper: { _wrappers: unknown[] };
};

export interface CouchTestServer {
  /** http(s)://127.0.0.1:<port> (no trailing slash): what stations connect to. */
  origin: string;
  /** http://127.0.0.1:<port>: the same databases, for the test's own requests (Node's fetch would refuse the self-signed certificate). */
  httpOrigin: string;
  /** Requests seen (method and path), to check what a client asked. */
  requests: string[];
  /** Admin request: path relative to the origin. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: CouchReply | null }>;
  /** Anonymous or user request. */
  request(
    method: string,
    path: string,
    body?: unknown,
    auth?: { name: string; password: string },
  ): Promise<{ status: number; body: CouchReply | null }>;
  /** Create a user in _users (as CouchDB's admin would). */
  addUser(name: string, password: string): Promise<void>;
  /** Close the port (connections dropped): clients see the server as offline. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

let serverCount = 0;

export async function startCouchServer(
  options: { corsOrigins?: string[]; https?: { certPem: string; keyPem: string } } = {},
): Promise<CouchTestServer> {
  const PouchDB = nodePouch() as unknown as { defaults(options: object): unknown };
  // A prefix keeps each server's databases apart (the memory adapter shares stores by name per process).
  const ServerPouch = PouchDB.defaults({ adapter: "memory", prefix: `couch-test-${process.pid}-${++serverCount}-` });
  const logDir = await mkdtemp(join(tmpdir(), "pydirect-couch-"));
  const app = (require("express-pouchdb") as (pouch: unknown, options: object) => ExpressPouchApp)(ServerPouch, {
    inMemoryConfig: true,
    logPath: join(logDir, "log.txt"),
  });
  keepReplicatedRevisions(app);
  const requests: string[] = [];
  const origins = new Set(options.corsOrigins ?? []);

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader(
        "Access-Control-Expose-Headers",
        "content-type, cache-control, accept-ranges, etag, server, x-couch-request-id, x-couch-update-newrev",
      );
      if (req.method === "OPTIONS") {
        res.setHeader("Access-Control-Allow-Methods", "GET, PUT, POST, HEAD, DELETE");
        res.setHeader("Access-Control-Allow-Headers", "accept, authorization, content-type, origin, referer");
        res.writeHead(204).end();
        return;
      }
    }
    app(req, res);
  };

  const tls = options.https;
  const make = (): Server =>
    tls ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler) : createServer(handler);
  let server = make();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  const origin = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const plain = tls ? createServer(handler) : null;
  if (plain) await new Promise<void>((ok) => plain.listen(0, "127.0.0.1", ok));
  const httpOrigin = plain ? `http://127.0.0.1:${(plain.address() as AddressInfo).port}` : origin;
  const closeServer = (s: Server) =>
    new Promise<void>((ok) => {
      s.closeAllConnections();
      s.close(() => ok());
    });

  const request = async (method: string, path: string, body?: unknown, auth?: { name: string; password: string }) => {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (auth) headers["authorization"] = "Basic " + Buffer.from(`${auth.name}:${auth.password}`).toString("base64");
    const res = await fetch(httpOrigin + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as CouchReply) : null };
  };
  const admin = (method: string, path: string, body?: unknown) => request(method, path, body, ADMIN);

  // Leave "admin party": from here on only the admin may create databases and design documents.
  const made = await request("PUT", `/_config/admins/${ADMIN.name}`, ADMIN.password);
  if (made.status !== 200) throw new Error(`could not create the test admin: ${JSON.stringify(made)}`);

  return {
    origin,
    httpOrigin,
    requests,
    admin,
    request,
    async addUser(name, password) {
      const r = await admin("PUT", `/_users/org.couchdb.user:${name}`, {
        _id: `org.couchdb.user:${name}`,
        name,
        password,
        roles: [],
        type: "user",
      });
      if (r.status !== 201) throw new Error(`could not create user ${name}: ${JSON.stringify(r)}`);
    },
    async stop() {
      await closeServer(server);
    },
    async start() {
      server = make();
      await new Promise<void>((ok, fail) => {
        server.once("error", fail);
        server.listen(port, "127.0.0.1", ok);
      });
    },
    async close() {
      await closeServer(server);
      if (plain) await closeServer(plain);
    },
  };
}

/**
 * pouchdb-validation 4.2.0 (express-pouchdb's validate_doc_update) assigns the stored document's
 * `_revisions` to every incoming document before validating it. For a replicated write
 * (`_bulk_docs` with new_edits=false) that replaces the new revision's history with the old one,
 * so a second station's revision of the same document is dropped instead of becoming a
 * conflict, as CouchDB makes it. This wrapper runs before validation and keeps each incoming
 * document's own `_revisions` (the assignment is ignored); validation itself is unchanged.
 */
function keepReplicatedRevisions(app: { dbWrapper: { _wrappers: unknown[] } }): void {
  const wrappers = require("pouchdb-wrappers") as { installWrapperMethods(db: unknown, methods: object): void };
  const keep = (doc: Record<string, unknown>) => {
    if (!("_revisions" in doc)) return;
    const own = doc["_revisions"];
    Object.defineProperty(doc, "_revisions", {
      get: () => own,
      set: () => undefined,
      enumerable: true,
      configurable: true,
    });
  };
  app.dbWrapper._wrappers.unshift((_name: string, db: unknown, next: () => unknown) => {
    wrappers.installWrapperMethods(db, {
      bulkDocs(orig: () => unknown, args: { docs: Record<string, unknown>[] }) {
        for (const doc of args.docs) keep(doc);
        return orig();
      },
    });
    return next();
  });
}
