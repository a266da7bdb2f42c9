import { describe, expect, it } from "vitest";
import {
  addressSpaceOfHost,
  localNetworkPermission,
  permissionNames,
  targetAddressSpace,
  type PermissionsLike,
} from "../../../src/core/signaling/local-network-access";
import { createFetchTransport } from "../../../src/core/signaling/transport";

/** A Permissions API that knows only `known` names (others throw TypeError, as browsers do). */
function permissions(known: Record<string, string>): PermissionsLike & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async query({ name }) {
      asked.push(name);
      const state = known[name];
      if (!state)
        throw new TypeError(
          `Failed to execute 'query' on 'Permissions': The provided value '${name}' is not a valid enum value of type PermissionName.`,
        );
      return { state };
    },
  };
}

describe("address spaces of board addresses", () => {
  it.each([
    ["192.168.4.23", "local"],
    ["10.0.0.7", "local"],
    ["172.16.0.1", "local"],
    ["172.31.255.254", "local"],
    ["169.254.10.1", "local"],
    ["pydirect-5a3c01.local", "local"],
    ["PYDIRECT-5A3C01.LOCAL.", "local"],
    ["[fd12:3456::1]", "local"],
    ["[fe80::1]", "local"],
    ["127.0.0.1", "loopback"],
    ["localhost", "loopback"],
    ["[::1]", "loopback"],
    ["172.32.0.1", "public"],
    ["8.8.8.8", "public"],
    ["[2001:db8::1]", "public"],
  ])("%s is %s", (host, space) => {
    expect(addressSpaceOfHost(host)).toBe(space);
  });

  it("leaves DNS names to the resolver, and refuses what is not an address", () => {
    expect(addressSpaceOfHost("portal.example")).toBeNull();
    expect(addressSpaceOfHost("999.1.1.1")).toBeNull();
  });

  it("names the fetch's target address space only for private targets", () => {
    expect(targetAddressSpace("https://192.168.4.23/webrtc/status")).toBe("local");
    expect(targetAddressSpace("https://127.0.0.1:8443/")).toBe("loopback");
    expect(targetAddressSpace("https://pydirect.com/firmware/")).toBeUndefined();
  });
});

describe("the local-network permission", () => {
  it("asks Chrome 145+'s split name first", async () => {
    const p = permissions({ "local-network": "granted", "local-network-access": "prompt" });
    expect(await localNetworkPermission("https://192.168.4.23", p)).toBe("granted");
    expect(p.asked).toEqual(["local-network"]);
    expect(permissionNames("loopback")[0]).toBe("loopback-network");
  });

  it("falls back to Chrome 142's single name where the split ones are unknown", async () => {
    const p = permissions({ "local-network-access": "denied" });
    expect(await localNetworkPermission("https://10.1.2.3", p)).toBe("denied");
    expect(p.asked).toEqual(["local-network", "local-network-access"]);
  });

  it("is unsupported where the browser knows neither, or for public targets", async () => {
    expect(await localNetworkPermission("https://192.168.4.23", permissions({}))).toBe("unsupported");
    expect(await localNetworkPermission("https://192.168.4.23", undefined)).toBe("unsupported");
    const p = permissions({ "local-network": "denied" });
    expect(await localNetworkPermission("https://pydirect.com/", p)).toBe("unsupported");
    expect(p.asked).toEqual([]);
  });
});

describe("HTTPS signaling under Local Network Access", () => {
  const failingFetch = (async () => {
    throw new TypeError("Failed to fetch");
  }) as unknown as typeof fetch;

  it("names the target address space, and sends JSON without needing a CORS preflight", async () => {
    const seen: RequestInit[] = [];
    const fetchSpy = (async (_url: string, init: RequestInit) => {
      seen.push(init);
      return new Response('{"ok":true}', { status: 200 });
    }) as unknown as typeof fetch;
    const transport = createFetchTransport("https://192.168.4.23", { fetch: fetchSpy });
    await transport.request("POST", "/webrtc-signal", { type: "get_offer" });
    expect((seen[0] as { targetAddressSpace?: string }).targetAddressSpace).toBe("local");
    expect(seen[0].headers).toEqual({ "content-type": "text/plain;charset=UTF-8" });
    expect(seen[0].body).toBe('{"type":"get_offer"}');
  });

  it("a failed request with the permission denied says how to allow it", async () => {
    const transport = createFetchTransport("https://192.168.4.23", {
      fetch: failingFetch,
      permissions: permissions({ "local-network": "denied" }),
    });
    const err = await transport.request("GET", "/webrtc/status").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "local-network-denied", action: "none" });
    expect((err as Error).message).toMatch(/site-settings icon.*Local network access.*Allow/);
  });

  it("a failed request with the permission granted (or not asked) is the board being unreachable", async () => {
    for (const state of ["granted", "prompt"]) {
      const transport = createFetchTransport("https://192.168.4.23", {
        fetch: failingFetch,
        permissions: permissions({ "local-network": state }),
      });
      await expect(transport.request("GET", "/webrtc/status")).rejects.toMatchObject({ code: "unreachable" });
    }
  });
});
