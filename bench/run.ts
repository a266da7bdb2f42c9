/**
 * Benchmark runner: `npm run bench` runs every group, `npm run bench -- flash verify` the named ones.
 *
 * A group is a module bench/<group>.ts whose default export has this shape:
 *
 *   export default {
 *     name: "flash",                                   // the group's name, also its key prefix
 *     async run(): Promise<Record<string, number>>,    // figures, one key per figure: "flash.ratio_vs_ewt"
 *     goals?: Record<string, { max?: number; min?: number }>,  // optional "done when" bounds per key
 *     notes?: Record<string, string>,                 // optional: what bounds a figure, printed under the table
 *   };
 *
 * Each figure is printed in a table (with its goal and whether it is met, when the group gives
 * one) and merged into bench/results.json, which keeps figures from groups not run this time.
 * Figures are plain numbers: times in ms (key ending in _ms), ratios and fractions unitless.
 * Benchmarks are not tests: nothing fails the run except a group throwing.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface BenchGoal {
  max?: number;
  min?: number;
}

export interface BenchGroup {
  name: string;
  run(): Promise<Record<string, number>>;
  goals?: Record<string, BenchGoal>;
  /** Optional: sentences printed after the table, e.g. why a goal is out of reach and by how much. */
  explain?(figures: Record<string, number>): string[];
  /** Per figure, a sentence saying what bounds it; printed under the table. */
  notes?: Record<string, string>;
}

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, "results.json");

function availableGroups(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

function isBenchGroup(value: unknown): value is BenchGroup {
  const g = value as Partial<BenchGroup> | null;
  return !!g && typeof g.name === "string" && typeof g.run === "function";
}

function goalText(goal: BenchGoal | undefined): string {
  if (!goal) return "";
  return [goal.min !== undefined ? `>= ${goal.min}` : "", goal.max !== undefined ? `<= ${goal.max}` : ""]
    .filter(Boolean)
    .join(" and ");
}

function meets(value: number, goal: BenchGoal | undefined): string {
  if (!goal) return "";
  const ok = (goal.min === undefined || value >= goal.min) && (goal.max === undefined || value <= goal.max);
  return ok ? "met" : "NOT MET";
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [i, row] of rows.entries()) {
    console.log(
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

async function main(): Promise<void> {
  const known = availableGroups();
  const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = asked.filter((g) => !known.includes(g));
  if (unknown.length > 0) {
    console.error(`Unknown bench group(s): ${unknown.join(", ")}. Available: ${known.join(", ")}.`);
    process.exitCode = 2;
    return;
  }
  const results: Record<string, number> = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, "utf8")) as Record<string, number>)
    : {};
  const rows: string[][] = [["figure", "value", "goal", ""]];
  const notes: string[] = [];
  let failed = false;
  for (const name of asked.length > 0 ? asked : known) {
    const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { default?: unknown };
    if (!isBenchGroup(mod.default)) {
      console.error(`bench/${name}.ts has no default export of the shape { name, run() }; skipped.`);
      continue;
    }
    const group = mod.default;
    console.log(`running bench group "${group.name}"...`);
    const started = performance.now();
    try {
      const figures = await group.run();
      for (const [key, value] of Object.entries(figures)) {
        results[key] = value;
        const goal = group.goals?.[key];
        rows.push([key, String(value), goalText(goal), meets(value, goal)]);
        const note = group.notes?.[key];
        if (note) notes.push(`${key}: ${note}`);
      }
      notes.push(...(group.explain?.(figures) ?? []));
      console.log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      failed = true;
      console.error(`bench group "${group.name}" failed:`, err);
    }
    // Write after every group, so a long run that fails later keeps what it measured.
    const sorted = Object.fromEntries(Object.entries(results).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(RESULTS, JSON.stringify(sorted, null, 2) + "\n");
  }
  console.log("");
  printTable(rows);
  if (notes.length > 0) console.log(["", ...notes].join("\n"));
  if (failed) process.exitCode = 1;
  // Groups may leave timers or sockets behind (a virtual board's boot loop); the run is over.
  process.exit();
}

await main();
