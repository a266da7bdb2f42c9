import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main";
import { toDeviceDoc } from "../../../src/core/registry/inventory-doc";
import { ADMIN, startCouchServer, type CouchTestServer } from "./couch-server";
import { RECORD } from "./fixtures";

// `pydirect-portal inventory init` against a CouchDB-compatible server, and the validation
// function it installs, exercised through the server's HTTP API the way CouchDB would run it.

let server: CouchTestServer;
const DB = "pydirect-inventory";
const STATION = { name: "station-a", password: "station-a-pass" };

async function run(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; text: string }> {
  const saved = { user: process.env["COUCHDB_USER"], password: process.env["COUCHDB_PASSWORD"] };
  process.env["COUCHDB_USER"] = env["COUCHDB_USER"] ?? "";
  process.env["COUCHDB_PASSWORD"] = env["COUCHDB_PASSWORD"] ?? "";
  try {
    const lines: string[] = [];
    const code = await main(args, (l) => lines.push(l));
    return { code, text: lines.join("\n") };
  } finally {
    process.env["COUCHDB_USER"] = saved.user ?? "";
    process.env["COUCHDB_PASSWORD"] = saved.password ?? "";
  }
}

beforeAll(async () => {
  server = await startCouchServer();
  await server.addUser(STATION.name, STATION.password);
});
afterAll(() => server.close());

describe("inventory init", () => {
  it("refuses without admin credentials and never prints a password", async () => {
    const anonymous = await run(["inventory", "init", `${server.origin}/${DB}`]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.text).toMatch(/server admin/);
    const wrong = await run([
      "inventory",
      "init",
      `http://${ADMIN.name}:not-the-password@127.0.0.1:${new URL(server.origin).port}/${DB}`,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.text).toMatch(/refused the user "admin"|"admin" is not a server admin/);
    expect(wrong.text).not.toContain("not-the-password");
    expect((await server.admin("GET", `/${DB}`)).status).toBe(404);
  });

  it("creates the database, the validation design document, the indexes and the members; a second run changes nothing", async () => {
    const first = await run(["inventory", "init", `${server.origin}/${DB}`, "--member", STATION.name], {
      COUCHDB_USER: ADMIN.name,
      COUCHDB_PASSWORD: ADMIN.password,
    });
    expect(first.code, first.text).toBe(0);
    expect(first.text).toMatch(/database created/);
    expect(first.text).not.toContain(ADMIN.password);
    const design = await server.admin("GET", `/${DB}/_design/pydirect-inventory`);
    expect(design.body?.validate_doc_update).toMatch(/^function \(newDoc, oldDoc, userCtx, secObj\)/);
    const indexes = (await server.admin("GET", `/${DB}/_index`)).body?.indexes?.map((i) => [i.name, i.def.fields]);
    expect(indexes).toEqual(
      expect.arrayContaining([
        ["by-hostname", [{ hostnameLower: "asc" }]],
        ["by-mac", [{ mac: "asc" }]],
      ]),
    );
    expect((await server.admin("GET", `/${DB}/_security`)).body?.members?.names).toEqual([STATION.name]);

    const again = await run([
      "inventory",
      "init",
      `http://${ADMIN.name}:${ADMIN.password}@127.0.0.1:${new URL(server.origin).port}/${DB}`,
    ]);
    expect(again.code, again.text).toBe(0);
    expect(again.text).toMatch(/database already there/);
    expect(again.text).toMatch(/by-hostname on hostnameLower already there/);
    expect(again.text).not.toContain(ADMIN.password);
    expect((await server.admin("GET", `/${DB}/_security`)).body?.members?.names).toEqual([STATION.name]);
  });

  it("says so when the server cannot be reached", async () => {
    const closed = await startCouchServer();
    const port = new URL(closed.origin).port;
    await closed.close();
    const down = await run(["inventory", "init", `http://${ADMIN.name}:${ADMIN.password}@127.0.0.1:${port}/${DB}`]);
    expect(down.code).toBe(1);
    expect(down.text).toMatch(/cannot be reached .*check the URL/);
    expect(down.text).not.toContain(ADMIN.password);
  });

  it("gives usage errors for a missing or bad URL", async () => {
    expect((await run(["inventory", "init"])).code).toBe(2);
    expect((await run(["inventory", "drop", "x"])).code).toBe(2);
    const bad = await run(["inventory", "init", "ftp://host/db"]);
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.text).toMatch(/https:\/\//);
  });
});

describe("the validation function, run by the server", () => {
  const good = () => ({ ...toDeviceDoc(RECORD) }) as Record<string, unknown>;
  const write = (doc: Record<string, unknown>, auth = STATION) =>
    server.request("PUT", `/${DB}/${encodeURIComponent(String(doc["_id"]))}`, doc, auth);

  it("accepts a device document from a member and refuses non-members", async () => {
    expect((await write(good())).status).toBe(201);
    expect((await server.request("GET", `/${DB}/device:${RECORD.id}`)).status).toBe(401);
  });

  it("refuses documents carrying secrets, at any depth and however they arrive", async () => {
    const secrets: Record<string, unknown>[] = [
      { wifiPassword: "hunter2" },
      { privateKey: "abc" },
      { prvtkey_pem: "abc" },
      { certificatePem: "-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----" },
      { lastVerification: { at: "2026-11-25T04:01:00.000Z", passed: true, summary: "ok", webrepl_password: "x" } },
    ];
    for (const [n, extra] of secrets.entries()) {
      const doc = { ...good(), _id: `device:aa${n}`, id: `aa${n}`, ...extra };
      const put = await write(doc);
      expect(put.status, JSON.stringify(extra)).toBe(403);
      expect(put.body?.error).toBe("forbidden");
      // Replication writes with new_edits=false through _bulk_docs: validation runs there too.
      const replicated = await server.request(
        "POST",
        `/${DB}/_bulk_docs`,
        { new_edits: false, docs: [{ ...doc, _rev: "1-0123456789abcdef0123456789abcdef" }] },
        STATION,
      );
      expect(replicated.body?.[0]).toMatchObject({ error: "forbidden" });
    }
  });

  it("refuses wrong shapes with a reason", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: "something-else" }, /Only pyDirect device documents/],
      [{ mac: "24-6f-28" }, /mac must look like/],
      [{ hostname: "bad name" }, /hostname must be a DNS label/],
      [{ hostnameLower: "other" }, /hostnameLower/],
      [{ station: "line 2" }, /station is not one the inventory holds/],
      [{ _id: "device:ffff" }, /_id must be device:/],
      [{ lastVerification: { at: "x", passed: "yes", summary: "" } }, /lastVerification needs/],
    ];
    for (const [patch, reason] of cases) {
      const doc = { ...good(), _id: "device:bb01", id: "bb01", hostname: "b1", hostnameLower: "b1", ...patch };
      const put = await write(doc);
      expect(put.status, JSON.stringify(patch)).toBe(403);
      expect(put.body?.reason).toMatch(reason);
    }
  });

  it("leaves design documents to admins (CouchDB's own rule)", async () => {
    const put = await server.request("PUT", `/${DB}/_design/evil`, { validate_doc_update: "function(){}" }, STATION);
    expect(put.status).toBeGreaterThanOrEqual(400);
    expect((await server.admin("GET", `/${DB}/_design/evil`)).status).toBe(404);
  });
});
