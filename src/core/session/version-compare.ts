/**
 * Comparing firmware versions the way people write them: "0.10.0" is newer than "0.9.1", "v1.2"
 * is "1.2.0", "1.0.0-beta.2" comes before "1.0.0". Boards report ESP-IDF's app version, which is
 * often `git describe` output ("v1.2.0-3-g1a2b3c4", "1.2.0-dirty"); semver (the npm package)
 * refuses those, and its coerce() drops the suffix, so this reads the numeric core and orders
 * suffixes by SemVer 2.0's rules (section 11) itself.
 */

interface ParsedVersion {
  core: number[];
  /** SemVer pre-release identifiers ("beta", 2); empty for a release. */
  pre: (string | number)[];
}

export function parseVersion(text: string): ParsedVersion | null {
  const m = /^\s*[vV=]?\s*(\d+(?:\.\d+)*)(?:[-.~]?([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]*)?\s*$/.exec(text);
  if (!m) return null;
  const core = m[1].split(".").map(Number);
  while (core.length < 3) core.push(0);
  const pre = m[2]
    ? m[2]
        .split(/[.-]/)
        .filter(Boolean)
        .map((id) => (/^\d+$/.test(id) ? Number(id) : id))
    : [];
  return { core, pre };
}

/**
 * Negative when `a` is older than `b`, positive when newer, 0 when the same release; null when
 * either is not a version at all (then only "equal as text" means anything).
 */
export function compareVersions(a: string, b: string): number | null {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return a.trim() === b.trim() ? 0 : null;
  for (let i = 0; i < Math.max(pa.core.length, pb.core.length); i++) {
    const d = (pa.core[i] ?? 0) - (pb.core[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  // A release is newer than any of its pre-releases.
  if (pa.pre.length === 0 || pb.pre.length === 0)
    return pb.pre.length - pa.pre.length === 0 ? 0 : pa.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre.at(i);
    const y = pb.pre.at(i);
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    // Numeric identifiers sort before alphanumeric ones, numbers by value, words by ASCII.
    if (typeof x === "number" && typeof y === "number") return Math.sign(x - y);
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
