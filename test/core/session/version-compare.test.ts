import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion } from "../../../src/core/session/version-compare";

describe("compareVersions", () => {
  it("compares numerically, not as text", () => {
    expect(compareVersions("0.10.0", "0.9.1")).toBe(1);
    expect(compareVersions("0.9.1", "0.10.0")).toBe(-1);
    expect(compareVersions("1.2", "1.2.0")).toBe(0);
    expect(compareVersions("2.0.0", "10.0.0")).toBe(-1);
  });
  it("ignores a v prefix and build metadata", () => {
    expect(compareVersions("v1.2.3", "1.2.3")).toBe(0);
    expect(compareVersions("V1.2.3+build.5", "1.2.3")).toBe(0);
  });
  it("orders pre-releases before their release, by SemVer's identifier rules", () => {
    expect(compareVersions("1.0.0-beta", "1.0.0")).toBe(-1);
    expect(compareVersions("1.0.0", "1.0.0-rc.1")).toBe(1);
    expect(compareVersions("1.0.0-alpha", "1.0.0-beta")).toBe(-1);
    expect(compareVersions("1.0.0-beta.2", "1.0.0-beta.11")).toBe(-1);
    expect(compareVersions("1.0.0-beta", "1.0.0-beta.1")).toBe(-1);
    expect(compareVersions("1.0.0-1", "1.0.0-alpha")).toBe(-1);
  });
  it("reads ESP-IDF's git-describe app versions", () => {
    expect(parseVersion("v1.2.0-3-g1a2b3c4")?.core).toEqual([1, 2, 0]);
    expect(compareVersions("v1.2.0-3-g1a2b3c4", "1.2.1")).toBe(-1);
    expect(compareVersions("1.2.0-dirty", "1.1.9")).toBe(1);
  });
  it("says null when a side is no version, unless the texts are equal", () => {
    expect(compareVersions("main", "0.1.0")).toBeNull();
    expect(compareVersions("main", "main")).toBe(0);
    expect(compareVersions("", "0.1.0")).toBeNull();
  });
});
