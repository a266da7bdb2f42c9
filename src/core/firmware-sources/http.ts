/**
 * What the firmware sources share about talking to servers: telling "offline" from "this server
 * does not allow this page to read it" (CORS), and GitHub's rate limit from other refusals.
 */
import { FirmwareSourceError } from "./errors";

type Fetch = typeof fetch;

export function fetchFunction(custom?: Fetch): Fetch {
  return custom ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
}

/**
 * Whether fetch itself refuses cross-origin answers without CORS headers. Browsers (pages and
 * workers) do; Node's fetch does not, so there the header is checked by hand to behave the same.
 */
export function fetchEnforcesCors(): boolean {
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  return g.document !== undefined || g.WorkerGlobalScope !== undefined;
}

/** navigator.onLine is false only when the browser knows it has no network at all. */
function browserOffline(): boolean {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return nav?.onLine === false;
}

/**
 * Why a fetch threw (a TypeError carries no reason): "offline" when the browser says so, or in Node
 * (where a refused cross-origin read cannot happen, so a failure is the network); otherwise the
 * browser could not reach the server or was not allowed to read it ("blocked").
 */
export function fetchFailureKind(err: unknown): "aborted" | "offline" | "blocked" {
  if (err instanceof DOMException && err.name === "AbortError") return "aborted";
  if ((err as { name?: string } | null)?.name === "AbortError") return "aborted";
  if (browserOffline() || !fetchEnforcesCors()) return "offline";
  return "blocked";
}

/** An answer without Access-Control-Allow-Origin, which a browser would not let this page read. */
export function lacksCorsHeader(response: Response): boolean {
  if (fetchEnforcesCors()) return false; // the browser already threw for such answers
  const allow = response.headers.get("access-control-allow-origin");
  return allow === null || allow.trim() === "";
}

export function offlineError(what: string, cause: unknown): FirmwareSourceError {
  return new FirmwareSourceError(
    "offline",
    `${what} needs the network, and this computer is offline (or the server cannot be reached). Connect and try again.`,
    { cause },
  );
}

function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16) + " UTC";
}

/**
 * GitHub answers 403 or 429 when the API limit is used up: `x-ratelimit-remaining: 0` with
 * `x-ratelimit-reset` (epoch seconds), or `retry-after` (seconds) for its secondary limits.
 * Returns null for any other answer.
 */
export function rateLimitError(response: Response, now = Date.now()): FirmwareSourceError | null {
  if (response.status !== 403 && response.status !== 429) return null;
  const remaining = response.headers.get("x-ratelimit-remaining");
  const retryAfter = response.headers.get("retry-after");
  if (remaining !== "0" && retryAfter === null && response.status !== 429) return null;
  let resetAt: number | null = null;
  const reset = Number(response.headers.get("x-ratelimit-reset"));
  if (retryAfter !== null && Number.isFinite(Number(retryAfter))) resetAt = now + Number(retryAfter) * 1000;
  else if (Number.isFinite(reset) && reset > 0) resetAt = reset * 1000;
  const when =
    resetAt === null
      ? "Try again in a few minutes"
      : `It resets at ${clockTime(resetAt)} (in ${Math.max(1, Math.ceil((resetAt - now) / 60_000))} min); try again then`;
  return new FirmwareSourceError(
    "rate-limited",
    `GitHub refuses more release look-ups from this network for now (its limit without signing in is 60 an hour). ${when}, or pick a local file or another source meanwhile.`,
    { resetAt },
  );
}

/** Whether an answer is a web page rather than the JSON asked for. */
export function looksLikeHtml(response: Response, text: string): boolean {
  const type = response.headers.get("content-type") ?? "";
  if (/^\s*text\/html\b/i.test(type) || /application\/xhtml\+xml/i.test(type)) return true;
  return /^\s*(<!doctype\s+html|<html[\s>])/i.test(text.replace(/^\uFEFF/, ""));
}
