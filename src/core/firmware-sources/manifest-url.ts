/**
 * A manifest at a URL (typed by the user, ?manifest=, or a release index entry). The one place
 * that explains why a manifest could not be fetched: offline, not allowed by the server (CORS),
 * not there, or a web page where a manifest was expected.
 */
import { parseManifest } from "../manifest/parse";
import { FirmwareSourceError } from "./errors";
import { fetchFailureKind, fetchFunction, lacksCorsHeader, looksLikeHtml, offlineError } from "./http";
import type { FetchOptions, LoadedFirmware } from "./types";

export interface ManifestUrlOptions extends FetchOptions {
  /**
   * The page's origin. Browsers refuse cross-origin answers without CORS headers by themselves; in
   * Node, giving it makes such an answer fail the same way (tests, tools that mimic the page).
   */
  pageOrigin?: string;
  /** Base for a relative URL; defaults to the document's base URI. */
  pageUrl?: string;
  /**
   * The page connects to other sites over https only (the portal's CSP: connect-src 'self' https:),
   * so a plain http:// manifest elsewhere is refused before the browser blocks it with a bare
   * "Failed to fetch". Default: what the page's own Content-Security-Policy meta tag says (the
   * portal's does; a page that embeds the install button has its own policy, or none); off in Node.
   */
  httpsOnly?: boolean;
}

/**
 * Whether a Content-Security-Policy lets the page connect to plain-http addresses on other sites:
 * connect-src (else default-src) must hold `*`, `http:` or an `http://` source. No policy, or no
 * such directive: it does.
 */
export function policyAllowsPlainHttp(policy: string): boolean {
  const directives = new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map((parts) => [parts[0].toLowerCase(), parts.slice(1)] as const),
  );
  const sources = directives.get("connect-src") ?? directives.get("default-src");
  if (!sources) return true;
  return sources.some((s) => s === "*" || s.toLowerCase() === "http:" || s.toLowerCase().startsWith("http://"));
}

/** The page's own policy (a meta tag; headers cannot be read from script), or "" without one. */
function pagePolicy(): string {
  if (typeof document === "undefined" || !("getElementsByTagName" in document)) return "";
  const meta = [...document.getElementsByTagName("meta")].find(
    (m) => m.httpEquiv.toLowerCase() === "content-security-policy",
  );
  return meta?.content ?? "";
}

/** A plain-http address on another origin, which the page's connect-src does not allow. */
function insecureError(url: URL): FirmwareSourceError {
  return new FirmwareSourceError(
    "manifest-insecure",
    `This page allows https only: it cannot load ${url.href}, an http:// address on another site (its security policy connects to https:// addresses only). Use the manifest's https:// address, or download the manifest with its parts and drop them here.`,
  );
}

function absolute(url: string, pageUrl?: string): URL {
  const base = pageUrl ?? (typeof document !== "undefined" ? document.baseURI : undefined);
  try {
    return new URL(url, base);
  } catch (err) {
    throw new FirmwareSourceError(
      "not-found",
      `"${url}" is not a web address; give the full URL of the manifest, e.g. https://example.com/firmware/manifest.json.`,
      { cause: err },
    );
  }
}

function corsError(url: string, detail: string, cause?: unknown): FirmwareSourceError {
  return new FirmwareSourceError(
    "manifest-cors",
    `The firmware manifest could not be loaded from ${url} (${detail}). Check the address; a manifest on another site must be served with CORS headers (Access-Control-Allow-Origin), or download it with its parts and drop them here.`,
    { cause },
  );
}

/** The text at a URL, with every failure explained; the final (post-redirect) URL with it. */
export async function fetchManifestText(
  url: string,
  options: ManifestUrlOptions = {},
): Promise<{ text: string; finalUrl: string; response: Response }> {
  const target = absolute(url, options.pageUrl);
  const httpsOnly = options.httpsOnly ?? !policyAllowsPlainHttp(pagePolicy());
  const pageOrigin = options.pageOrigin ?? (typeof location !== "undefined" ? location.origin : undefined);
  if (httpsOnly && target.protocol === "http:" && target.origin !== pageOrigin) throw insecureError(target);
  let response: Response;
  try {
    response = await fetchFunction(options.fetch)(target.href, {
      cache: "no-cache",
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    const kind = fetchFailureKind(err);
    if (kind === "aborted") throw err;
    if (kind === "offline") throw offlineError("Loading the firmware manifest", err);
    throw corsError(target.href, "the server could not be reached or does not allow this site to read it", err);
  }
  if (options.pageOrigin && target.origin !== options.pageOrigin && lacksCorsHeader(response)) {
    throw corsError(target.href, "the server sends no Access-Control-Allow-Origin header");
  }
  const finalUrl = response.url || target.href;
  if (response.status === 404 || response.status === 410) {
    throw new FirmwareSourceError(
      "not-found",
      `There is no manifest at ${finalUrl} (the server answered ${response.status}); check the address.`,
    );
  }
  if (!response.ok) {
    throw new FirmwareSourceError(
      "source-failed",
      `${finalUrl} answered ${response.status} ${response.statusText}`.trimEnd() +
        "; try again later or check the address.",
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    if (fetchFailureKind(err) === "aborted") throw err;
    throw new FirmwareSourceError(
      "source-failed",
      `The manifest download from ${finalUrl} broke off; check the connection and try again.`,
      { cause: err },
    );
  }
  return { text, finalUrl, response };
}

/**
 * Fetches and parses a manifest. Relative part paths resolve against the URL the manifest was
 * finally served from (after redirects). A web page instead of JSON is named as such; broken JSON
 * and invalid manifests are the manifest core's ManifestError.
 */
export async function loadManifestUrl(url: string, options: ManifestUrlOptions = {}): Promise<LoadedFirmware> {
  const { text, finalUrl, response } = await fetchManifestText(url, options);
  if (looksLikeHtml(response, text)) {
    throw new FirmwareSourceError(
      "html-not-manifest",
      `${finalUrl} returns a web page (perhaps a 404 page or a site's fallback page), not a manifest. Check the address: it should lead to the manifest's .json file.`,
    );
  }
  const { manifest } = parseManifest(text);
  return { manifest, manifestUrl: finalUrl, origin: { kind: "manifest-url", url } };
}
