/**
 * pyDirect's published releases: versions and products from the GitHub releases API, images from a
 * CORS-enabled mirror. GitHub's release downloads send no CORS headers, so a page cannot read them;
 * the portal never routes them through a third-party proxy either (it would see every user's
 * traffic). Where no readable copy exists, the user is told where to download the .bin by hand.
 */
import { parseManifest } from "../manifest/parse";
import { sha256Hex } from "../image/bytes";
import type { PartCache } from "../download/part-cache";
import { FirmwareSourceError } from "./errors";
import { fetchFailureKind, fetchFunction, lacksCorsHeader, offlineError, rateLimitError } from "./http";
import { pydirectProductFacts } from "./pydirect-products";
import type { LoadedFirmware, PydirectProduct, PydirectRelease, PydirectReleaseOptions } from "./types";

export { pydirectProductFacts } from "./pydirect-products";

export const DEFAULT_PYDIRECT_REPO = "jetpax/pyDirect";
export const DEFAULT_GITHUB_API = "https://api.github.com";
/** The upstream project's GitHub Pages site (custom domain), which answers with ACAO: *. */
export const DEFAULT_PYDIRECT_MIRROR = "https://pydirect.com/firmware/";

const ASSET_NAME = /^pyDirect-(.+)-merged\.bin$/;

/** The parts of GitHub's release object that are read (GET /repos/{owner}/{repo}/releases). */
interface GithubAsset {
  name?: unknown;
  size?: unknown;
  browser_download_url?: unknown;
  content_type?: unknown;
  /** Newer API answers: "sha256:<hex>". */
  digest?: unknown;
}
interface GithubRelease {
  tag_name?: unknown;
  name?: unknown;
  prerelease?: unknown;
  draft?: unknown;
  published_at?: unknown;
  body?: unknown;
  html_url?: unknown;
  assets?: unknown;
}

function repoOf(options: PydirectReleaseOptions): string {
  const repo = options.repo ?? DEFAULT_PYDIRECT_REPO;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+$/.test(repo)) {
    throw new FirmwareSourceError(
      "not-found",
      `"${repo}" is not a GitHub repository name; write it as owner/name, e.g. ${DEFAULT_PYDIRECT_REPO}.`,
    );
  }
  return repo;
}

/**
 * Where the mirror keeps an asset: `{mirrorBase}{assetName}`; a base containing `{tag}` keeps one
 * folder per release (the default Pages site keeps only the latest files, flat).
 */
export function mirrorUrlFor(assetName: string, tag: string, mirrorBase = DEFAULT_PYDIRECT_MIRROR): string {
  const base = mirrorBase.replaceAll("{tag}", encodeURIComponent(tag));
  return new URL(encodeURIComponent(assetName), base.endsWith("/") ? base : base + "/").href;
}

function digestHex(digest: unknown): string | null {
  if (typeof digest !== "string") return null;
  const m = /^sha256:([0-9a-f]{64})$/i.exec(digest.trim());
  return m ? m[1].toLowerCase() : null;
}

/** "pyDirect-v1.26.1" / "v1.26.1" → "1.26.1": the version users compare. */
function versionOfTag(tag: string): string {
  return tag.replace(/^pydirect[-_]/i, "").replace(/^v(?=\d)/i, "");
}

function toRelease(raw: GithubRelease, repo: string, mirrorBase: string | undefined): PydirectRelease | null {
  if (raw.draft === true || typeof raw.tag_name !== "string" || raw.tag_name === "") return null;
  const tag = raw.tag_name;
  const assets: GithubAsset[] = Array.isArray(raw.assets) ? (raw.assets as GithubAsset[]) : [];
  const products: PydirectProduct[] = [];
  for (const asset of assets) {
    if (typeof asset.name !== "string") continue;
    const match = ASSET_NAME.exec(asset.name);
    if (!match) continue;
    const product = match[1];
    const facts = pydirectProductFacts(product);
    products.push({
      product,
      chipFamily: facts.chipFamily,
      flashSize: facts.flashSize,
      assetName: asset.name,
      size: typeof asset.size === "number" ? asset.size : 0,
      sha256: digestHex(asset.digest),
      mirrorUrl: mirrorUrlFor(asset.name, tag, mirrorBase),
      releaseDownloadUrl:
        typeof asset.browser_download_url === "string"
          ? asset.browser_download_url
          : `https://github.com/${repo}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(asset.name)}`,
    });
  }
  if (products.length === 0) return null;
  const notes = typeof raw.body === "string" && raw.body.trim() !== "" ? raw.body : null;
  return {
    tag,
    version: versionOfTag(tag),
    channel: raw.prerelease === true ? "beta" : "stable",
    publishedAt: typeof raw.published_at === "string" ? raw.published_at : "",
    notes,
    pageUrl:
      typeof raw.html_url === "string"
        ? raw.html_url
        : `https://github.com/${repo}/releases/tag/${encodeURIComponent(tag)}`,
    products,
  };
}

/**
 * The installable releases of a repository, newest first as GitHub lists them: prereleases are the
 * beta channel, drafts and releases without a `pyDirect-{product}-merged.bin` are left out.
 */
export async function listPydirectReleases(options: PydirectReleaseOptions = {}): Promise<PydirectRelease[]> {
  const repo = repoOf(options);
  const apiBase = (options.apiBase ?? DEFAULT_GITHUB_API).replace(/\/+$/, "");
  const url = `${apiBase}/repos/${repo}/releases?per_page=100`;
  let response: Response;
  try {
    response = await fetchFunction(options.fetch)(url, {
      headers: { accept: "application/vnd.github+json" },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    const kind = fetchFailureKind(err);
    if (kind === "aborted") throw err;
    if (kind === "offline") throw offlineError("Listing pyDirect's releases", err);
    throw new FirmwareSourceError(
      "source-failed",
      `GitHub's releases API (${apiBase}) could not be reached; check the connection, or pick a local file.`,
      { cause: err },
    );
  }
  const limited = rateLimitError(response);
  if (limited) throw limited;
  if (response.status === 404)
    throw new FirmwareSourceError(
      "not-found",
      `GitHub has no repository ${repo} (or it is private); check the repository name.`,
    );
  if (!response.ok)
    throw new FirmwareSourceError(
      "source-failed",
      `GitHub's releases API answered ${response.status} for ${repo}; try again later, or pick a local file.`,
    );
  let body: unknown;
  try {
    body = await response.json();
  } catch (err) {
    throw new FirmwareSourceError(
      "source-failed",
      `GitHub's releases API answered something that is not JSON for ${repo}; try again later.`,
      { cause: err },
    );
  }
  if (!Array.isArray(body))
    throw new FirmwareSourceError(
      "source-failed",
      `GitHub's releases API answered with no list of releases for ${repo}.`,
    );
  return body
    .flatMap((r) =>
      typeof r === "object" && r !== null ? [toRelease(r as GithubRelease, repo, options.mirrorBase)] : [],
    )
    .filter((r): r is PydirectRelease => r !== null);
}

function noCorsCopy(
  release: PydirectRelease,
  product: PydirectProduct,
  why: string,
  cause?: unknown,
): FirmwareSourceError {
  return new FirmwareSourceError(
    "no-cors-mirror",
    `${product.assetName} of ${release.tag} is not available from a copy this page is allowed to download (${why}). Download the .bin from the release page (${release.pageUrl}) and drop it here.`,
    { releasePageUrl: release.pageUrl, cause },
  );
}

export interface PydirectFirmwareOptions extends PydirectReleaseOptions {
  /** With the image's SHA-256 known and cached, no mirror check is needed (offline installs). */
  cache?: PartCache | null;
}

/**
 * Makes sure the mirror serves this very image with CORS headers, before it is offered for install:
 * a HEAD request (CORS-safelisted, no preflight) that a browser refuses without ACAO, and that is
 * checked by hand in Node.
 */
async function checkMirror(
  release: PydirectRelease,
  product: PydirectProduct,
  options: PydirectFirmwareOptions,
): Promise<void> {
  let response: Response;
  try {
    response = await fetchFunction(options.fetch)(product.mirrorUrl, {
      method: "HEAD",
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    const kind = fetchFailureKind(err);
    if (kind === "aborted") throw err;
    if (kind === "offline") throw offlineError(`Downloading ${product.assetName}`, err);
    throw noCorsCopy(
      release,
      product,
      `${new URL(product.mirrorUrl).origin} could not be reached or sends no CORS headers`,
      err,
    );
  }
  const limited = rateLimitError(response);
  if (limited) throw limited;
  if (response.status === 404 || response.status === 410)
    throw noCorsCopy(release, product, `${product.mirrorUrl} does not have it`);
  if (!response.ok)
    throw new FirmwareSourceError(
      "source-failed",
      `${product.mirrorUrl} answered ${response.status}; try again later, or download the .bin from ${release.pageUrl} and drop it here.`,
      { releasePageUrl: release.pageUrl },
    );
  if (lacksCorsHeader(response))
    throw noCorsCopy(
      release,
      product,
      `${new URL(product.mirrorUrl).origin} sends no Access-Control-Allow-Origin header`,
    );
  // A compressed answer's length is not the file's; the download's size check covers that case.
  const encoding = response.headers.get("content-encoding");
  const length = encoding && encoding !== "identity" ? NaN : Number(response.headers.get("content-length"));
  if (product.size > 0 && Number.isFinite(length) && length > 0 && length !== product.size) {
    throw noCorsCopy(
      release,
      product,
      `the copy at ${product.mirrorUrl} is ${length} bytes, another build than the release's ${product.size}`,
    );
  }
}

/** Whether the cache holds this image: by its SHA-256, or (`byUrl`) as what the mirror URL last served. */
async function cachedCopy(
  product: PydirectProduct,
  cache: PartCache | null | undefined,
  byUrl = false,
): Promise<boolean> {
  if (!cache) return false;
  try {
    const sha = product.sha256 ?? (byUrl ? await cache.lookupUrl(product.mirrorUrl) : null);
    if (!sha) return false;
    const data = await cache.get(sha);
    return data !== null && sha256Hex(data) === sha && (product.size === 0 || data.length === product.size);
  } catch {
    return false;
  }
}

/**
 * The release as an install source: a synthesized manifest with one build for the product's chip
 * and one merged part at 0x0 from the mirror, carrying the asset's SHA-256 and size when GitHub
 * gives a digest (so the download is verified and cached by SHA-256).
 */
export async function pydirectReleaseFirmware(
  release: PydirectRelease,
  product: PydirectProduct,
  options: PydirectFirmwareOptions = {},
): Promise<LoadedFirmware> {
  const repo = repoOf(options);
  if (!(await cachedCopy(product, options.cache))) {
    try {
      await checkMirror(release, product, options);
    } catch (err) {
      // Offline with the image kept from an earlier download of this URL: the download layer
      // takes it from the cache (it looks URLs up when the network is unreachable).
      if (!(
        err instanceof FirmwareSourceError &&
        err.code === "offline" &&
        (await cachedCopy(product, options.cache, true))
      ))
        throw err;
    }
  }
  const raw = {
    name: "pyDirect",
    version: release.version,
    channel: release.channel,
    ...(release.notes ? { release_notes: release.notes } : {}),
    // Upstream's own manifest asks too: a merged image replaces everything, settings included.
    new_install_prompt_erase: true,
    builds: [
      {
        chipFamily: product.chipFamily,
        ...(product.flashSize ? { flash_size: `${product.flashSize / 1048576}MB` } : {}),
        ...(pydirectProductFacts(product.product).console
          ? { console: pydirectProductFacts(product.product).console }
          : {}),
        parts: [
          {
            path: product.mirrorUrl,
            offset: 0,
            ...(product.sha256 ? { sha256: product.sha256 } : {}),
            ...(product.size > 0 ? { size: product.size } : {}),
          },
        ],
      },
    ],
  };
  return {
    manifest: parseManifest(raw).manifest,
    manifestUrl: product.mirrorUrl,
    origin: { kind: "pydirect-release", repo, tag: release.tag, product: product.product },
  };
}
