/**
 * Chrome's Local Network Access (Chrome 142+): a page on a public origin that fetches a private
 * (RFC 1918, link-local, `.local`) or loopback address needs the user's permission, asked once per
 * site; denied, the request fails like a network error. Chrome 145 split the one permission
 * (`local-network-access`) into `local-network` and `loopback-network`. Measured with Chromium 156
 * (test/browser/local-network.test.ts): the split names decide, `local-network-access` is still
 * known to the Permissions API; a fetch whose `targetAddressSpace` names the wrong space fails.
 *
 * The portal cannot know its own server's address space from script (a hostname may resolve
 * anywhere), so it goes by the board's address and by what the Permissions API says.
 */

export type AddressSpace = "loopback" | "local" | "public";

/** What the browser says about reaching this target; "unsupported": no such permission here. */
export type LocalNetworkPermission = "granted" | "denied" | "prompt" | "unsupported";

/** The subset of `navigator.permissions` used here (tests pass their own). */
export interface PermissionsLike {
  query(descriptor: { name: string }): Promise<{ state: string }>;
}

function ipv4Space(host: string): AddressSpace | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if ([a, b, Number(m[3]), Number(m[4])].some((n) => n > 255)) return null;
  if (a === 127) return "loopback";
  // RFC 1918, link-local (RFC 3927), and 0.0.0.0/8 as the LNA spec files them.
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || a === 0)
    return "local";
  return "public";
}

function ipv6Space(host: string): AddressSpace | null {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (!h.includes(":")) return null;
  if (h === "::1") return "loopback";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped) return ipv4Space(mapped[1]);
  // Unique local fc00::/7 and link-local fe80::/10.
  if (/^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h)) return "local";
  return "public";
}

/**
 * The address space of a host as far as its name tells: IP literals, `localhost`, and mDNS
 * `.local` names (always on the LAN). Null for other DNS names: only resolving them would tell.
 */
export function addressSpaceOfHost(hostname: string): AddressSpace | null {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  if (host.endsWith(".local")) return "local";
  return ipv4Space(host) ?? ipv6Space(host);
}

/** The `targetAddressSpace` fetch option for this URL, when its host says it is private. */
export function targetAddressSpace(url: string): "local" | "loopback" | undefined {
  const space = addressSpaceOfHost(new URL(url).hostname);
  return space === "local" || space === "loopback" ? space : undefined;
}

/**
 * `init` with `targetAddressSpace` set where the URL is private: Chrome then asks for the permission
 * up front instead of finding out after the connection. Browsers without the option ignore it.
 */
export function withTargetAddressSpace(url: string, init: RequestInit): RequestInit {
  const space = targetAddressSpace(url);
  return space ? ({ ...init, targetAddressSpace: space } as RequestInit) : init;
}

/** Permission names to ask about for a target, newest first (Chrome 145+, then 142–144). */
export function permissionNames(space: "local" | "loopback"): string[] {
  return [space === "local" ? "local-network" : "loopback-network", "local-network-access"];
}

/** Whether the browser will let the page reach `url` (without asking it to). */
export async function localNetworkPermission(
  url: string,
  // Node before 21 has no navigator at all.
  permissions: PermissionsLike | undefined = (globalThis as { navigator?: { permissions?: PermissionsLike } }).navigator
    ?.permissions,
): Promise<LocalNetworkPermission> {
  const space = targetAddressSpace(url);
  if (!space || !permissions) return "unsupported";
  for (const name of permissionNames(space)) {
    try {
      const { state } = await permissions.query({ name });
      if (state === "granted" || state === "denied" || state === "prompt") return state;
    } catch {
      // A permission name this browser does not know (TypeError): try the older one.
    }
  }
  return "unsupported";
}

/** What the user reads before Chrome shows its prompt. */
export function localNetworkNote(hostname: string, url: string): string {
  return (
    `Your browser will ask whether this site may reach devices on your local network. Choose Allow: ` +
    `the portal then talks to ${hostname} at ${url} directly from this tab; nothing goes through a server.`
  );
}

/** The one-line reminder shown beside "Connect again" while the permission stays denied. */
export function localNetworkBlockedHint(): string {
  return "Local network access is blocked for this site: allow it in the site settings (the icon left of the address bar), then press Connect again.";
}

/** How to undo a "Block" (Chrome keeps the answer per site). */
export function localNetworkDeniedAdvice(url: string): string {
  return (
    `This browser is blocking this site from reaching ${url} on your local network (the "local network" permission was denied). ` +
    `To allow it: click the site-settings icon to the left of the address bar, set "Local network access" to Allow, reload the page and press Connect again. ` +
    `If this page is inside another page's frame, that page must delegate the permission (allow="local-network-access; local-network; loopback-network").`
  );
}
