import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runInventoryInit } from "../../../src/cli/inventory-command";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { storageConfigStore } from "../../../src/core/registry/inventory-config";
import { PouchDeviceRegistry } from "../../../src/core/registry/pouch-device-registry";
import { StationInventory, type InventorySnapshot } from "../../../src/core/registry/station-inventory";
import { checkHostnameAvailable } from "../../../src/core/provision/identity";
import { isPortalError } from "../../../src/core/errors";
import type { DeviceRecord } from "../../../src/core/registry/device-record";
import { ADMIN, startCouchServer, type CouchTestServer } from "./couch-server";
import { board, eventually } from "./fixtures";
import { nodePouch, stationDbName } from "./node-pouch";

// Two (or three) stations replicating their device registries through a CouchDB-compatible
// server on 127.0.0.1: sharing, offline then catching up, a MAC provisioned at two stations,
// hostname clashes across stations, and what the server refuses.

const DB = "pydirect-inventory";
const PASSWORDS: Record<string, string> = { a: "pass-a", b: "pass-b", c: "pass-c" };
let server: CouchTestServer;
let url: string;
const stations: StationInventory[] = [];

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    storage: {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    },
  };
}

async function station(name: string, options: { password?: string | null; fallback?: MemoryDeviceRegistry } = {}) {
  const { items, storage } = memoryStorage();
  const fallback = options.fallback ?? new MemoryDeviceRegistry();
  const inventory = new StationInventory({
    fallback,
    loadPouch: async () => nodePouch(),
    store: storageConfigStore(storage),
    localName: stationDbName(name),
    retry: { initialMs: 100, maxMs: 400 },
  });
  stations.push(inventory);
  const password = options.password === null ? undefined : (options.password ?? PASSWORDS[name]);
  await inventory.connect({ url, user: `station-${name}`, ...(password ? { password } : {}) });
  return { inventory, registry: inventory.registry, items, fallback };
}

const synced = (inv: StationInventory) => eventually(async () => inv.snapshot.status.state === "synced", "synced");
const state = (inv: StationInventory) => inv.snapshot.status.state;

beforeAll(async () => {
  server = await startCouchServer();
  for (const name of Object.keys(PASSWORDS)) await server.addUser(`station-${name}`, PASSWORDS[name]);
  url = `${server.origin}/${DB}`;
  const init = await runInventoryInit(url, { members: ["station-a", "station-b", "station-c"] }, () => undefined, {
    COUCHDB_USER: ADMIN.name,
    COUCHDB_PASSWORD: ADMIN.password,
  });
  expect(init).toBe(0);
});
afterEach(async () => {
  for (const s of stations.splice(0)) await s.disconnect();
});
afterAll(() => server.close());

describe("one inventory for every station", () => {
  it("a board registered at one station appears at the other, and nothing secret reaches the server", async () => {
    const a = await station("a");
    const b = await station("b");
    await synced(a.inventory);
    await a.registry.put({
      ...board(1),
      wifiPassword: "hunter2",
      privateKeyPem: "-----BEGIN PRIVATE KEY-----",
    } as DeviceRecord);
    const seen = await eventually(() => b.registry.get(board(1).id), "station b to see board 1");
    expect(seen).toEqual(board(1));
    const onServer = await server.admin("GET", `/${DB}/device:${board(1).id}`);
    expect(onServer.status).toBe(200);
    expect(JSON.stringify(onServer.body)).not.toMatch(/hunter2|PRIVATE KEY|password/i);
    // What each station stored: only url and user, never the password.
    expect([...a.items.values()].join()).toContain("station-a");
    expect([...a.items.values()].join()).not.toContain(PASSWORDS["a"]);
  });

  it("a station keeps working while the server is away and syncs when it returns", async () => {
    const a = await station("a");
    const b = await station("b");
    await synced(a.inventory);
    await synced(b.inventory);
    await server.stop();
    try {
      await a.registry.put(board(2));
      expect(await a.registry.get(board(2).id)).toEqual(board(2));
      await eventually(async () => state(a.inventory) === "offline", "station a to notice the server is gone");
      expect(a.inventory.snapshot.status).toMatchObject({
        state: "offline",
        message: expect.stringMatching(/cannot be reached/),
      });
      expect(await b.registry.get(board(2).id)).toBeUndefined();
    } finally {
      await server.start();
    }
    await eventually(() => b.registry.get(board(2).id), "station b to get board 2 after the server returned");
    await synced(a.inventory);
  });

  it("the same MAC provisioned at two stations is a conflict to resolve, not a silent overwrite", async () => {
    const a = await station("a");
    const b = await station("b");
    await synced(a.inventory);
    await synced(b.inventory);
    await server.stop();
    const atA = board(3, {
      hostname: "line-a-board",
      certFingerprint: "AA:AA",
      provisionedAt: "2026-11-26T08:00:00.000Z",
    });
    const atB = board(3, {
      hostname: "line-b-board",
      certFingerprint: "BB:BB",
      provisionedAt: "2026-11-26T08:00:05.000Z",
    });
    await a.registry.put(atA);
    await b.registry.put(atB);
    await server.start();
    const conflictAtA = await eventually(
      async () => (await a.registry.conflicts())[0],
      "station a to see the conflict",
    );
    const conflictAtB = await eventually(
      async () => (await b.registry.conflicts())[0],
      "station b to see the conflict",
    );
    for (const c of [conflictAtA, conflictAtB]) {
      expect(c).toMatchObject({ key: board(3).id, kind: "revisions", mac: board(3).mac });
      expect(c.versions.map((v) => v.record.hostname).sort()).toEqual(["line-a-board", "line-b-board"]);
      expect(c.versions.filter((v) => v.winner)).toHaveLength(1);
    }
    // Both stations agree on which side shows until someone decides (CouchDB's deterministic winner).
    expect(conflictAtA.versions.find((v) => v.winner)!.rev).toBe(conflictAtB.versions.find((v) => v.winner)!.rev);

    // Station B keeps A's side, whichever CouchDB showed.
    const keep = conflictAtB.versions.find((v) => v.record.hostname === "line-a-board")!;
    await b.registry.resolveConflict(board(3).id, keep.rev);
    expect(await b.registry.conflicts()).toEqual([]);
    expect((await b.registry.get(board(3).id))!.hostname).toBe("line-a-board");
    await eventually(async () => (await a.registry.conflicts()).length === 0, "the resolution to reach station a");
    expect(await a.registry.get(board(3).id)).toEqual(atA);

    // Two records for one MAC (different ids) are a conflict too; keeping one removes the other everywhere.
    await a.registry.put(board(13, { id: "ffee00000013", hostname: "same-mac-1" }));
    await b.registry.put(board(13, { hostname: "same-mac-2" }));
    const sameMac = await eventually(
      async () => (await a.registry.conflicts()).find((c) => c.kind === "same-mac"),
      "the same-MAC clash at a",
    );
    expect(sameMac).toMatchObject({ key: `mac:${board(13).mac}`, mac: board(13).mac });
    expect(sameMac.versions.map((v) => v.id).sort()).toEqual([board(13).id, "ffee00000013"].sort());
    await a.registry.resolveConflict(sameMac.key, sameMac.versions.find((v) => v.id === "ffee00000013")!.rev);
    await eventually(
      async () => (await b.registry.conflicts()).length === 0 && !(await b.registry.get(board(13).id)),
      "the clash to be resolved at b",
    );
    expect((await b.registry.get("ffee00000013"))!.hostname).toBe("same-mac-1");

    // A stale choice is refused with a sentence, not applied.
    const stale = await b.registry
      .resolveConflict(board(3).id, "1-00000000000000000000000000000000")
      .catch((e: unknown) => e);
    expect(isPortalError(stale, "conflict-changed")).toBe(true);
  });

  it("hostname uniqueness is checked against the shared inventory", async () => {
    const a = await station("a");
    const b = await station("b");
    await a.registry.put(board(4, { hostname: "Shared-Name" }));
    await eventually(() => b.registry.get(board(4).id), "station b to see board 4");
    const clash = await checkHostnameAvailable(b.registry, "shared-name", board(5).id).catch((e: unknown) => e);
    expect(isPortalError(clash, "hostname-taken")).toBe(true);
    await expect(checkHostnameAvailable(b.registry, "shared-name", board(4).id)).resolves.toBeUndefined();
    // Two stations named two different boards alike: the board itself does not hide the other.
    await b.registry.put(board(11, { hostname: "shared-NAME" }));
    const twice = await checkHostnameAvailable(b.registry, "Shared-Name", board(4).id).catch((e: unknown) => e);
    expect(isPortalError(twice, "hostname-taken")).toBe(true);
    expect((twice as Error).message).toContain(board(11).mac);
    await b.registry.delete(board(11).id);
    await eventually(
      async () => (await server.admin("GET", `/${DB}/device:${board(11).id}`)).status === 404,
      "the removal to reach the server",
    );

    // Asked before replication brought the record down: the server's index answers.
    const c = new PouchDeviceRegistry(new (nodePouch())(stationDbName("c")));
    const remote = new (nodePouch())(url, {
      skip_setup: true,
      auth: { username: "station-c", password: PASSWORDS["c"] },
    });
    expect(await c.findAllByHostname("SHARED-NAME")).toEqual([]);
    c.attachRemote(remote);
    expect((await c.findAllByHostname("SHARED-NAME")).map((r) => r.id)).toEqual([board(4).id]);
    const clashAtC = await checkHostnameAvailable(c, "shared-name", board(6).id).catch((e: unknown) => e);
    expect(isPortalError(clashAtC, "hostname-taken")).toBe(true);
    c.close();
  });

  it("boards known before the inventory was switched on join it, once; switching off keeps a copy", async () => {
    const fallback = new MemoryDeviceRegistry();
    await fallback.put(board(7));
    const a = await station("a", { fallback });
    const b = await station("b");
    await eventually(() => b.registry.get(board(7).id), "station b to get a's older board");
    await b.registry.put(board(8));
    await eventually(() => a.registry.get(board(8).id), "station a to get b's board");
    await a.inventory.disconnect();
    expect(a.inventory.snapshot.status).toEqual({ state: "off" });
    expect(a.items.size).toBe(0);
    expect((await fallback.list()).map((r) => r.id)).toEqual(expect.arrayContaining([board(7).id, board(8).id]));
    expect(a.registry.current).toBe(fallback);

    // While a is off: it provisions board 12 on its own, and b removes board 8 from the inventory.
    await new Promise((r) => setTimeout(r, 5));
    await a.registry.put(board(12, { provisionedAt: new Date().toISOString() }));
    await b.registry.delete(board(8).id);
    await a.inventory.connect({ url, user: "station-a", password: PASSWORDS["a"] });
    await eventually(() => b.registry.get(board(12).id), "the board provisioned while off to join");
    await synced(a.inventory);
    await eventually(async () => !(await a.registry.get(board(8).id)), "the removal to reach a");
    expect(await b.registry.get(board(8).id)).toBeUndefined();
  });

  it("says what is wrong: no password yet, a wrong one, a missing database", async () => {
    const waiting = await station("a", { password: null });
    expect(waiting.inventory.snapshot.status).toEqual({ state: "needs-password", url, user: "station-a" });
    // The local replica works meanwhile.
    await waiting.registry.put(board(9));
    expect(await waiting.registry.get(board(9).id)).toEqual(board(9));

    const wrong = await station("b", { password: "nope" });
    await eventually(async () => state(wrong.inventory) === "error", "the wrong password to be reported");
    expect(wrong.inventory.snapshot.status).toMatchObject({ state: "error", error: { code: "unauthorized" } });

    // The portal page refuses plain http (its CSP would block it) with a sentence, before storing anything.
    const page = memoryStorage();
    const strict = new StationInventory({
      fallback: new MemoryDeviceRegistry(),
      loadPouch: async () => nodePouch(),
      store: storageConfigStore(page.storage),
      requireHttps: true,
    });
    const refused = await strict.connect({ url, user: "station-c", password: PASSWORDS["c"] }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "bad-url", message: expect.stringMatching(/https:\/\//) });
    expect(page.items.size).toBe(0);

    const { storage } = memoryStorage();
    const missing = new StationInventory({
      fallback: new MemoryDeviceRegistry(),
      loadPouch: async () => nodePouch(),
      store: storageConfigStore(storage),
      localName: stationDbName("m"),
    });
    stations.push(missing);
    await missing.connect({ url: `${server.origin}/no-such-db`, user: "station-c", password: PASSWORDS["c"] });
    expect(missing.snapshot.status).toMatchObject({
      state: "error",
      error: { code: "database-missing", message: expect.stringMatching(/inventory init/) },
    });
  });

  it("a document the server's validation refuses is reported, and the others still replicate", async () => {
    const a = await station("a");
    const b = await station("b");
    await synced(a.inventory);
    const snapshots: InventorySnapshot[] = [];
    a.inventory.subscribe((s) => snapshots.push(s));
    // A station whose local replica holds a document no portal would write (an older or tampered client).
    const shared = a.registry.current;
    if (!(shared instanceof PouchDeviceRegistry)) throw new Error("station a is not on the shared inventory");
    const local = shared.db;
    await local.put({
      _id: "device:badbad",
      type: "pydirect-device",
      id: "badbad",
      hostname: "bad",
      hostnameLower: "bad",
      mac: "zz",
      chip: "x",
      firmwareVersion: null,
      certFingerprint: "AA",
      provisionedAt: "2026-11-26T00:00:00Z",
      wifi_password: "hunter2",
    });
    await a.registry.put(board(10));
    await eventually(() => b.registry.get(board(10).id), "station b to get the valid board");
    const rejected = await eventually(
      async () => a.inventory.snapshot.rejected.find((r) => r.id === "device:badbad"),
      "the rejection to be reported",
    );
    expect(rejected.reason).toMatch(/secret/);
    expect((await server.admin("GET", `/${DB}/device:badbad`)).status).toBe(404);
    expect(snapshots.length).toBeGreaterThan(0);
  });
});
