/**
 * No module in src/ may import itself back through others. A circle makes evaluation order
 * depend on which module is loaded first (a class can be `undefined` at the moment another module
 * reads it) and ties modules together that should change apart. Type-only imports count too: they
 * tie the modules just the same, and the fix (a shared leaf module) is the same.
 *
 * A small walker over the static import graph, rather than a package, since none is installed.
 */
import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");

/** Module specifiers of a file's static `import … from`, `export … from` and bare `import "…"`. */
export function staticImports(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specifiers: string[] = [];
  const fromClause = /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm;
  const bare = /^\s*import\s*["']([^"']+)["']/gm;
  for (const match of withoutComments.matchAll(fromClause)) specifiers.push(match[1]);
  for (const match of withoutComments.matchAll(bare)) specifiers.push(match[1]);
  return specifiers;
}

/** Every import circle in a graph, each once, as the path that closes it (first node repeated at the end). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join("|");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

function resolveLocal(from: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (candidate.endsWith(".ts") && existsSync(candidate)) return candidate;
  }
  return null;
}

function srcImportGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(SRC)) {
    const targets = staticImports(readFileSync(file, "utf8"))
      .map((specifier) => resolveLocal(file, specifier))
      .filter((target): target is string => target !== null);
    graph.set(
      relative(SRC, file),
      targets.map((t) => relative(SRC, t)),
    );
  }
  return graph;
}

describe("import circles", () => {
  it("reads static imports, type-only and multi-line ones included, and skips comments", () => {
    const source = [
      'import { a } from "./a";',
      'import type { B } from "../b";',
      "import {",
      "  c,",
      "  d,",
      '} from "./cd";',
      'export { e } from "./e";',
      'export type { F } from "./f";',
      'import "./side-effect";',
      '// import { x } from "./commented";',
      '/* import { y } from "./block"; */',
      'const lazy = () => import("./lazy");',
    ].join("\n");
    expect(staticImports(source).sort()).toEqual(["../b", "./a", "./cd", "./e", "./f", "./side-effect"].sort());
  });

  it("finds a two-module circle and a longer one, and nothing in a tree", () => {
    const graph = new Map<string, string[]>([
      ["types", ["fast-baud"]],
      ["fast-baud", ["types", "flash-session"]],
      ["flash-session", ["link-rate"]],
      ["link-rate", ["helpers", "flash-session"]],
      ["helpers", []],
    ]);
    expect(findCycles(graph)).toEqual([
      ["fast-baud", "types", "fast-baud"],
      ["flash-session", "link-rate", "flash-session"],
    ]);
    const tree = new Map<string, string[]>([
      ["a", ["b", "c"]],
      ["b", ["c"]],
      ["c", []],
    ]);
    expect(findCycles(tree)).toEqual([]);
  });

  it("src/ has none", () => {
    const graph = srcImportGraph();
    // The walker saw the tree: a graph with no edges would pass trivially.
    expect(graph.get("core/flash/flash-job.ts")).toContain("core/flash/flash-session.ts");
    expect(findCycles(graph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });
});
