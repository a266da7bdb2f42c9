/**
 * Makes blocking waits in console input and boot/main scripts cooperative. The wasm port runs
 * Python synchronously on the JS thread, so a `time.sleep` there would freeze the page (and the
 * host talking to the board) and busy-spin a core. Code the console executes is compiled with
 * top-level await allowed, so where `await` is legal (module level and async function bodies, not
 * inside a lambda or a comprehension), a sleep call is rewritten to await a timer instead:
 *
 *     time.sleep(1)          ->  await __vb_sleep(1)
 *     utime.sleep_ms(50)     ->  await __vb_sleep_ms(50)
 *     asyncio.run(main())    ->  await __vb_asyncio_run(main())
 *     input('name? ')        ->  await __vb_input('name? ')
 *
 * Line numbers are unchanged, so tracebacks match the source. Sleeps inside plain functions and in
 * imported modules stay blocking (see python-shims.ts).
 */

const REWRITES: Array<[RegExp, string]> = [
  [/^(?:u?time)\s*\.\s*sleep\s*\(/, "await __vb_sleep("],
  [/^(?:u?time)\s*\.\s*sleep_ms\s*\(/, "await __vb_sleep_ms("],
  [/^(?:u?time)\s*\.\s*sleep_us\s*\(/, "await __vb_sleep_us("],
  [/^asyncio\s*\.\s*run\s*\(/, "await __vb_asyncio_run("],
];
/** input() waits for a line from the host; left alone where the code defines its own `input`. */
const INPUT_CALL: [RegExp, string] = [/^input\s*\(/, "await __vb_input("];
const DEFINES_INPUT =
  /^[ \t]*(?:(?:async[ \t]+)?def[ \t]+input\b|input[ \t]*=|import[ \t].*\binput\b|from[ \t].*\bimport\b.*\binput\b)/m;
const BARE_SLEEPS: Record<string, string> = {
  sleep: "__vb_sleep",
  sleep_ms: "__vb_sleep_ms",
  sleep_us: "__vb_sleep_us",
};

interface Scope {
  indent: number;
  awaitAllowed: boolean;
}

const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Names imported bare from time/utime (`from time import sleep, sleep_ms`). */
function bareSleepImports(source: string): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/^[ \t]*from[ \t]+u?time[ \t]+import[ \t]+([^\n#]+)/gm)) {
    for (const part of m[1].replace(/[()]/g, "").split(",")) {
      const [name, alias] = part.trim().split(/\s+as\s+/);
      if (name && name in BARE_SLEEPS && (!alias || alias === name)) names.add(name);
    }
  }
  return names;
}

export function makeSleepsCooperative(source: string): string {
  const bare = bareSleepImports(source);
  const rewrites = DEFINES_INPUT.test(source) ? REWRITES : [...REWRITES, INPUT_CALL];
  const comprehensions = comprehensionGroups(source);
  const groups: number[] = [];
  const scopes: Scope[] = [];
  let out = "";
  let i = 0;
  let depth = 0;
  let atLineStart = true;
  let lineHasLambda = false;
  const n = source.length;

  const awaitAllowed = (): boolean => scopes.length === 0 || scopes[scopes.length - 1].awaitAllowed;

  while (i < n) {
    if (atLineStart && depth === 0) {
      atLineStart = false;
      lineHasLambda = false;
      let j = i;
      let indent = 0;
      while (j < n && (source[j] === " " || source[j] === "\t")) {
        indent += source[j] === "\t" ? 8 - (indent % 8) : 1;
        j++;
      }
      const blank = j >= n || source[j] === "\n" || source[j] === "\r" || source[j] === "#";
      if (!blank) {
        while (scopes.length > 0 && scopes[scopes.length - 1].indent >= indent) scopes.pop();
        const rest = source.slice(j, j + 12);
        if (/^async\s+def\b/.test(rest)) scopes.push({ indent, awaitAllowed: true });
        else if (/^(def|class)\b/.test(rest)) scopes.push({ indent, awaitAllowed: false });
      }
      out += source.slice(i, j);
      i = j;
      continue;
    }
    const c = source[i];
    if (c === "#") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      out += source.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = skipString(source, i);
      out += source.slice(i, end);
      i = end;
      continue;
    }
    if (c === "\n") {
      out += c;
      i++;
      if (depth === 0 && source[i - 2] !== "\\") atLineStart = true;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") {
      depth++;
      groups.push(i);
    } else if (c === ")" || c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
      groups.pop();
    }
    if (isIdentChar(c) && !isIdentChar(source[i - 1]) && source[i - 1] !== ".") {
      let j = i;
      while (j < n && isIdentChar(source[j])) j++;
      const word = source.slice(i, j);
      if (word === "lambda") lineHasLambda = true;
      const inComprehension = groups.some((g) => comprehensions.has(g));
      if (!inComprehension && !lineHasLambda && awaitAllowed()) {
        const replaced = rewriteAt(source, i, word, bare, rewrites);
        if (replaced) {
          out += replaced.text;
          i = replaced.end;
          depth++;
          groups.push(replaced.end - 1);
          continue;
        }
      }
      out += word;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function rewriteAt(
  source: string,
  at: number,
  word: string,
  bare: Set<string>,
  rewrites: Array<[RegExp, string]>,
): { text: string; end: number } | null {
  const ahead = source.slice(at, at + 40);
  for (const [pattern, replacement] of rewrites) {
    const m = pattern.exec(ahead);
    if (m) return { text: replacement, end: at + m[0].length };
  }
  if (bare.has(word)) {
    const m = /^\w+\s*\(/.exec(ahead);
    if (m) return { text: `await ${BARE_SLEEPS[word]}(`, end: at + m[0].length };
  }
  return null;
}

/** Positions of the brackets that open a comprehension or generator expression (an implicit function, where `await` is not allowed). */
function comprehensionGroups(source: string): Set<number> {
  const found = new Set<number>();
  const open: number[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "#") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipString(source, i);
      continue;
    }
    if (c === "(" || c === "[" || c === "{") open.push(i);
    else if (c === ")" || c === "]" || c === "}") open.pop();
    else if (
      c === "f" &&
      source.startsWith("for", i) &&
      !isIdentChar(source[i - 1]) &&
      !isIdentChar(source[i + 3]) &&
      open.length > 0
    ) {
      found.add(open[open.length - 1]);
    }
    i++;
  }
  return found;
}

/** Index just past the string literal starting at `start` (a quote character). */
function skipString(source: string, start: number): number {
  const q = source[start];
  const triple = source.startsWith(q + q + q, start);
  const close = triple ? q + q + q : q;
  let i = start + close.length;
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (!triple && c === "\n") return i;
    if (source.startsWith(close, i)) return i + close.length;
    i++;
  }
  return source.length;
}
