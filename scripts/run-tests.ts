// `npm test`: every check the project has, ordered so that what waits overlaps with what computes.
//
//   1. the demo firmware and the frozen device scripts (the type check and the tests read them);
//   2. side by side: the Node suite's main project (its files mostly wait on the virtual board's
//      timers), the type check, lint and format, the firmware module's C tests and the site build
//      the browser tests serve;
//   3. side by side: the Node files that bound wall-clock time (vitest project "timed") and the
//      browser suite, the browser suite in the background (Linux's SCHED_IDLE, see `background`);
//   4. alone: the browser file that measures the browser's own CPU (vitest project "browser-timed").
//
// Output of the side-by-side stages is held and printed whole when each ends (the two larger
// suites, Node's and the browser's, stream live); a summary with each stage's time closes the run.
// Exit status 1 if any stage failed.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

interface Stage {
  name: string;
  command: string;
  env?: Record<string, string>;
  /** Stream output as it comes instead of printing it when the stage ends. */
  live?: boolean;
  /**
   * Run on CPU no other process wants (SCHED_IDLE, util-linux's chrt; nice 19 where chrt is
   * missing). The timed Node files use under half of the two cores, mostly waiting on the virtual
   * board's timers, and must not be slowed by a neighbour; a SCHED_IDLE neighbour takes no CPU
   * they want (the kernel preempts it as soon as one of them wakes), so the browser suite can use
   * the rest instead of waiting 45 s for them to end.
   */
  background?: boolean;
}

const CHRT = "/usr/bin/chrt";
const BACKGROUND = existsSync(CHRT) ? `${CHRT} --idle 0` : "nice -n 19";

interface Outcome {
  name: string;
  ok: boolean;
  seconds: number;
}

/** Set once step 1 has written them, so the suites' global setups do not write them again mid-run. */
const READY = { PYDIRECT_DEMO_FIRMWARE_READY: "1" };
/** The browser suites serve the site build of step 2 rather than building it again. */
const BROWSER_ENV = { ...READY, PYDIRECT_SKIP_BUILD: "1" };

function run(stage: Stage): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(stage.background ? `${BACKGROUND} ${stage.command}` : stage.command, {
      shell: true,
      stdio: stage.live ? "inherit" : ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...stage.env },
    });
    const held: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => held.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => held.push(chunk));
    const finish = (ok: boolean): void => {
      const seconds = (performance.now() - started) / 1000;
      if (!stage.live) {
        process.stdout.write(`\n── ${stage.name} (${stage.command}) ──\n`);
        process.stdout.write(Buffer.concat(held));
      }
      process.stdout.write(`── ${stage.name}: ${ok ? "ok" : "FAILED"} in ${seconds.toFixed(0)} s ──\n`);
      resolve({ name: stage.name, ok, seconds });
    };
    child.on("error", () => finish(false));
    child.on("close", (code) => finish(code === 0));
  });
}

const outcomes: Outcome[] = [];

async function sequence(stages: Stage[]): Promise<boolean> {
  for (const stage of stages) {
    const outcome = await run(stage);
    outcomes.push(outcome);
    if (!outcome.ok) return false;
  }
  return true;
}

async function together(stages: Stage[]): Promise<boolean> {
  const results = await Promise.all(stages.map(run));
  outcomes.push(...results);
  return results.every((r) => r.ok);
}

const passed =
  (await sequence([{ name: "demo firmware", command: "npm run demo-firmware" }])) &&
  (await together([
    {
      name: "node tests",
      command: "vitest run --config vitest.config.ts --project node --project node-isolated",
      env: READY,
      live: true,
    },
    { name: "typecheck", command: "npm run typecheck" },
    { name: "lint", command: "npm run lint" },
    { name: "firmware C tests", command: "npm run test:firmware" },
    // vitest sets NODE_ENV=test, which would make Vite build a non-production bundle; build here instead.
    { name: "site build", command: "vite build --logLevel warn", env: { NODE_ENV: "production" } },
  ])) &&
  (await together([
    {
      name: "timed node tests",
      command: "vitest run --config vitest.config.ts --project timed",
      env: READY,
    },
    {
      name: "browser tests",
      command: "vitest run --config vitest.browser.config.ts --project browser",
      env: BROWSER_ENV,
      live: true,
      background: true,
    },
  ])) &&
  (await sequence([
    {
      name: "timed browser tests",
      command: "vitest run --config vitest.browser.config.ts --project browser-timed",
      env: BROWSER_ENV,
      live: true,
    },
  ]));

process.stdout.write("\nnpm test:\n");
for (const o of outcomes)
  process.stdout.write(`  ${o.ok ? "ok    " : "FAILED"} ${o.seconds.toFixed(0).padStart(4)} s  ${o.name}\n`);
const total = outcomes.length ? performance.now() / 1000 : 0;
process.stdout.write(`  total ${total.toFixed(0)} s\n`);
process.exit(passed ? 0 : 1);
