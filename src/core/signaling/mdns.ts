/**
 * Browsers hide their host addresses behind random `*.local` mDNS names. An ESP32 cannot resolve
 * those, so the board side replaces the name with the address the HTTP request came from, as
 * upstream pyDirect does. The same applies to candidates that reach the virtual board.
 */

const CANDIDATE_FIELDS = /^(candidate:\S+ \d+ \S+ \d+ )(\S+)( \d+ typ .*)$/;

export function isMdnsCandidate(candidate: string): boolean {
  const m = CANDIDATE_FIELDS.exec(stripPrefix(candidate));
  return !!m && m[2].toLowerCase().endsWith(".local");
}

/** Replace a `*.local` connection address with `remoteAddress`; other candidates pass unchanged. */
export function resolveMdnsCandidate(candidate: string, remoteAddress: string): string {
  const hadPrefix = candidate.startsWith("a=");
  const m = CANDIDATE_FIELDS.exec(stripPrefix(candidate));
  if (!m || !m[2].toLowerCase().endsWith(".local")) return candidate;
  const address = remoteAddress.replace(/^::ffff:/, "");
  return `${hadPrefix ? "a=" : ""}${m[1]}${address}${m[3]}`;
}

/** Apply `resolveMdnsCandidate` to every `a=candidate:` line of an SDP. */
export function resolveMdnsInSdp(sdp: string, remoteAddress: string): string {
  return sdp
    .split("\r\n")
    .map((line) => (line.startsWith("a=candidate:") ? resolveMdnsCandidate(line, remoteAddress) : line))
    .join("\r\n");
}

function stripPrefix(candidate: string): string {
  return candidate.startsWith("a=") ? candidate.slice(2) : candidate;
}
