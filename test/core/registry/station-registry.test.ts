import { describe, expect, it } from "vitest";
import { MemoryDeviceRegistry } from "../../../src/core/registry/memory-device-registry";
import { StationRegistry } from "../../../src/core/registry/station-registry";
import { PouchDeviceRegistry } from "../../../src/core/registry/pouch-device-registry";
import { backOff, toInventoryError } from "../../../src/core/registry/inventory-sync";
import { isPortalError } from "../../../src/core/errors";
import { board } from "./fixtures";
import { nodePouch, stationDbName } from "./node-pouch";

describe("the page's registry", () => {
  it("forwards to the own store, then to the replica, and tells listeners of every change", async () => {
    const own = new MemoryDeviceRegistry();
    const registry = new StationRegistry(own);
    let changes = 0;
    const stop = registry.subscribe(() => changes++);
    await registry.put(board(1));
    expect(changes).toBe(1);
    expect(await registry.conflicts()).toEqual([]);
    expect(
      isPortalError(await registry.resolveConflict(board(1).id, "1-x").catch((e: unknown) => e), "conflict-changed"),
    ).toBe(true);

    const replica = new PouchDeviceRegistry(new (nodePouch())(stationDbName("switch")));
    registry.use(replica);
    expect(changes).toBe(2);
    expect(await registry.list()).toEqual([]);
    await registry.put(board(2));
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toBeGreaterThanOrEqual(3);
    expect((await registry.findAllByHostname(board(2).hostname.toUpperCase())).map((r) => r.id)).toEqual([board(2).id]);
    stop();
    const before = changes;
    await registry.put(board(3));
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toBe(before);
    replica.close();
  });
});

describe("sync errors and retry", () => {
  it("map server answers to what the user can do", () => {
    const url = "https://couch.example.com/inv";
    expect(toInventoryError({ status: 401, reason: "Name or password is incorrect." }, url)).toMatchObject({
      code: "unauthorized",
      action: "fix-input",
    });
    expect(toInventoryError({ status: 403, reason: "not a member" }, url).message).toMatch(/_security/);
    expect(toInventoryError({ status: 404 }, url).message).toMatch(/inventory init/);
    expect(toInventoryError(new TypeError("Failed to fetch"), url)).toMatchObject({
      code: "unreachable",
      message: expect.stringMatching(/CORS/),
    });
    expect(toInventoryError({ status: 500, reason: "boom" }, url).code).toBe("server-error");
  });

  it("back off doubling up to a cap", () => {
    const next = backOff({ initialMs: 1000, maxMs: 30_000 });
    const delays: number[] = [];
    for (let d = 0, i = 0; i < 7; i++) delays.push((d = next(d)));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});
